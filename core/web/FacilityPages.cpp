// Facilities: list with filters, search and cursor pages; detail with current prices and their history,
// inspections, findings and change history; create and edit forms (a stale edit shows what changed and
// may be re-applied); price entry showing the plugin checks of the saved record at once; the inspection
// form with its checklist (for facilities and burial sites).

#include "codec/RecordDecode.h"
#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "store/BurialSiteRepository.h"
#include "store/Errors.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/InspectionRepository.h"
#include "store/PriceRepository.h"
#include "web/Forms.h"
#include "web/Views.h"

#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>

namespace registry::web {
namespace {

using auth::Action;

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

domain::Facility loadFacility(WebUi& ui, Request& req, Action action, const std::string& param = "id") {
    const auto facility = store::FacilityRepository(ui.api().db).get(req.id(param));
    if (!facility) throw store::NotFound("facility");
    req.require(action, facility->district); // another district's: 404 to read, 403 to write
    return *facility;
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
    store::FacilityFilter filter;
    filter.district = req.listDistrict(req.query("district"));
    filter.kind = req.queryEnum<domain::FacilityKind>("kind");
    filter.status = req.queryEnum<domain::FacilityStatus>("status");
    filter.planAction = req.queryEnum<domain::PlanAction>("plan_action");
    filter.q = req.query("q").value_or("");
    const auto page = store::FacilityRepository(ui.api().db).list(filter, req.page());
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

/// Decodes and validates the posted facility; the errors go into the form.
std::optional<domain::Facility> decodePosted(Request& req, Form& form) {
    form.fillFrom(req);
    domain::Validator decodeErrors;
    auto facility = codec::decodeFacility(*form.toJson(), decodeErrors);
    const auto errors = mergeErrors(decodeErrors, domain::validate(facility));
    form.addErrors(req, errors);
    if (!form.ok()) return std::nullopt;
    return facility;
}

void create(WebUi& ui, Request& req) {
    req.require(Action::WriteRecord);
    Form form = facilityForm(req);
    if (req.request().getMethod() == "GET") {
        form.set("status", "operating");
        if (req.session->user.district) form.set("district", *req.session->user.district);
        return showForm(ui, req, form, "/facilities/new", "/facilities", "facility_new_title", 200);
    }
    auto facility = decodePosted(req, form);
    if (facility) {
        req.require(Action::WriteRecord, facility->district);
        if (ui.api().checks)
            if (auto refusal = ui.api().checks->validateFacility(*facility)) form.addError("", req.t("refused_by_rule") + refusal->c_str());
    }
    if (facility && form.ok()) {
        try {
            const auto created = store::FacilityRepository(ui.api().db).create(*facility, req.principal().username);
            if (ui.api().checks) ui.api().checks->checkFacility(created);
            return ui.redirect(req, "/facilities/" + std::to_string(created.id) + "?msg=created");
        } catch (const store::ValidationFailed& e) {
            form.addErrors(req, e.errors());
        }
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
    auto changed = decodePosted(req, form);
    if (changed) {
        req.require(Action::WriteRecord, changed->district);
        changed->id = current.id;
        if (ui.api().checks)
            if (auto refusal = ui.api().checks->validateFacility(*changed)) form.addError("", req.t("refused_by_rule") + *refusal);
    }
    if (changed && form.ok()) {
        try {
            const auto updated =
                store::FacilityRepository(ui.api().db).update(*changed, expected, req.principal().username);
            if (ui.api().checks) ui.api().checks->checkFacility(updated);
            return ui.redirect(req, cancel + "?msg=saved");
        } catch (const store::ValidationFailed& e) {
            form.addErrors(req, e.errors());
        } catch (const store::Conflict<domain::Facility>& e) {
            // Someone saved first: show what they changed; the form keeps what this user typed and now
            // carries the current version, so submitting it again re-applies the user's values on top.
            view["conflict"] = conflictView(ui, req, form, "facility", current.id, expected, *codec::toJson(e.current()), "");
            view["version"] = std::to_string(e.current().version);
            return showForm(ui, req, form, action, cancel, "facility_edit_title", 409, view);
        }
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
    store::PriceRepository prices(ui.api().db);
    mstch::array current, priceFindings;
    for (const auto& p : prices.currentForFacility(f.id)) {
        auto row = priceView(req, p);
        mstch::array history;
        for (const auto& h : prices.history(f.id, p.item))
            if (h.id != p.id) history.push_back(priceView(req, h));
        row["history"] = history;
        row["has_history"] = !history.empty();
        current.push_back(row);
        for (auto& finding : findingsOf(ui, req, domain::SubjectType::Price, p.id)) priceFindings.push_back(finding);
    }
    auto findings = findingsOf(ui, req, domain::SubjectType::Facility, f.id);
    for (auto& finding : priceFindings) findings.push_back(finding);
    mstch::map view{
        {"facility", facilityView(req, f)},
        {"prices", current},
        {"has_prices", !current.empty()},
        {"findings", findings},
        {"has_findings", !findings.empty()},
        {"inspections", inspectionsOf(ui, req, domain::SubjectType::Facility, f.id)},
        {"history", historyView(req, ui.api().db, "facility", f.id, kFacilityLabels)},
        {"may_write", auth::decide(req.principal(), Action::WriteRecord, f.district) == auth::Decision::Allow},
    };
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
    domain::Validator decodeErrors;
    auto price = codec::decodePriceRecord(*body, decodeErrors);
    const std::map<std::string, std::string> renamed{
        {"amount_fen", "amount_yuan"}, {"attributes.area_m2", "area_m2"}, {"attributes.term_years", "term_years"}};
    if (!badAmount)
        form.addErrors(req, mergeErrors(decodeErrors, domain::validate(price)), renamed);
    if (form.ok() && ui.api().checks)
        if (auto refusal = ui.api().checks->validatePrice(price)) form.addError("", req.t("refused_by_rule") + *refusal);
    if (form.ok()) {
        try {
            const auto created = store::PriceRepository(ui.api().db).create(price, req.principal().username);
            // The checks of the saved record, at once: stored as findings and shown here in plain words.
            mstch::array checks;
            bool violation = false;
            if (ui.api().checks) {
                const auto results = ui.api().checks->checkPrice(created);
                for (std::size_t i = 0; i < results->size(); ++i) {
                    const auto c = results->getObject(static_cast<unsigned>(i));
                    const auto severity = domain::parseEnum<domain::Severity>(c->optValue<std::string>("severity", "info"));
                    violation = violation || severity == domain::Severity::Violation;
                    checks.push_back(mstch::map{
                        {"severity", severity ? enumLabel(req, *severity) : c->optValue<std::string>("severity", "")},
                        {"severity_code", c->optValue<std::string>("severity", "")},
                        {"message", plainMessage(req, c->optValue<std::string>("message", ""))},
                        {"rule", c->optValue<std::string>("plugin", "") + " / " + c->optValue<std::string>("rule", "")}});
                }
            }
            mstch::map view{{"price", priceView(req, created)}, {"facility", facilityView(req, f)},
                            {"checks", checks}, {"has_checks", !checks.empty()}, {"violation", violation}};
            return ui.render(req, "price_saved", view, 200, "price_saved_title");
        } catch (const store::ValidationFailed& e) {
            form.addErrors(req, e.errors(), renamed);
        }
    }
    showForm(ui, req, form, action, cancel, "", 422, mstch::map{{"title", title}});
}

void priceDetail(WebUi& ui, Request& req) {
    store::PriceRepository prices(ui.api().db);
    const auto p = prices.get(req.id());
    if (!p) throw store::NotFound("price");
    const auto f = store::FacilityRepository(ui.api().db).get(p->facilityId);
    req.require(Action::Read, f ? std::optional<std::string>(f->district) : std::nullopt);
    mstch::array history;
    for (const auto& h : prices.history(p->facilityId, p->item)) history.push_back(priceView(req, h));
    mstch::map view{{"price", priceView(req, *p)},
                    {"history", history},
                    {"findings", findingsOf(ui, req, domain::SubjectType::Price, p->id)}};
    if (f) view["facility"] = facilityView(req, *f);
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
        const auto s = store::BurialSiteRepository(ui.api().db, ui.api().window).get(id);
        if (!s) throw store::NotFound("burial site");
        req.require(Action::WriteRecord, s->district);
        district = s->district;
        name = s->code + " " + s->township + s->village;
        back = "/burial-sites/" + std::to_string(id);
    }
    const auto& checkKeys = type == domain::SubjectType::Facility ? kFacilityChecks : kSiteChecks;
    Form form({
        {"date", "inspection_date", FieldKind::Date, true, {}, ""},
        {"result", "inspection_result", FieldKind::Select, true, enumOptions<domain::InspectionResult>(req, true), ""},
        {"notes", "notes", FieldKind::TextArea, false, {}, "hint_inspection_notes"},
    });
    std::map<std::string, std::string> answers;
    std::string checklistError;
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
        domain::Validator decodeErrors;
        auto record = codec::decodeInspection(*body, decodeErrors);
        form.addErrors(req, mergeErrors(decodeErrors, domain::validate(record)));
        if (!checklistError.empty()) form.addError("", checklistError);
        if (form.ok()) {
            try {
                store::InspectionRepository(ui.api().db).create(record, req.principal().username);
                return ui.redirect(req, back + "?msg=inspected");
            } catch (const store::ValidationFailed& e) {
                form.addErrors(req, e.errors());
            }
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
                    {"cancel", back}};
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
