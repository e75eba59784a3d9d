// Findings: the list with filters, and acknowledge / resolve / waive (a note required to waive) on one
// or many selected at once.

#include "service/Refusal.h"
#include "service/Findings.h"
#include "service/Permissions.h"
#include "web/Forms.h"
#include "web/Views.h"

#include <Poco/NumberParser.h>
#include <Poco/URI.h>

namespace registry::web {
namespace {

using service::Action;

Form filterForm(const Request& req) {
    return Form({
        {"district", "district", FieldKind::Select, false, districtOptions(req, false), ""},
        {"severity", "severity", FieldKind::Select, false, enumOptions<domain::Severity>(req, false), ""},
        {"status", "finding_status", FieldKind::Select, false, enumOptions<domain::FindingStatus>(req, false), ""},
        {"subject_type", "subject_type", FieldKind::Select, false, enumOptions<domain::SubjectType>(req, false), ""},
        {"rule", "finding_rule", FieldKind::Text, false, {}, ""},
    });
}

Form actionForm(const Request& req) {
    std::vector<std::pair<std::string, std::string>> actions{{"", req.t("choose_action")}};
    for (const auto status : {domain::FindingStatus::Acknowledged, domain::FindingStatus::Resolved,
                              domain::FindingStatus::Waived})
        actions.emplace_back(domain::toString(status), req.t("finding_action_" + domain::toString(status)));
    return Form({
        {"action_status", "finding_action", FieldKind::Select, true, actions, ""},
        {"action_note", "finding_note", FieldKind::TextArea, false, {}, "hint_finding_note"},
    });
}

void list(WebUi& ui, Request& req, Form actions, const std::vector<std::string>& selected, int status) {
    service::FindingFilter filter;
    filter.district = req.query("district");
    filter.severity = req.queryEnum<domain::Severity>("severity");
    filter.status = req.queryEnum<domain::FindingStatus>("status");
    filter.subjectType = req.queryEnum<domain::SubjectType>("subject_type");
    filter.rule = req.query("rule");
    filter.auditId = req.queryId("audit_id");
    const auto page = service::Findings(ui.services()).list(req.principal(), filter, req.page());
    mstch::array rows;
    for (const auto& f : page.items) {
        auto row = findingView(req, f);
        row["selected"] = std::find(selected.begin(), selected.end(), std::to_string(f.id)) != selected.end();
        row["may_write"] = service::may(req.principal(), Action::ChangeFindingStatus, f.district);
        rows.push_back(row);
    }
    Form filters = filterForm(req);
    for (const auto* name : {"district", "severity", "status", "subject_type", "rule"})
        filters.set(name, req.query(name).value_or(""));
    mstch::map view{{"rows", rows},
                    {"empty", rows.empty()},
                    {"next", nextPageLink(req, page.nextAfterId)},
                    {"back", req.request().getURI()}};
    if (const auto msg = req.query("msg"); msg == std::optional<std::string>("updated"))
        view["notice"] = req.t("msg_findings_updated") + " " + req.query("count").value_or("0");
    filters.into(req, view);
    mstch::map actionView;
    actions.into(req, actionView);
    view["action_fields"] = actionView["fields"];
    if (actionView.count("form_errors")) {
        view["form_errors"] = actionView["form_errors"];
        view["form_error_count"] = actionView["form_error_count"];
    }
    ui.render(req, "finding_list", view, status, "findings_title");
}

void setStatus(WebUi& ui, Request& req) {
    service::requireOwn(req.principal(), Action::ChangeFindingStatus);
    Form actions = actionForm(req);
    actions.fillFrom(req);
    const auto ids = req.fieldValues("ids");
    const auto status = domain::parseEnum<domain::FindingStatus>(actions.value("action_status"));
    if (!status || *status == domain::FindingStatus::Open) actions.addError("action_status", req.t("err_choose_action"));
    if (ids.empty()) actions.addError("", req.t("err_choose_findings"));
    std::vector<long long> selected;
    for (const auto& text : ids) {
        Poco::Int64 id = 0;
        if (!Poco::NumberParser::tryParse64(text, id) || id < 1) throw service::NotFound("finding");
        selected.push_back(id);
    }
    // The page the form was on, with its filters: only a findings page of this site.
    std::string back = req.field("back");
    if (back.rfind("/findings", 0) != 0) back = "/findings";
    if (actions.ok()) {
        try {
            const auto count =
                service::Findings(ui.services()).setStatuses(req.principal(), selected, {status, actions.value("action_note")});
            Poco::URI uri(back);
            Poco::URI::QueryParameters params;
            for (const auto& [k, v] : uri.getQueryParameters())
                if (k != "msg" && k != "count") params.emplace_back(k, v);
            params.emplace_back("msg", "updated");
            params.emplace_back("count", std::to_string(count));
            uri.setQueryParameters(params);
            return ui.redirect(req, uri.getPathAndQuery());
        } catch (const service::Invalid& e) {
            actions.addErrors(req, e.errors(), {{"note", "action_note"}, {"status", "action_status"}});
        }
    }
    // Show the same list again, with the selection and the note kept.
    Poco::URI uri(back);
    req.request().setURI(uri.toString());
    Request again(req.request(), req.response(), {}, ui.api().limits);
    again.lang = req.lang;
    again.session = req.session;
    again.path = "/findings";
    again.setTimeZone(req.timeZone());
    again.setPrincipal(req.principal());
    list(ui, again, actions, ids, 422);
}

} // namespace

void addFindingPages(WebUi& ui) {
    ui.get("/findings", [&ui](Request& req) { list(ui, req, actionForm(req), {}, 200); });
    ui.post("/findings/status", [&ui](Request& req) { setStatus(ui, req); });
}

} // namespace registry::web
