// Facilities: list with filters, search and cursor pages; detail with current prices and their history,
// inspections, findings and change history; create and edit forms (a stale edit shows what changed and
// may be re-applied); price entry showing the plugin checks of the saved record at once; the inspection
// form with its checklist (for facilities and burial sites).

#include "codec/RecordDecode.h"
#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "service/Refusal.h"
#include "service/BurialSites.h"
#include "service/Facilities.h"
#include "service/Inspections.h"
#include "service/Permissions.h"
#include "service/Prices.h"
#include "web/Forms.h"
#include "web/Evidence.h"
#include "web/Views.h"

#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>

namespace registry::web {
namespace {

using service::Action;

const std::map<std::string, std::string> kFacilityLabels{
    {"name", "facility_name"}, {"kind", "facility_kind"}, {"district", "district"}, {"address", "address"},
    {"operator", "operator"}, {"approval_no", "approval_no"}, {"status", "facility_status"},
    {"plan_action", "plan_action"}, {"plan_phase", "plan_phase"}, {"capacity_total", "capacity_total"},
    {"capacity_used", "capacity_used"}, {"area_m2", "area_m2"}, {"lat", "lat"}, {"lon", "lon"}, {"notes", "notes"},
    {"code", "code"}};

Form facilityForm(const Request& req) {
    return Form({
        {"name", "facility_name", FieldKind::Text, true, {}, ""},
        {"kind", "facility_kind", FieldKind::Select, true, enumOptions<domain::FacilityKind>(req, true), ""},
        {"district", "district", FieldKind::Select, true, districtOptions(req, true), ""},
        {"status", "facility_status", FieldKind::Select, true, enumOptions<domain::FacilityStatus>(req, true), ""},
        {"address", "address", FieldKind::Text, false, {}, ""},
        {"operator", "operator", FieldKind::Text, false, {}, ""},
        {"approval_no", "approval_no", FieldKind::Text, false, {}, ""},
        {"plan_action", "plan_action", FieldKind::Select, false, enumOptions<domain::PlanAction>(req, false), ""},
        {"plan_phase", "plan_phase", FieldKind::Select, false, enumOptions<domain::PlanPhase>(req, false), ""},
        {"capacity_total", "capacity_total", FieldKind::Integer, false, {}, "hint_capacity"},
        {"capacity_used", "capacity_used", FieldKind::Integer, false, {}, ""},
        {"area_m2", "area_m2", FieldKind::Number, false, {}, ""},
        {"lat", "lat", FieldKind::Number, false, {}, "hint_location"},
        {"lon", "lon", FieldKind::Number, false, {}, ""},
        {"notes", "notes", FieldKind::TextArea, false, {}, ""},
    });
}

/// Another district's facility: 404 to read, 403 to write.
domain::Facility loadFacility(WebUi& ui, Request& req, Action action) {
    service::Facilities facilities(ui.services());
    return action == Action::Read ? facilities.get(req.principal(), req.id()) : facilities.getForWrite(req.principal(), req.id());
}

mstch::map facilityView(const Request& req, const domain::Facility& f) {
    return mstch::map{
        {"id", std::to_string(f.id)},
        {"code", f.code},
        {"name", f.name},
        {"kind", enumLabel(req, f.kind)},
        {"district", districtName(req, f.district)},
        {"status", enumLabel(req, f.status)},
        {"plan_action", f.planAction ? enumLabel(req, *f.planAction) : std::string("—")},
        {"plan_phase", f.planPhase ? enumLabel(req, *f.planPhase) : std::string("—")},
        {"address", f.address},
        {"operator", f.operatorName},
        {"approval_no", f.approvalNo},
        {"capacity", f.capacityTotal ? std::to_string(f.capacityUsed.value_or(0)) + " / " + std::to_string(*f.capacityTotal)
                                     : std::string("—")},
        {"notes", f.notes},
        {"version", std::to_string(f.version)},
        {"updated_at", timeText(req, f.updatedAt)},
    };
}

void list(WebUi& ui, Request& req) {
    service::FacilityFilter filter;
    filter.district = req.query("district");
    filter.kind = req.queryEnum<domain::FacilityKind>("kind");
    filter.status = req.queryEnum<domain::FacilityStatus>("status");
    filter.planAction = req.queryEnum<domain::PlanAction>("plan_action");
    filter.q = req.query("q").value_or("");
    const auto page = service::Facilities(ui.services()).list(req.principal(), filter, req.page());
    mstch::array rows;
    for (const auto& f : page.items) rows.push_back(facilityView(req, f));
    Form filters({
        {"q", "search", FieldKind::Text, false, {}, ""},
        {"district", "district", FieldKind::Select, false, districtOptions(req, false), ""},
        {"kind", "facility_kind", FieldKind::Select, false, enumOptions<domain::FacilityKind>(req, false), ""},
        {"status", "facility_status", FieldKind::Select, false, enumOptions<domain::FacilityStatus>(req, false), ""},
        {"plan_action", "plan_action", FieldKind::Select, false, enumOptions<domain::PlanAction>(req, false), ""},
    });
    for (const auto* name : {"q", "district", "kind", "status", "plan_action"})
        filters.set(name, req.query(name).value_or(""));
    mstch::map view{{"rows", rows}, {"empty", rows.empty()}, {"next", nextPageLink(req, page.nextAfterId)}};
    filters.into(req, view);
    ui.render(req, "facility_list", view, 200, "facilities_title");
}

/// The posted facility as the use case takes it (the errors of decoding included).
service::Draft<domain::Facility> postedDraft(Request& req, Form& form, long long expected = 0) {
    form.fillFrom(req);
    domain::Validator decodeErrors;
    auto facility = codec::decodeFacility(*form.toJson(), decodeErrors);
    return {std::move(facility), decodeErrors.take(), expected};
}

void create(WebUi& ui, Request& req) {
    Form form = facilityForm(req);
    if (req.request().getMethod() == "GET") {
        service::requireOwn(req.principal(), Action::WriteRecord);
        form.set("status", "operating");
        if (req.session->user.district) form.set("district", *req.session->user.district);
        return showForm(ui, req, form, "/facilities/new", "/facilities", "facility_new_title", 200);
    }
    try {
        const auto created = service::Facilities(ui.services()).create(req.principal(), [&] { return postedDraft(req, form); });
        return ui.redirect(req, "/facilities/" + std::to_string(created.record.id) + "?msg=created");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors());
    } catch (const service::RefusedByPlugin& e) {
        form.addError("", req.t("refused_by_rule") + e.messageZh());
    }
    showForm(ui, req, form, "/facilities/new", "/facilities", "facility_new_title", 422);
}

void edit(WebUi& ui, Request& req) {
    const auto current = loadFacility(ui, req, Action::WriteRecord);
    const std::string action = "/facilities/" + std::to_string(current.id) + "/edit";
    const std::string cancel = "/facilities/" + std::to_string(current.id);
    Form form = facilityForm(req);
    mstch::map view{{"version", std::to_string(current.version)}};
    if (req.request().getMethod() == "GET") {
        form.fill(*codec::toJson(current));
        return showForm(ui, req, form, action, cancel, "facility_edit_title", 200, view);
    }
    const long long expected = postedVersion(req);
    view["version"] = std::to_string(expected);
    try {
        service::Facilities(ui.services()).update(req.principal(), current.id, [&] { return postedDraft(req, form, expected); });
        return ui.redirect(req, cancel + "?msg=saved");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors());
    } catch (const service::RefusedByPlugin& e) {
        form.addError("", req.t("refused_by_rule") + e.messageZh());
    } catch (const service::Conflict<domain::Facility>& e) {
        // Someone saved first: show what they changed; the form keeps what this user typed and now
        // carries the current version, so submitting it again re-applies the user's values on top.
        view["conflict"] = conflictView(ui, req, form, "facility", current.id, expected, *codec::toJson(e.current()), "");
        view["version"] = std::to_string(e.current().version);
        return showForm(ui, req, form, action, cancel, "facility_edit_title", 409, view);
    }
    showForm(ui, req, form, action, cancel, "facility_edit_title", 422, view);
}

