// Audits: run one now, follow its progress (live with a little script, a reload without), its report
// per district and rule, and the report as CSV for Excel. Runs go through the server's AuditService,
// reports through audit::reportJson, exactly as the API's /api/v1/audits.

#include "audit/AuditReport.h"
#include "audit/AuditService.h"
#include "domain/District.h"
#include "codec/RecordJson.h"
#include "store/AuditRunRepository.h"
#include "store/Errors.h"
#include "web/Forms.h"
#include "web/ReportHtml.h"
#include "web/Views.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace registry::web {
namespace {

using auth::Action;

domain::AuditRun findRun(WebUi& ui, Request& req) {
    const auto run = store::AuditRunRepository(ui.api().db).get(req.id());
    if (!run) throw store::NotFound("audit");
    req.require(Action::Read, run->district);
    return *run;
}

audit::AuditService& service(WebUi& ui) {
    if (!ui.api().audits)
        throw http::HttpError({Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "核查未启用", "Audits are off",
                               "本服务未加载区规则插件,不能运行核查", "this server runs without plugins, so it cannot run audits",
                               {}});
    return *ui.api().audits;
}

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
        {"created_at", timeText(r.createdAt)},
        {"finished_at", r.finishedAt ? timeText(*r.finishedAt) : std::string("—")},
        {"checked", std::to_string(r.recordsChecked)},
        {"total", std::to_string(r.recordsTotal)},
        {"percent", std::to_string(percent)},
        {"findings_new", std::to_string(r.findingsNew)},
        {"findings_resolved", std::to_string(r.findingsResolved)},
        {"plugin_errors", std::to_string(r.pluginErrors)},
        {"requested_by", r.requestedBy.empty() ? req.t("audit_by_schedule") : r.requestedBy},
        {"error", r.error},
    };
}

void list(WebUi& ui, Request& req, Form form, int status) {
    store::AuditRunFilter filter;
    filter.district = req.listDistrict(std::nullopt);
    const auto page = store::AuditRunRepository(ui.api().db).list(filter, req.page());
    mstch::array rows;
    for (const auto& r : page.items) rows.push_back(runView(req, r));
    mstch::map view{{"rows", rows},
                    {"empty", rows.empty()},
                    {"next", nextPageLink(req, page.nextAfterId)},
                    {"may_run", auth::decide(req.principal(), Action::RunAudit) == auth::Decision::Allow}};
    form.into(req, view);
    ui.render(req, "audit_list", view, status, "audits_title");
}

Form runForm(const Request& req) {
    return Form({{"district", "audit_scope", FieldKind::Select, false, districtOptions(req, false), "hint_audit_scope"}});
}

void runNow(WebUi& ui, Request& req) {
    req.require(Action::RunAudit);
    Form form = runForm(req);
    form.fillFrom(req);
    std::optional<std::string> district;
    if (!form.value("district").empty()) district = form.value("district");
    if (district && !domain::findDistrict(*district)) form.addError("district", req.t("err_district"));
    if (!form.ok()) return list(ui, req, form, 422);
    if (!district) district = req.principal().district;
    req.require(Action::RunAudit, district);
    const auto run = service(ui).request(district, req.principal().username);
    ui.redirect(req, "/audits/" + std::to_string(run.id));
}

void detail(WebUi& ui, Request& req) {
    const auto run = findRun(ui, req);
    mstch::map view{{"run", runView(req, run)},
                    {"title", req.t("audit_title") + " #" + std::to_string(run.id)},
                    {"may_cancel", !run.finished() && auth::decide(req.principal(), Action::RunAudit, run.district) ==
                                                          auth::Decision::Allow}};
    if (run.status == domain::AuditStatus::Succeeded) {
        const auto report = audit::reportJson(run, req.principal().district);
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
    }
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
        const auto run = findRun(ui, req);
        req.require(Action::RunAudit, run.district);
        if (!run.finished()) service(ui).cancel(run.id);
        ui.redirect(req, "/audits/" + std::to_string(run.id));
    });
    ui.get("/audits/{id}/report.html", [&ui](Request& req) {
        const auto run = findRun(ui, req);
        if (run.status != domain::AuditStatus::Succeeded) throw store::NotFound("report");
        // Standalone (it can be saved and opened alone): its one stylesheet is inline, and nothing else loads.
        req.response().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        req.sendText(200, "text/html; charset=utf-8", reportHtml(*audit::reportJson(run, req.principal().district), req.lang));
    });
    ui.get("/audits/{id}/report.csv", [&ui](Request& req) {
        const auto run = findRun(ui, req);
        if (run.status != domain::AuditStatus::Succeeded) throw store::NotFound("report");
        const std::string csv = audit::reportCsv(*audit::reportJson(run, req.principal().district));
        auto& response = req.response();
        response.setContentType("text/csv; charset=utf-8");
        response.set("Content-Disposition", "attachment; filename=\"audit-" + std::to_string(run.id) + ".csv\"");
        response.set("Cache-Control", "no-store");
        response.setContentLength(static_cast<std::streamsize>(csv.size()));
        response.send() << csv;
    });
}

} // namespace registry::web
