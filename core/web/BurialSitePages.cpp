// Burial sites under the three-year rectification plan: list (with an overdue filter), detail with the
// progress log, create and edit forms (forward-only status, stale edits shown), and the progress-entry
// form.

#include "codec/RecordDecode.h"
#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "service/Refusal.h"
#include "service/BurialSites.h"
#include "service/Permissions.h"
#include "web/Forms.h"
#include "web/Evidence.h"
#include "web/Views.h"

#include <Poco/NumberParser.h>

#include <algorithm>

namespace registry::web {
namespace {

using service::Action;
using domain::BurialSiteStatus;

const std::map<std::string, std::string> kSiteLabels{
    {"kind", "site_kind"}, {"district", "district"}, {"township", "township"}, {"village", "village"},
    {"location", "location"}, {"lat", "lat"}, {"lon", "lon"}, {"grave_count", "grave_count"}, {"zones", "zones"},
    {"protected_relic", "protected_relic"}, {"measure", "measure"}, {"status", "site_status"},
    {"target_date", "target_date"}, {"responsible_unit", "responsible_unit"}, {"code", "code"}};

Form siteForm(const Request& req) {
    return Form({
        {"kind", "site_kind", FieldKind::Select, true, enumOptions<domain::BurialSiteKind>(req, true), ""},
        {"district", "district", FieldKind::Select, true, districtOptions(req, true), ""},
        {"township", "township", FieldKind::Text, true, {}, ""},
        {"village", "village", FieldKind::Text, false, {}, ""},
        {"location", "location", FieldKind::Text, false, {}, ""},
        {"grave_count", "grave_count", FieldKind::Integer, true, {}, ""},
        {"measure", "measure", FieldKind::Select, false, enumOptions<domain::Measure>(req, false), ""},
        {"status", "site_status", FieldKind::Select, true, enumOptions<BurialSiteStatus>(req, true), "hint_site_status"},
        {"target_date", "target_date", FieldKind::Date, false, {}, "hint_target_date"},
        {"responsible_unit", "responsible_unit", FieldKind::Text, false, {}, ""},
        {"zones", "zones", FieldKind::MultiCheck, false, enumOptions<domain::Zone>(req, true), ""},
        {"protected_relic", "protected_relic", FieldKind::Checkbox, false, {}, ""},
        {"lat", "lat", FieldKind::Number, false, {}, "hint_location"},
        {"lon", "lon", FieldKind::Number, false, {}, ""},
    });
}

domain::BurialSite loadSite(WebUi& ui, Request& req, Action action) {
    service::BurialSites sites(ui.services());
    return action == Action::Read ? sites.get(req.principal(), req.id()) : sites.getForWrite(req.principal(), req.id());
}

bool overdue(const domain::BurialSite& s) {
    return s.targetDate < domain::todayUtc() && s.status != BurialSiteStatus::Completed &&
           s.status != BurialSiteStatus::Accepted;
}

mstch::map siteView(const Request& req, const domain::BurialSite& s) {
    const long long percent = s.graveCount > 0 ? std::min<long long>(100, s.gravesHandled * 100 / s.graveCount) : 0;
    std::string zones;
    for (const auto z : s.zones) zones += (zones.empty() ? "" : "、") + enumLabel(req, z);
    return mstch::map{
        {"id", std::to_string(s.id)},
        {"code", s.code},
        {"kind", enumLabel(req, s.kind)},
        {"district", districtName(req, s.district)},
        {"place", s.township + (s.village.empty() ? "" : " " + s.village)},
        {"location", s.location},
        {"grave_count", std::to_string(s.graveCount)},
        {"graves_handled", std::to_string(s.gravesHandled)},
        {"percent", std::to_string(percent)},
        {"zones", zones},
        {"protected_relic", s.protectedRelic},
        {"measure", s.measure ? enumLabel(req, *s.measure) : std::string("—")},
        {"status", enumLabel(req, s.status)},
        {"target_date", s.targetDate},
        {"overdue", overdue(s)},
        {"responsible_unit", s.responsibleUnit},
        {"version", std::to_string(s.version)},
        {"updated_at", timeText(req, s.updatedAt)},
    };
}

void list(WebUi& ui, Request& req) {
    service::BurialSiteFilter filter;
    filter.district = req.query("district");
    filter.kind = req.queryEnum<domain::BurialSiteKind>("kind");
    filter.status = req.queryEnum<BurialSiteStatus>("status");
    filter.measure = req.queryEnum<domain::Measure>("measure");
    filter.overdueOnly = req.queryFlag("overdue");
    const auto page = service::BurialSites(ui.services()).list(req.principal(), filter, req.page());
    mstch::array rows;
    for (const auto& s : page.items) rows.push_back(siteView(req, s));
    Form filters({
        {"district", "district", FieldKind::Select, false, districtOptions(req, false), ""},
        {"kind", "site_kind", FieldKind::Select, false, enumOptions<domain::BurialSiteKind>(req, false), ""},
        {"status", "site_status", FieldKind::Select, false, enumOptions<BurialSiteStatus>(req, false), ""},
        {"measure", "measure", FieldKind::Select, false, enumOptions<domain::Measure>(req, false), ""},
        {"overdue", "overdue_only", FieldKind::Checkbox, false, {}, ""},
    });
    for (const auto* name : {"district", "kind", "status", "measure"}) filters.set(name, req.query(name).value_or(""));
    filters.set("overdue", filter.overdueOnly ? "true" : "");
    mstch::map view{{"rows", rows}, {"empty", rows.empty()}, {"next", nextPageLink(req, page.nextAfterId)}};
    filters.into(req, view);
    ui.render(req, "site_list", view, 200, "sites_title");
}

/// The posted site as the use case takes it (the errors of decoding included).
service::Draft<domain::BurialSite> postedDraft(Request& req, Form& form, long long expected = 0) {
    form.fillFrom(req);
    domain::Validator decodeErrors;
    auto site = codec::decodeBurialSite(*form.toJson(), decodeErrors);
    return {std::move(site), decodeErrors.take(), expected};
}

void create(WebUi& ui, Request& req) {
    Form form = siteForm(req);
    if (req.request().getMethod() == "GET") {
        service::requireOwn(req.principal(), Action::WriteRecord);
        form.set("status", "surveyed");
        form.set("kind", "historical_burial_point");
        if (req.session->user.district) form.set("district", *req.session->user.district);
        return showForm(ui, req, form, "/burial-sites/new", "/burial-sites", "site_new_title", 200);
    }
    try {
        const auto created = service::BurialSites(ui.services()).create(req.principal(), [&] { return postedDraft(req, form); });
        return ui.redirect(req, "/burial-sites/" + std::to_string(created.record.id) + "?msg=created");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors());
    } catch (const service::RefusedByPlugin& e) {
        form.addError("", req.t("refused_by_rule") + e.messageZh());
    }
    showForm(ui, req, form, "/burial-sites/new", "/burial-sites", "site_new_title", 422);
}

void edit(WebUi& ui, Request& req) {
    const auto current = loadSite(ui, req, Action::WriteRecord);
    const std::string base = "/burial-sites/" + std::to_string(current.id);
    Form form = siteForm(req);
    mstch::map view{{"version", std::to_string(current.version)}};
    if (req.request().getMethod() == "GET") {
        form.fill(*codec::toJson(current));
        return showForm(ui, req, form, base + "/edit", base, "site_edit_title", 200, view);
    }
    const long long expected = postedVersion(req);
    view["version"] = std::to_string(expected);
    try {
        service::BurialSites(ui.services()).update(req.principal(), current.id, [&] { return postedDraft(req, form, expected); });
        return ui.redirect(req, base + "?msg=saved");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors());
    } catch (const service::RefusedByPlugin& e) {
        form.addError("", req.t("refused_by_rule") + e.messageZh());
    } catch (const service::Conflict<domain::BurialSite>& e) {
        view["conflict"] = conflictView(ui, req, form, "burial_site", current.id, expected, *codec::toJson(e.current()), "");
        view["version"] = std::to_string(e.current().version);
        return showForm(ui, req, form, base + "/edit", base, "site_edit_title", 409, view);
    }
    showForm(ui, req, form, base + "/edit", base, "site_edit_title", 422, view);
}