mstch::map priceView(const Request& req, const domain::PriceRecord& p) {
    const auto* item = domain::findPriceItem(p.item);
    return mstch::map{
        {"id", std::to_string(p.id)},
        {"item", item ? (req.en() ? item->nameEn : item->nameZh) : p.item},
        {"item_code", p.item},
        {"amount", yuan(p.amountFen)},
        {"unit", req.en() ? p.unit : domain::unitZh(p.unit)},
        {"effective_from", p.effectiveFrom},
        {"effective_to", p.effectiveTo.value_or("")},
        {"displayed", p.displayed},
        {"bundled", p.bundled},
        {"source", enumLabel(req, p.source)},
        {"note", p.note},
        {"recorded_by", p.recordedBy},
    };
}

void detail(WebUi& ui, Request& req) {
    const auto f = loadFacility(ui, req, Action::Read);
    service::Prices prices(ui.services());
    mstch::array current, priceFindings;
    for (const auto& p : prices.currentForFacility(req.principal(), f.id)) {
        auto row = priceView(req, p);
        mstch::array history;
        for (const auto& h : prices.history(req.principal(), f.id, p.item))
            if (h.id != p.id) history.push_back(priceView(req, h));
        row["history"] = history;
        row["has_history"] = !history.empty();
        current.push_back(row);
        for (auto& finding : findingsOf(ui, req, domain::SubjectType::Price, p.id)) priceFindings.push_back(finding);
    }
    auto findings = findingsOf(ui, req, domain::SubjectType::Facility, f.id);
    for (auto& finding : priceFindings) findings.push_back(finding);
    // An operator sees its facility, prices and findings; the bureau's inspections and change log are not
    // its to read.
    const bool staff = !service::isOperator(req.principal());
    mstch::map view{
        {"facility", facilityView(req, f)},
        {"prices", current},
        {"has_prices", !current.empty()},
        {"findings", findings},
        {"has_findings", !findings.empty()},
        {"staff", staff},
        {"may_write", service::may(req.principal(), Action::WriteRecord, f.district)},
        {"may_file", service::decideFacility(req.principal(), Action::WriteRecord, f.id, f.district) ==
                         service::Decision::Allow},
    };
    view["may_issue"] = service::may(req.principal(), Action::IssueNotice, f.district);
    view["subject_type"] = std::string("facility");
    view["subject_id"] = std::to_string(f.id);
    const auto notices = noticesOf(ui, req, domain::SubjectType::Facility, f.id);
    view["has_notices"] = !notices.empty();
    view["notices"] = notices;
    if (staff) {
        view["inspections"] = inspectionsOf(ui, req, domain::SubjectType::Facility, f.id);
        view["history"] = historyView(ui, req, "facility", f.id, kFacilityLabels);
    } else {
        view["operator_hint"] = req.t("operator_home_hint");
    }
    if (const auto msg = req.query("msg"); msg && (*msg == "created" || *msg == "saved" || *msg == "inspected"))
        view["notice"] = req.t("msg_" + *msg);
    mstch::map page{{"title", f.name}};
    for (auto& [k, v] : view) page[k] = v;
    ui.render(req, "facility_detail", page, 200);
}

