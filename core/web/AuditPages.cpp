// Audits: run one now, follow its progress (live with a little script, a reload without), its report
// per district and rule, and the report as CSV for Excel. Runs go through the server's AuditService,
// reports through audit::reportJson, exactly as the API's /api/v1/audits.

#include "audit/AuditReport.h"
#include "domain/District.h"
#include "codec/RecordJson.h"
#include "service/Audits.h"
#include "service/Plugins.h"
#include "service/Permissions.h"
#include "service/Refusal.h"
#include "web/Forms.h"
#include "web/ReportHtml.h"
#include "web/Views.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace registry::web {
namespace {

using service::Action;

domain::AuditRun findRun(WebUi& ui, Request& req) { return service::Audits(ui.services()).get(req.principal(), req.id()); }

mstch::map runView(const Request& req, const domain::AuditRun& r) {
    const long long percent = r.recordsTotal > 0 ? r.recordsChecked * 100 / r.recordsTotal : (r.finished() ? 100 : 0);
    return mstch::map{
        {"id", std::to_string(r.id)},
        {"trigger", enumLabel(req, r.trigger)},
        {"district", r.district ? districtName(req, *r.district) : req.t("citywide")},
        {"status", enumLabel(req, r.status)},
        {"status_code", domain::toString(r.status)},
        {"running", !r.finished()},
        {"succeeded", r.status == domain::AuditStatus::Succeeded},
        {"audit_date", r.auditDate},
        {"created_at", timeText(req, r.createdAt)},
        {"finished_at", r.finishedAt ? timeText(req, *r.finishedAt) : std::string("—")},
        {"checked", std::to_string(r.recordsChecked)},
        {"total", std::to_string(r.recordsTotal)},
        {"percent", std::to_string(percent)},
        {"findings_new", std::to_string(r.findingsNew)},
        {"findings_resolved", std::to_string(r.findingsResolved)},
        {"plugin_errors", std::to_string(r.pluginErrors)},
        {"requested_by", r.requestedBy.empty() ? req.t("audit_by_schedule") : r.requestedBy},
        {"error", r.error},
        {"dry_run", r.dryRun()},
        {"dry_run_what", r.dryRunPlugin.value_or("") + " " + r.dryRunVersion.value_or("")},
    };
}

void list(WebUi& ui, Request& req, Form form, int status) {
    service::Audits audits(ui.services());
    const auto page = audits.list(req.principal(), {}, req.page());
    mstch::array rows;
    for (const auto& r : page.items) rows.push_back(runView(req, r));
    mstch::map view{{"rows", rows},
                    {"empty", rows.empty()},
                    {"next", nextPageLink(req, page.nextAfterId)},
                    {"may_run", audits.mayStart(req.principal())}};
    form.into(req, view);
    ui.render(req, "audit_list", view, status, "audits_title");
}

Form runForm(const Request& req) {
    return Form({{"district", "audit_scope", FieldKind::Select, false, districtOptions(req, false), "hint_audit_scope"}});
}

void runNow(WebUi& ui, Request& req) {
    Form form = runForm(req);
    try {
        const auto run = service::Audits(ui.services()).start(req.principal(), [&] {
            form.fillFrom(req);
            service::Draft<std::optional<std::string>> draft;
            if (!form.value("district").empty()) draft.value = form.value("district");
            return draft;
        });
        ui.redirect(req, "/audits/" + std::to_string(run.id));
    } catch (const service::Invalid&) {
        form.addError("district", req.t("err_district"));
        list(ui, req, form, 422);
    }
}

void detail(WebUi& ui, Request& req) {
    service::Audits audits(ui.services());
    const auto run = audits.get(req.principal(), req.id());
    mstch::map view{{"run", runView(req, run)},
                    {"title", req.t("audit_title") + " #" + std::to_string(run.id)},
                    {"may_cancel", audits.mayCancel(req.principal(), run)}};
    if (run.status == domain::AuditStatus::Succeeded) {
        const auto report = audits.report(req.principal(), run);
        mstch::array districts;
        const auto list = report->getArray("districts");
        for (std::size_t i = 0; list && i < list->size(); ++i) {
            const auto d = list->getObject(static_cast<unsigned>(i));
            mstch::array rules;
            const auto byRule = d->getArray("by_rule");
            for (std::size_t j = 0; byRule && j < byRule->size(); ++j) {
                const auto r = byRule->getObject(static_cast<unsigned>(j));
                const auto severity = domain::parseEnum<domain::Severity>(r->optValue<std::string>("severity", ""));
                if (r->optValue<std::string>("rule", "").empty()) continue;
                rules.push_back(mstch::map{{"plugin", r->optValue<std::string>("plugin", "")},
                                           {"rule", r->optValue<std::string>("rule", "")},
                                           {"severity", severity ? enumLabel(req, *severity) : std::string("")},
                                           {"severity_code", r->optValue<std::string>("severity", "")},
                                           {"count", std::to_string(r->optValue<long long>("count", 0))}});
            }
            const std::string code = d->optValue<std::string>("district", "");
            districts.push_back(mstch::map{
                {"district", code.empty() ? req.t("citywide") : districtName(req, code)},
                {"code", code},
                {"records_checked", std::to_string(d->optValue<long long>("records_checked", 0))},
                {"findings_reported", std::to_string(d->optValue<long long>("findings_reported", 0))},
                {"findings_new", std::to_string(d->optValue<long long>("findings_new", 0))},
                {"findings_still_open", std::to_string(d->optValue<long long>("findings_still_open", 0))},
                {"findings_resolved", std::to_string(d->optValue<long long>("findings_resolved", 0))},
                {"plugin_errors", std::to_string(d->optValue<long long>("plugin_errors", 0))},
                {"rules", rules}});
        }
        view["districts"] = districts;
        view["has_report"] = true;
        // A dry run's report lists each change the version would make.
        mstch::array changes;
        const auto listed = report->getArray("changes");
        for (std::size_t i = 0; listed && i < listed->size(); ++i) {
            const auto c = listed->getObject(static_cast<unsigned>(i));
            const auto type = domain::parseEnum<domain::SubjectType>(c->optValue<std::string>("subject_type", ""));
            const long long subject = c->optValue<long long>("subject_id", 0);
            const bool isNew = c->optValue<std::string>("change", "") == "new";
            changes.push_back(mstch::map{
                {"change", req.t(isNew ? "dry_run_change_new" : "dry_run_change_gone")},
                {"rule", c->optValue<std::string>("rule", "")},
                {"subject", type ? enumLabel(req, *type) + " #" + std::to_string(subject) : std::string()},
                {"subject_link", type ? subjectLink(*type, subject) : std::string()},
                {"message", plainMessage(req, c->optValue<std::string>("message", ""))}});
        }
        view["changes"] = changes;
        // The report comes before the button: activating the version tried is the next step.
        if (run.dryRun() && service::Plugins(ui.services()).mayReload(req.principal())) {
            view["activate_action"] = "/plugins/" + *run.dryRunPlugin + "/versions/" + run.dryRunVersion.value_or("") +
                                      "/activate";
            view["versions_link"] = "/plugins/" + *run.dryRunPlugin;
        }
        view["no_changes"] = changes.empty();
        view["changes_truncated"] = report->optValue<bool>("changes_truncated", false);
    }
    // The decision record: which plugin versions this run ran.
    mstch::array plugins;
    try {
        const auto ran = codec::parseStored(run.pluginsJson).extract<Poco::JSON::Array::Ptr>();
        for (std::size_t i = 0; ran && i < ran->size(); ++i) {
            const auto p = ran->getObject(static_cast<unsigned>(i));
            plugins.push_back(mstch::map{{"name", p->optValue<std::string>("name", "")},
                                         {"version", p->optValue<std::string>("version", "")},
                                         {"sha256", p->optValue<std::string>("sha256", "").substr(0, 12)}});
        }
    } catch (const Poco::Exception&) {
    }
    view["plugins"] = plugins;
    view["has_plugins"] = !plugins.empty();
    ui.render(req, "audit_detail", view, 200);
}

} // namespace