mstch::array progressView(const Request& req, const std::vector<domain::ProgressEntry>& entries) {
    mstch::array out;
    for (const auto& e : entries)
        out.push_back(mstch::map{{"date", e.date},
                                 {"graves_handled", std::to_string(e.gravesHandled)},
                                 {"status", e.status ? enumLabel(req, *e.status) : std::string("")},
                                 {"note", e.note},
                                 {"recorded_by", e.recordedBy},
                                 {"files", attachmentsView(e.attachments, domain::AttachmentPurpose::Progress)},
                                 {"has_files", !e.attachments.empty()}});
    return out;
}

void detail(WebUi& ui, Request& req) {
    const auto s = loadSite(ui, req, Action::Read);
    service::BurialSites sites(ui.services());
    auto findings = findingsOf(ui, req, domain::SubjectType::BurialSite, s.id);
    mstch::map view{
        {"title", req.t("site_detail_title") + " " + s.code},
        {"site", siteView(req, s)},
        {"progress", progressView(req, sites.progress(req.principal(), s.id))},
        {"findings", findings},
        {"has_findings", !findings.empty()},
        {"inspections", inspectionsOf(ui, req, domain::SubjectType::BurialSite, s.id)},
        {"history", historyView(ui, req, "burial_site", s.id, kSiteLabels)},
        {"may_write", service::may(req.principal(), Action::WriteRecord, s.district)},
        {"may_issue", service::may(req.principal(), Action::IssueNotice, s.district)},
        {"subject_type", std::string("burial_site")},
        {"subject_id", std::to_string(s.id)},
    };
    const auto notices = noticesOf(ui, req, domain::SubjectType::BurialSite, s.id);
    view["has_notices"] = !notices.empty();
    view["notices"] = notices;
    if (const auto msg = req.query("msg");
        msg && (*msg == "created" || *msg == "saved" || *msg == "inspected" || *msg == "progress"))
        view["notice"] = req.t("msg_" + *msg);
    ui.render(req, "site_detail", view, 200);
}