// --- prices --------------------------------------------------------------------------------------------

Form priceForm(const Request& req) {
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& item : domain::priceItems())
        items.emplace_back(item.code, (req.en() ? item.nameEn : item.nameZh) + "(" +
                                          (req.en() ? item.unit : domain::unitZh(item.unit)) + ")");
    return Form({
        {"item", "price_item", FieldKind::Select, true, items, ""},
        {"amount_yuan", "amount_yuan", FieldKind::Text, true, {}, "hint_amount_yuan"},
        {"effective_from", "effective_from", FieldKind::Date, true, {}, ""},
        {"displayed", "displayed", FieldKind::Checkbox, false, {}, ""},
        {"bundled", "bundled", FieldKind::Checkbox, false, {}, ""},
        {"source", "price_source", FieldKind::Select, true, enumOptions<domain::PriceSource>(req, true), ""},
        {"area_m2", "plot_area_m2", FieldKind::Number, false, {}, "hint_cemetery_only"},
        {"term_years", "term_years", FieldKind::Integer, false, {}, "hint_cemetery_only"},
        {"note", "note", FieldKind::TextArea, false, {}, "hint_price_note"},
    });
}

void priceEntry(WebUi& ui, Request& req) {
    const auto f = loadFacility(ui, req, Action::WriteRecord);
    const std::string action = "/facilities/" + std::to_string(f.id) + "/prices/new";
    const std::string cancel = "/facilities/" + std::to_string(f.id);
    Form form = priceForm(req);
    const std::string title = req.t("price_new_title") + ":" + f.name;
    if (req.request().getMethod() == "GET") {
        form.set("effective_from", domain::todayUtc());
        form.set("source", "inspection");
        form.set("displayed", "true");
        if (auto item = req.query("item")) form.set("item", *item);
        return showForm(ui, req, form, action, cancel, "", 200, mstch::map{{"title", title}});
    }
    form.fillFrom(req);
    // The form asks for yuan, as a price list shows it; the API's record holds fen.
    bool badAmount = false;
    const auto body = priceRecordJson(*form.toJson(), f.id, badAmount);
    if (badAmount) form.addError("amount_yuan", req.t("err_amount_yuan"));
    const std::map<std::string, std::string> renamed{
        {"amount_fen", "amount_yuan"}, {"attributes.area_m2", "area_m2"}, {"attributes.term_years", "term_years"}};
    if (!badAmount) {
        try {
            const auto created = service::Prices(ui.services()).create(req.principal(), [&] {
                domain::Validator decodeErrors;
                auto price = codec::decodePriceRecord(*body, decodeErrors);
                return service::Draft<domain::PriceRecord>{std::move(price), decodeErrors.take()};
            });
            // The checks of the saved record, at once: stored as findings and shown here in plain words.
            bool violation = false;
            const auto checks = checksView(req, created.checks, violation);
            mstch::map view{{"price", priceView(req, created.record)}, {"facility", facilityView(req, f)},
                            {"checks", checks}, {"has_checks", !checks.empty()}, {"violation", violation}};
            return ui.render(req, "price_saved", view, 200, "price_saved_title");
        } catch (const service::Invalid& e) {
            form.addErrors(req, e.errors(), renamed);
        } catch (const service::RefusedByPlugin& e) {
            form.addError("", req.t("refused_by_rule") + e.messageZh());
        }
    }
    showForm(ui, req, form, action, cancel, "", 422, mstch::map{{"title", title}});
}

