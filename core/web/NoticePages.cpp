// Rectification notices on the web: issue one from the findings ticked on a facility's or a burial site's
// page, the list (open, overdue), a notice's page with the unit's answer and the inspector's verdict (each
// with its evidence files, Evidence.h), and the A4 page to print and hand over (/notices/{id}/print).

#include "domain/Dates.h"
#include "domain/District.h"
#include "service/BurialSites.h"
#include "service/Facilities.h"
#include "service/Findings.h"
#include "service/Notices.h"
#include "service/Permissions.h"
#include "service/Refusal.h"
#include "web/Evidence.h"
#include "web/Forms.h"
#include "web/Views.h"

#include "http/Responses.h"

#include <Poco/NumberParser.h>
#include <Poco/URI.h>

namespace registry::web {
namespace {

using service::Action;

service::Notices notices(WebUi& ui) { return service::Notices(ui.services(), ui.api().todayDate()); }

std::string subjectPage(const domain::Notice& n) {
    return (n.subjectType == domain::SubjectType::Facility ? "/facilities/" : "/burial-sites/") + std::to_string(n.subjectId);
}

/// Who the notice is to, as the paper names it: the facility, or the burial site's responsible unit.
std::string subjectName(WebUi& ui, const Request& req, const domain::Notice& n) {
    try {
        if (n.subjectType == domain::SubjectType::Facility)
            return service::Facilities(ui.services()).get(req.principal(), n.subjectId).name;
        const auto site = service::BurialSites(ui.services()).get(req.principal(), n.subjectId);
        return (site.responsibleUnit.empty() ? site.township + site.village : site.responsibleUnit) + "(" + site.code + ")";
    } catch (const service::Refusal&) {
        return enumLabel(req, n.subjectType) + " #" + std::to_string(n.subjectId);
    }
}

mstch::map noticeView(WebUi& ui, const Request& req, const domain::Notice& n) {
    const auto responseFiles = attachmentsView(n.attachments, domain::AttachmentPurpose::NoticeResponse);
    const auto verificationFiles = attachmentsView(n.attachments, domain::AttachmentPurpose::NoticeVerification);
    return mstch::map{{"id", std::to_string(n.id)},
                      {"number", n.number},
                      {"district", districtName(req, n.district)},
                      {"subject", subjectName(ui, req, n)},
                      {"subject_link", subjectPage(n)},
                      {"requirements", n.requirements},
                      {"deadline", n.deadline},
                      {"status", enumLabel(req, n.status)},
                      {"status_code", domain::toString(n.status)},
                      {"overdue", n.isOverdue},
                      {"issued_by", n.issuedBy},
                      {"issued_on", n.issuedOn},
                      {"response_text", n.responseText},
                      {"responded_by", n.respondedBy},
                      {"responded_at", n.respondedAt ? timeText(req, *n.respondedAt) : std::string()},
                      {"result", n.result ? enumLabel(req, *n.result) : std::string()},
                      {"verification_note", n.verificationNote},
                      {"verified_by", n.verifiedBy},
                      {"finding_count", std::to_string(n.findingIds.size())},
                      {"response_files", responseFiles},
                      {"has_response_files", !responseFiles.empty()},
                      {"verification_files", verificationFiles},
                      {"has_verification_files", !verificationFiles.empty()},
                      {"has_files", !n.attachments.empty()}};
}

/// The findings a notice names, as far as `who` may read them.
mstch::array findingsOfNotice(WebUi& ui, const Request& req, const std::vector<std::int64_t>& ids) {
    service::Findings findings(ui.services());
    mstch::array out;
    for (const auto id : ids) {
        try {
            out.push_back(findingView(req, findings.get(req.principal(), id)));
        } catch (const service::Refusal&) {
            // Not readable by this user (or gone): the notice still counts it.
        }
    }
    return out;
}

Form issueForm() {
    return Form({{"requirements", "notice_requirements", FieldKind::TextArea, true, {}, "hint_notice_requirements"},
                 {"deadline", "notice_deadline", FieldKind::Date, true, {}, ""}});
}
Form responseForm() {
    return Form({{"text", "notice_response_text", FieldKind::TextArea, true, {}, ""},
                 evidenceField("response_files", "evidence_files")});
}
Form verifyForm(const Request& req) {
    return Form({{"result", "notice_result", FieldKind::Select, true, enumOptions<domain::VerificationResult>(req, true), ""},
                 {"note", "notice_verification_note", FieldKind::TextArea, false, {}, "hint_notice_verification_note"},
                 {"deadline", "notice_new_deadline", FieldKind::Date, false, {}, "hint_notice_new_deadline"},
                 evidenceField("verification_files", "verification_evidence_files")});
}


/// The form to issue a notice for the ticked findings (first post, from a subject's page), or the notice
/// issued (second post, with requirements and deadline).
void issue(WebUi& ui, Request& req) {
    const auto type = domain::parseEnum<domain::SubjectType>(req.field("subject_type"));
    Poco::Int64 subject = 0;
    if (!type || *type == domain::SubjectType::Price || !Poco::NumberParser::tryParse64(req.field("subject_id"), subject))
        throw service::Invalid({{"subject_id", "required", "请从设施或墓地页面选择问题后下达整改通知",
                                 "choose findings on a facility's or a burial site's page to issue a notice"}});
    std::vector<std::int64_t> ids;
    for (const auto& text : req.fieldValues("finding_ids")) {
        Poco::Int64 id = 0;
        if (Poco::NumberParser::tryParse64(text, id)) ids.push_back(id);
    }
    const std::string back = (*type == domain::SubjectType::Facility ? "/facilities/" : "/burial-sites/") + std::to_string(subject);
    Form form = issueForm();
    int status = 200;
    if (req.field("step") == "issue") {
        form.fillFrom(req);
        try {
            const auto issued = notices(ui).issue(req.principal(), [&] {
                domain::Notice n;
                n.subjectType = *type;
                n.subjectId = subject;
                n.findingIds = ids;
                n.requirements = form.value("requirements");
                n.deadline = form.value("deadline");
                return service::Draft<domain::Notice>{std::move(n), {}};
            });
            return ui.redirect(req, "/notices/" + std::to_string(issued.id) + "?msg=issued");
        } catch (const service::Invalid& e) {
            form.addErrors(req, e.errors());
            status = 422;
        }
    } else {
        notices(ui).requireIssuer(req.principal(), *type, subject);
        form.set("deadline", domain::addDays(ui.api().todayDate(), 30));
    }
    mstch::array hidden;
    for (const auto id : ids) hidden.push_back(mstch::map{{"id", std::to_string(id)}});
    mstch::map view{{"title", req.t("notice_new_title")},
                    {"subject_type", domain::toString(*type)},
                    {"subject_id", std::to_string(subject)},
                    {"finding_ids", hidden},
                    {"findings", findingsOfNotice(ui, req, ids)},
                    {"cancel", back}};
    form.into(req, view);
    ui.render(req, "notice_form", view, status);
}

/// "/exports/notices?format=...&" with the list's filters, so the download is the list as shown.
std::string exportLink(Request& req, const std::string& format) {
    Poco::URI uri("/exports/notices");
    Poco::URI::QueryParameters params{{"format", format}};
    for (const auto& [k, v] : Poco::URI(req.request().getURI()).getQueryParameters())
        if (k != "cursor" && k != "limit" && k != "lang" && k != "format" && !v.empty()) params.emplace_back(k, v);
    uri.setQueryParameters(params);
    return uri.getPathAndQuery();
}

void list(WebUi& ui, Request& req) {
    // The API's filters (the dashboard links here with district, open, overdue or due_within_days).
    service::NoticeTiming timing;
    const auto filter = http::noticeFilterParams(req, timing);
    const bool overdue = timing.overdue;
    const auto page = notices(ui).list(req.principal(), filter, timing, req.page());
    mstch::array rows;
    for (const auto& n : page.items) rows.push_back(noticeView(ui, req, n));
    mstch::array statuses{mstch::map{{"value", std::string()}, {"label", req.t("choose_none")}, {"selected", !filter.status}}};
    for (const auto& e : domain::EnumTraits<domain::NoticeStatus>::entries)
        statuses.push_back(mstch::map{{"value", std::string(e.code)},
                                      {"label", std::string(req.en() ? e.en : e.zh)},
                                      {"selected", filter.status == e.value}});
    mstch::array districts;
    for (const auto& [code, label] : districtOptions(req, false))
        districts.push_back(mstch::map{{"value", code}, {"label", label}, {"selected", filter.district == code}});
    mstch::map view{{"rows", rows}, {"empty", rows.empty()}, {"statuses", statuses}, {"overdue", overdue},
                    {"districts", districts}, {"may_choose_district", !service::isOperator(req.principal())},
                    {"open", filter.openOnly},
                    {"due_within_days", timing.dueWithinDays ? std::to_string(*timing.dueWithinDays) : std::string()},
                    {"export_csv", exportLink(req, "csv")}, {"export_xlsx", exportLink(req, "xlsx")},
                    {"next", nextPageLink(req, page.nextAfterId)}};
    ui.render(req, "notice_list", view, 200, "notices_title");
}

/// The notice's page; after a refused answer or verdict (`step`), its form as posted, with the uploads it
/// stored offered again (`kept`).
void detail(WebUi& ui, Request& req, const std::string& step = "", Form answer = responseForm(),
            Form verdict = Form({}), int status = 200, const std::string& problem = "",
            const Evidence* kept = nullptr) {
    const auto n = notices(ui).get(req.principal(), req.id());
    const auto& who = req.principal();
    // A burial site's notice has no operator: facility 0 is nobody's.
    const bool mayAnswer = n.status == domain::NoticeStatus::Issued &&
                           service::decideFacility(who, Action::AnswerNotice,
                                                   n.subjectType == domain::SubjectType::Facility ? n.subjectId : 0,
                                                   n.district) == service::Decision::Allow;
    const bool mayVerify = n.status != domain::NoticeStatus::Verified && service::may(who, Action::VerifyNotice, n.district);
    if (verdict.fields().empty()) verdict = verifyForm(req);
    mstch::map view{{"title", n.number}, {"notice", noticeView(ui, req, n)}, {"findings", findingsOfNotice(ui, req, n.findingIds)},
                    {"may_answer", mayAnswer}, {"may_verify", mayVerify}, {"problem", problem}};
    if (const auto msg = req.query("msg"); msg == std::optional<std::string>("issued") ||
                                           msg == std::optional<std::string>("answered") ||
                                           msg == std::optional<std::string>("verified"))
        view["message"] = req.t("msg_notice_" + *msg);
    view["has_history"] = service::may(who, Action::ReadChangeLog, std::nullopt);
    if (service::may(who, Action::ReadChangeLog, std::nullopt))
        view["history"] = historyView(ui, req, "notice", n.id, {{"status", "finding_status"}, {"deadline", "notice_deadline"}});
    mstch::map answerView, verdictView;
    answer.into(req, answerView);
    verdict.into(req, verdictView);
    view["answer_fields"] = answerView["fields"];
    view["verdict_fields"] = verdictView["fields"];
    if (kept) view[step == "answer" ? "answer_kept" : "verdict_kept"] = kept->keptField();
    if (step == "answer" && answerView.count("form_errors")) {
        view["form_errors"] = answerView["form_errors"];
        view["form_error_count"] = answerView["form_error_count"];
    } else if (step == "verify" && verdictView.count("form_errors")) {
        view["form_errors"] = verdictView["form_errors"];
        view["form_error_count"] = verdictView["form_error_count"];
    }
    ui.render(req, "notice_detail", view, status);
}

/// The answer with its evidence: every file checked before any is stored, then stored, then named by the
/// answer in its transaction. A refused file stores nothing; a refused answer attaches nothing, and the
/// files it stored come back ticked on the form.
void answer(WebUi& ui, Request& req) {
    Form form = responseForm();
    form.fillFrom(req);
    Evidence evidence(ui, req, "response_files");
    try {
        notices(ui).respond(req.principal(), req.id(), [&] {
            return service::Draft<domain::NoticeResponse>{{form.value("text"), evidence.upload()}, {}};
        });
        return ui.redirect(req, "/notices/" + std::to_string(req.id()) + "?msg=answered");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors(), evidenceErrors("response_files"));
        detail(ui, req, "answer", std::move(form), Form({}), 422, "", &evidence);
    } catch (const service::Conflict<domain::Notice>& e) {
        detail(ui, req, "answer", responseForm(), Form({}), 409, req.en() ? e.messageEn() : e.messageZh());
    }
}

/// The verdict with its evidence, as answer() takes an answer's.
void verify(WebUi& ui, Request& req) {
    Form form = verifyForm(req);
    form.fillFrom(req);
    Evidence evidence(ui, req, "verification_files");
    try {
        notices(ui).verify(req.principal(), req.id(), [&] {
            domain::NoticeVerification v;
            v.result = domain::parseEnum<domain::VerificationResult>(form.value("result"));
            v.note = form.value("note");
            if (!form.value("deadline").empty()) v.deadline = form.value("deadline");
            v.attachmentIds = evidence.upload();
            return service::Draft<domain::NoticeVerification>{std::move(v), {}};
        });
        return ui.redirect(req, "/notices/" + std::to_string(req.id()) + "?msg=verified");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors(), evidenceErrors("verification_files"));
        detail(ui, req, "verify", responseForm(), std::move(form), 422, "", &evidence);
    } catch (const service::Conflict<domain::Notice>& e) {
        detail(ui, req, "verify", responseForm(), verifyForm(req), 409, req.en() ? e.messageEn() : e.messageZh());
    }
}

/// The notice on A4, in Chinese whatever the page language (it is handed to the unit).
void print(WebUi& ui, Request& req) {
    const auto n = notices(ui).get(req.principal(), req.id());
    req.lang = "zh";
    mstch::map view{{"title", n.number}, {"notice", noticeView(ui, req, n)}, {"findings", findingsOfNotice(ui, req, n.findingIds)},
                    {"print_page", true}};
    ui.render(req, "notice_print", view, 200);
}

} // namespace

void addNoticePages(WebUi& ui) {
    ui.get("/notices", [&ui](Request& req) { list(ui, req); });
    ui.post("/notices/new", [&ui](Request& req) { issue(ui, req); });
    ui.get("/notices/{id}", [&ui](Request& req) { detail(ui, req); });
    ui.get("/notices/{id}/print", [&ui](Request& req) { print(ui, req); });
    ui.post("/notices/{id}/response", [&ui](Request& req) { answer(ui, req); });
    ui.post("/notices/{id}/verify", [&ui](Request& req) { verify(ui, req); });
}

} // namespace registry::web