void progressEntry(WebUi& ui, Request& req) {
    const auto site = loadSite(ui, req, Action::WriteRecord);
    const std::string base = "/burial-sites/" + std::to_string(site.id);
    // Only the same status or the next step may be chosen, as the domain allows.
    std::vector<std::pair<std::string, std::string>> statuses{{"", req.t("status_unchanged")}};
    for (const auto& e : domain::EnumTraits<BurialSiteStatus>::entries)
        if (e.value > site.status && !domain::checkStatusChange(site.status, e.value))
            statuses.emplace_back(std::string(e.code), std::string(req.en() ? e.en : e.zh));
    Form form({
        {"date", "progress_date", FieldKind::Date, true, {}, ""},
        {"graves_handled", "graves_handled_now", FieldKind::Integer, true, {}, "hint_graves_handled_now"},
        {"status", "progress_status", FieldKind::Select, false, statuses, ""},
        {"note", "note", FieldKind::TextArea, false, {}, ""},
        evidenceField("files", "evidence_photos"),
    });
    const std::string title = req.t("progress_new_title") + " " + site.code;
    mstch::map view{{"title", title}, {"site", siteView(req, site)}, {"multipart", true}};
    if (req.request().getMethod() == "GET") {
        form.set("date", domain::todayUtc());
        return showForm(ui, req, form, base + "/progress/new", base, "", 200, view);
    }
    // Its photos as a notice's answer takes them (Evidence.h): all checked before any is stored.
    Evidence evidence(ui, req, "files");
    try {
        service::BurialSites(ui.services()).appendProgress(req.principal(), site.id, [&] {
            form.fillFrom(req);
            domain::Validator decodeErrors;
            auto entry = codec::decodeProgressEntry(*form.toJson(), decodeErrors);
            entry.attachmentIds = evidence.upload();
            return service::Draft<domain::ProgressEntry>{std::move(entry), decodeErrors.take()};
        });
        return ui.redirect(req, base + "?msg=progress");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors(), evidenceErrors("files"));
    } catch (const service::RefusedByPlugin& e) {
        form.addError("", req.t("refused_by_rule") + e.messageZh());
    }
    view["kept"] = evidence.keptField();
    showForm(ui, req, form, base + "/progress/new", base, "", 422, view);
}

} // namespace

void addBurialSitePages(WebUi& ui) {
    ui.get("/burial-sites", [&ui](Request& req) { list(ui, req); });
    ui.get("/burial-sites/new", [&ui](Request& req) { create(ui, req); });
    ui.post("/burial-sites/new", [&ui](Request& req) { create(ui, req); });
    ui.get("/burial-sites/{id}", [&ui](Request& req) { detail(ui, req); });
    ui.get("/burial-sites/{id}/edit", [&ui](Request& req) { edit(ui, req); });
    ui.post("/burial-sites/{id}/edit", [&ui](Request& req) { edit(ui, req); });
    ui.get("/burial-sites/{id}/progress/new", [&ui](Request& req) { progressEntry(ui, req); });
    ui.post("/burial-sites/{id}/progress/new", [&ui](Request& req) { progressEntry(ui, req); });
}

} // namespace registry::web