void priceDetail(WebUi& ui, Request& req) {
    service::Prices prices(ui.services());
    const auto p = prices.get(req.principal(), req.id());
    const auto f = service::Facilities(ui.services()).get(req.principal(), p.facilityId);
    mstch::array history;
    for (const auto& h : prices.history(req.principal(), p.facilityId, p.item)) history.push_back(priceView(req, h));
    mstch::map view{{"price", priceView(req, p)},
                    {"history", history},
                    {"findings", findingsOf(ui, req, domain::SubjectType::Price, p.id)},
                    {"facility", facilityView(req, f)}};
    ui.render(req, "price_detail", view, 200, "price_detail_title");
}

// --- inspections ---------------------------------------------------------------------------------------

const std::vector<std::string> kFacilityChecks{"licence_shown", "prices_displayed", "no_bundled_sale",
                                               "records_complete", "fire_safety"};
const std::vector<std::string> kSiteChecks{"signage", "measure_applied", "no_new_graves", "greening", "records_complete"};

void inspection(WebUi& ui, Request& req, domain::SubjectType type) {
    std::string district, name, back;
    const long long id = req.id();
    if (type == domain::SubjectType::Facility) {
        const auto f = loadFacility(ui, req, Action::WriteRecord);
        district = f.district;
        name = f.name;
        back = "/facilities/" + std::to_string(id);
    } else {
        const auto s = service::BurialSites(ui.services()).getForWrite(req.principal(), id);
        district = s.district;
        name = s.code + " " + s.township + s.village;
        back = "/burial-sites/" + std::to_string(id);
    }
    const auto& checkKeys = type == domain::SubjectType::Facility ? kFacilityChecks : kSiteChecks;
    Form form({
        {"date", "inspection_date", FieldKind::Date, true, {}, ""},
        {"result", "inspection_result", FieldKind::Select, true, enumOptions<domain::InspectionResult>(req, true), ""},
        {"notes", "notes", FieldKind::TextArea, false, {}, "hint_inspection_notes"},
        evidenceField("files", "evidence_photos"),
    });
    std::map<std::string, std::string> answers;
    std::string checklistError;
    // Photos taken at the inspection, as a notice's answer takes them (Evidence.h).
    Evidence evidence(ui, req, "files");
    if (req.request().getMethod() == "GET") {
        form.set("date", domain::todayUtc());
        form.set("result", "pass");
    } else {
        form.fillFrom(req);
        Poco::JSON::Object::Ptr body = form.toJson();
        body->set("subject_type", domain::toString(type));
        body->set("subject_id", id);
        Poco::JSON::Object::Ptr checklist = new Poco::JSON::Object;
        for (const auto& key : checkKeys) {
            const std::string answer = req.field("check_" + key);
            if (answer == "pass" || answer == "fail" || answer == "na") {
                answers[key] = answer;
                checklist->set(key, answer);
            } else {
                checklistError = req.t("err_checklist");
            }
        }
        body->set("checklist", checklist);
        try {
            service::Inspections(ui.services()).create(req.principal(), [&] {
                domain::Validator decodeErrors;
                auto record = codec::decodeInspection(*body, decodeErrors);
                record.attachmentIds = evidence.upload();
                // An unanswered checklist line is an error of the form, shown with the record's own.
                if (!checklistError.empty()) decodeErrors.add("checklist", "required", checklistError, checklistError);
                return service::Draft<domain::Inspection>{std::move(record), decodeErrors.take()};
            });
            return ui.redirect(req, back + "?msg=inspected");
        } catch (const service::Invalid& e) {
            form.addErrors(req, e.errors(), evidenceErrors("files"));
        }
    }
    mstch::array checks;
    for (const auto& key : checkKeys) {
        mstch::array options;
        for (const auto* answer : {"pass", "fail", "na"})
            options.push_back(mstch::map{{"value", std::string(answer)},
                                         {"label", req.t(std::string("answer_") + answer)},
                                         {"id", "c-" + key + "-" + answer},
                                         {"checked", answers.count(key) && answers[key] == answer}});
        checks.push_back(mstch::map{{"key", key}, {"label", req.t("check_" + key)}, {"options", options},
                                    {"missing", !checklistError.empty() && !answers.count(key)}});
    }
    mstch::map view{{"title", req.t("inspection_new_title") + ":" + name},
                    {"checks", checks},
                    {"action", back + "/inspections/new"},
                    {"cancel", back},
                    {"kept", evidence.keptField()}};
    form.into(req, view);
    ui.render(req, "inspection_form", view, form.ok() ? 200 : 422);
}

} // namespace

