#include "web/Views.h"

#include "web/Evidence.h"

#include "service/Notices.h"

#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "service/Changes.h"
#include "service/Findings.h"
#include "service/Inspections.h"
#include "web/Forms.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/String.h>

#include <set>
#include <sstream>

namespace registry::web {

std::string timeText(const audit::TimeZone& zone, const std::string& ts) {
    const auto ms = domain::parseTimestamp(ts);
    if (!ms) return ts;
    return zone.localMinute(std::chrono::system_clock::time_point(std::chrono::milliseconds(*ms)));
}

std::string timeText(const Request& req, const std::string& ts) { return timeText(req.timeZone(), ts); }

std::string plainMessage(const Request& req, const std::string& message) {
    std::string out = message;
    for (const auto& item : domain::priceItems()) {
        const auto at = out.find(item.code);
        if (at == std::string::npos) continue;
        // Whole codes only: "basic.cremation" but not a prefix of a longer code.
        const auto end = at + item.code.size();
        if (end < out.size() && (std::isalnum(static_cast<unsigned char>(out[end])) || out[end] == '_' || out[end] == '.'))
            continue;
        out.replace(at, item.code.size(), req.en() ? item.nameEn : item.nameZh);
    }
    return out;
}

std::string subjectLink(domain::SubjectType type, long long id) {
    switch (type) {
    case domain::SubjectType::Facility: return "/facilities/" + std::to_string(id);
    case domain::SubjectType::BurialSite: return "/burial-sites/" + std::to_string(id);
    case domain::SubjectType::Price: return "/prices/" + std::to_string(id);
    }
    return "";
}

mstch::map findingView(const Request& req, const domain::Finding& f) {
    const std::string link = subjectLink(f.subjectType, f.subjectId);
    return mstch::map{
        {"id", std::to_string(f.id)},
        {"severity", enumLabel(req, f.severity)},
        {"severity_code", domain::toString(f.severity)},
        {"status", enumLabel(req, f.status)},
        {"status_code", domain::toString(f.status)},
        {"is_done", f.status == domain::FindingStatus::Resolved || f.status == domain::FindingStatus::Waived},
        {"message", plainMessage(req, f.message)},
        {"rule", f.plugin + " / " + f.rule},
        {"subject", enumLabel(req, f.subjectType) + " #" + std::to_string(f.subjectId)},
        {"subject_link", link},
        {"district", f.district ? districtName(req, *f.district) : req.t("citywide")},
        {"status_note", f.statusNote},
        {"status_by", f.statusBy},
        {"last_seen", timeText(req, f.lastSeenAt)},
    };
}

namespace {
Poco::JSON::Object::Ptr parseObject(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    try {
        Poco::JSON::Parser parser;
        auto value = parser.parse(*text);
        if (value.type() == typeid(Poco::JSON::Object::Ptr)) return value.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
    }
    return nullptr;
}

const std::set<std::string> kBookkeeping{"version", "updated_at", "created_at", "graves_handled", "checks"};
} // namespace

std::string valueText(const Poco::JSON::Object& record, const std::string& field) {
    if (!record.has(field)) return "";
    const auto v = record.get(field);
    if (v.isEmpty()) return "";
    if (v.type() == typeid(bool)) return v.extract<bool>() ? "✓" : "✗";
    if (v.type() == typeid(Poco::JSON::Array::Ptr) || v.type() == typeid(Poco::JSON::Object::Ptr)) {
        std::ostringstream out;
        Poco::JSON::Stringifier::stringify(v, out);
        return out.str();
    }
    return v.convert<std::string>();
}

std::vector<std::string> changedFields(const Poco::JSON::Object& before, const Poco::JSON::Object& after) {
    std::set<std::string> names;
    for (const auto& [k, v] : before) names.insert(k);
    for (const auto& [k, v] : after) names.insert(k);
    std::vector<std::string> out;
    for (const auto& name : names)
        if (!kBookkeeping.count(name) && valueText(before, name) != valueText(after, name)) out.push_back(name);
    return out;
}

mstch::array historyView(WebUi& ui, const Request& req, const std::string& entity, long long id,
                         const std::map<std::string, std::string>& labels) {
    mstch::array out;
    for (const auto& e : service::Changes(ui.services()).ofRecord(req.principal(), entity, id)) {
        const auto before = parseObject(e.beforeJson), after = parseObject(e.afterJson);
        mstch::array changes;
        if (before && after)
            for (const auto& field : changedFields(*before, *after)) {
                const auto label = labels.find(field);
                changes.push_back(mstch::map{{"field", label == labels.end() ? field : req.t(label->second)},
                                             {"from", valueText(*before, field)},
                                             {"to", valueText(*after, field)}});
            }
        const std::string actionKey = "change_" + e.action;
        const std::string action = req.t(actionKey);
        out.push_back(mstch::map{{"at", timeText(req, e.at)},
                                 {"actor", e.actor},
                                 {"action", action == actionKey ? e.action : action},
                                 {"changes", changes},
                                 {"has_changes", !changes.empty()}});
    }
    return out;
}

void showForm(WebUi& ui, Request& req, Form& form, const std::string& action, const std::string& cancel,
              const std::string& titleKey, int status, mstch::map view) {
    form.into(req, view);
    view["action"] = action;
    view["cancel"] = cancel;
    ui.render(req, "record_form", view, status, titleKey);
}

/// The "what changed meanwhile" table of a stale edit: each field as the user opened it, as it is now,
/// and as the user typed it.
mstch::map conflictView(WebUi& ui, Request& req, Form& form, const std::string& entity, long long id,
                        long long expected, const Poco::JSON::Object& current, const std::string& changedBy) {
    // The record as the user opened it and as it is now, in the form's own terms.
    Form now = form, opened = form;
    now.fill(current);
    const auto openedRecord = service::Changes(ui.services()).recordAtVersion(req.principal(), entity, id, expected);
    opened.fill(openedRecord ? *openedRecord : current);
    mstch::array rows;
    for (const auto& f : form.fields()) {
        const std::string before = opened.value(f.name), after = now.value(f.name), mine = form.value(f.name);
        const bool theyChanged = before != after;
        const bool iChanged = mine != before;
        // A field only the other person changed takes their value: re-applying saves the user's own
        // changes on top of theirs, never silently undoing them.
        if (theyChanged && !iChanged) form.set(f.name, after);
        if (!theyChanged && !iChanged) continue;
        const auto shown = [&](const std::string& raw) {
            const std::string text = form.display(f.name, raw);
            return text.empty() ? req.t("empty_value") : text;
        };
        rows.push_back(mstch::map{{"label", req.t(f.labelKey)},
                                  {"before", shown(before)},
                                  {"now", shown(after)},
                                  {"mine", shown(iChanged ? mine : after)},
                                  {"changed", theyChanged}});
    }
    return mstch::map{{"rows", rows}, {"by", changedBy}, {"version", valueText(current, "version")}};
}

mstch::array findingsOf(WebUi& ui, const Request& req, domain::SubjectType type, long long id) {
    mstch::array out;
    for (const auto& f : service::Findings(ui.services()).ofSubject(req.principal(), type, id)) out.push_back(findingView(req, f));
    return out;
}

mstch::array inspectionsOf(WebUi& ui, const Request& req, domain::SubjectType type, long long id) {
    service::InspectionFilter filter;
    filter.subjectType = type;
    filter.subjectId = id;
    service::PageRequest page;
    page.limit = 100;
    mstch::array out;
    for (const auto& i : service::Inspections(ui.services()).list(req.principal(), filter, page).items) {
        mstch::array checks;
        try {
            Poco::JSON::Parser parser;
            const auto parsed = parser.parse(i.checklistJson).extract<Poco::JSON::Object::Ptr>();
            for (const auto& [key, value] : *parsed) {
                const std::string answer = value.isString() ? value.extract<std::string>() : value.toString();
                const std::string label = req.t("check_" + key);
                const std::string answerLabel = req.t("answer_" + answer);
                checks.push_back(mstch::map{{"label", label == "check_" + key ? key : label},
                                            {"answer", answerLabel == "answer_" + answer ? answer : answerLabel},
                                            {"bad", answer == "fail"}});
            }
        } catch (const Poco::Exception&) {
        }
        out.push_back(mstch::map{{"date", i.date},
                                 {"result", enumLabel(req, i.result)},
                                 {"issues", i.result == domain::InspectionResult::IssuesFound},
                                 {"inspector", i.inspector},
                                 {"notes", i.notes},
                                 {"checks", checks},
                                 {"files", attachmentsView(i.attachments, domain::AttachmentPurpose::Inspection)},
                                 {"has_files", !i.attachments.empty()}});
    }
    return out;
}

mstch::array checksView(const Request& req, const std::vector<plugins::Finding>& checks, bool& violation) {
    mstch::array out;
    for (const auto& c : checks) {
        violation = violation || c.severity == domain::Severity::Violation;
        out.push_back(mstch::map{{"severity", req.en() ? domain::enName(c.severity) : domain::zhName(c.severity)},
                                 {"severity_code", domain::toString(c.severity)},
                                 {"message", plainMessage(req, c.message)},
                                 {"rule", c.plugin + " / " + c.rule}});
    }
    return out;
}

mstch::array noticesOf(WebUi& ui, const Request& req, domain::SubjectType type, long long id) {
    service::NoticeFilter filter;
    filter.subjectType = type;
    filter.subjectId = id;
    service::PageRequest page;
    page.limit = 50;
    mstch::array out;
    for (const auto& n : service::Notices(ui.services(), ui.api().todayDate()).list(req.principal(), filter, {}, page).items)
        out.push_back(mstch::map{{"id", std::to_string(n.id)},
                                 {"number", n.number},
                                 {"status", req.en() ? domain::enName(n.status) : domain::zhName(n.status)},
                                 {"deadline", n.deadline},
                                 {"overdue", n.isOverdue},
                                 {"status_code", domain::toString(n.status)}});
    return out;
}

} // namespace registry::web