void addAuditPages(WebUi& ui) {
    ui.get("/audits", [&ui](Request& req) { list(ui, req, runForm(req), 200); });
    ui.post("/audits", [&ui](Request& req) { runNow(ui, req); });
    ui.get("/audits/{id}", [&ui](Request& req) { detail(ui, req); });
    // The live progress the page's script polls: the run as the API writes it.
    ui.get("/audits/{id}/progress", [&ui](Request& req) {
        const auto run = findRun(ui, req);
        std::ostringstream out;
        Poco::JSON::Stringifier::stringify(codec::toJson(run), out);
        const std::string body = out.str();
        auto& response = req.response();
        response.setContentType("application/json; charset=utf-8");
        response.set("Cache-Control", "no-store");
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;
    });
    ui.post("/audits/{id}/cancel", [&ui](Request& req) {
        try {
            service::Audits(ui.services()).cancel(req.principal(), req.id());
        } catch (const service::Conflict<domain::AuditRun>&) {
            // It finished meanwhile: the page shows how.
        }
        ui.redirect(req, "/audits/" + std::to_string(req.id()));
    });
    ui.get("/audits/{id}/report.html", [&ui](Request& req) {
        service::Audits audits(ui.services());
        const auto run = audits.get(req.principal(), req.id());
        if (run.status != domain::AuditStatus::Succeeded) throw service::NotFound("report");
        // Standalone (it can be saved and opened alone): its one stylesheet is inline, and nothing else loads.
        req.response().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        req.sendText(200, "text/html; charset=utf-8", reportHtml(*audits.report(req.principal(), run), req.lang));
    });
    ui.get("/audits/{id}/report.csv", [&ui](Request& req) {
        service::Audits audits(ui.services());
        const auto run = audits.get(req.principal(), req.id());
        if (run.status != domain::AuditStatus::Succeeded) throw service::NotFound("report");
        const std::string csv = audit::reportCsv(*audits.report(req.principal(), run));
        auto& response = req.response();
        response.setContentType("text/csv; charset=utf-8");
        response.set("Content-Disposition", "attachment; filename=\"audit-" + std::to_string(run.id) + ".csv\"");
        response.set("Cache-Control", "no-store");
        response.setContentLength(static_cast<std::streamsize>(csv.size()));
        response.send() << csv;
    });
}

} // namespace registry::web