void addFacilityPages(WebUi& ui) {
    ui.get("/facilities", [&ui](Request& req) { list(ui, req); });
    ui.get("/facilities/new", [&ui](Request& req) { create(ui, req); });
    ui.post("/facilities/new", [&ui](Request& req) { create(ui, req); });
    ui.get("/facilities/{id}", [&ui](Request& req) { detail(ui, req); });
    ui.get("/facilities/{id}/edit", [&ui](Request& req) { edit(ui, req); });
    ui.post("/facilities/{id}/edit", [&ui](Request& req) { edit(ui, req); });
    ui.get("/facilities/{id}/prices/new", [&ui](Request& req) { priceEntry(ui, req); });
    ui.post("/facilities/{id}/prices/new", [&ui](Request& req) { priceEntry(ui, req); });
    ui.get("/prices/{id}", [&ui](Request& req) { priceDetail(ui, req); });
    for (const auto type : {domain::SubjectType::Facility, domain::SubjectType::BurialSite}) {
        const std::string base = type == domain::SubjectType::Facility ? "/facilities" : "/burial-sites";
        ui.get(base + "/{id}/inspections/new", [&ui, type](Request& req) { inspection(ui, req, type); });
        ui.post(base + "/{id}/inspections/new", [&ui, type](Request& req) { inspection(ui, req, type); });
    }
}

} // namespace registry::web
