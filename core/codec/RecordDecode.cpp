#include "codec/RecordDecode.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <limits>
#include <sstream>

namespace registry::codec {

using Poco::JSON::Object;
using namespace registry::domain;

JsonReader::JsonReader(const Object& object, Validator& errors) : _object(object), _errors(errors) {}

bool JsonReader::present(const std::string& field) const { return _object.has(field) && !_object.isNull(field); }

std::vector<long long> JsonReader::idList(const std::string& field, bool required) {
    _seen.insert(field);
    std::vector<long long> out;
    if (!present(field)) {
        if (required) missing(field);
        return out;
    }
    const auto value = _object.get(field);
    if (value.type() != typeid(Poco::JSON::Array::Ptr)) {
        typeError(field, "编号数组", "an array of ids");
        return out;
    }
    const auto array = value.extract<Poco::JSON::Array::Ptr>();
    if (array->size() > 1000) {
        _errors.add(field, "too_many", field + " 最多 1000 项", field + " has at most 1000 items");
        return out;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto item = array->get(static_cast<unsigned>(i));
        long long id = 0;
        bool ok = item.isInteger() && !item.isBoolean();
        if (ok) {
            try {
                id = item.convert<Poco::Int64>();
            } catch (const Poco::Exception&) {
                ok = false;
            }
        }
        if (!ok || id <= 0) {
            _errors.add(field, "type", field + " 的每一项须为正整数编号", field + " must hold positive whole-number ids");
            return {};
        }
        out.push_back(id);
    }
    return out;
}

void JsonReader::typeError(const std::string& field, const std::string& zhType, const std::string& enType) {
    _errors.add(field, "type", field + " 的类型错误,应为" + zhType, field + " must be " + enType);
}

void JsonReader::missing(const std::string& field) {
    _errors.add(field, "required", field + " 为必填项", field + " is required");
}

std::string JsonReader::text(const std::string& field, bool required) {
    _seen.insert(field);
    if (!present(field)) {
        if (required) missing(field);
        return "";
    }
    const auto value = _object.get(field);
    if (!value.isString()) {
        typeError(field, "文本", "a string");
        return "";
    }
    return value.extract<std::string>();
}

std::optional<std::string> JsonReader::optionalText(const std::string& field) {
    _seen.insert(field);
    if (!present(field)) return std::nullopt;
    const auto value = _object.get(field);
    if (!value.isString()) {
        typeError(field, "文本", "a string");
        return std::nullopt;
    }
    return value.extract<std::string>();
}

std::optional<long long> JsonReader::integer(const std::string& field, bool required) {
    _seen.insert(field);
    if (!present(field)) {
        if (required) missing(field);
        return std::nullopt;
    }
    const auto value = _object.get(field);
    if (value.isInteger() && !value.isBoolean()) {
        try {
            return value.convert<Poco::Int64>();
        } catch (const Poco::Exception&) {
            // An unsigned value past the signed range.
        }
        _errors.add(field, "max", field + " 超出可接受的范围", field + " is out of range");
        return std::nullopt;
    }
    if (value.isNumeric() && !value.isBoolean()) {
        const double d = value.convert<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<long long>(d);
        _errors.add(field, "type", field + " 应为整数", field + " must be a whole number");
        return std::nullopt;
    }
    typeError(field, "整数", "a whole number");
    return std::nullopt;
}

std::optional<double> JsonReader::number(const std::string& field, bool required) {
    _seen.insert(field);
    if (!present(field)) {
        if (required) missing(field);
        return std::nullopt;
    }
    const auto value = _object.get(field);
    if (!value.isNumeric() || value.isBoolean()) {
        typeError(field, "数值", "a number");
        return std::nullopt;
    }
    const double d = value.convert<double>();
    if (!std::isfinite(d)) {
        _errors.add(field, "max", field + " 超出可接受的范围", field + " is out of range");
        return std::nullopt;
    }
    return d;
}

std::optional<bool> JsonReader::boolean(const std::string& field, bool required) {
    _seen.insert(field);
    if (!present(field)) {
        if (required) missing(field);
        return std::nullopt;
    }
    const auto value = _object.get(field);
    if (!value.isBoolean()) {
        typeError(field, "布尔值 true 或 false", "true or false");
        return std::nullopt;
    }
    return value.extract<bool>();
}

Object::Ptr JsonReader::object(const std::string& field) {
    _seen.insert(field);
    if (!present(field)) return nullptr;
    if (_object.get(field).type() != typeid(Object::Ptr)) {
        typeError(field, "JSON 对象", "a JSON object");
        return nullptr;
    }
    return _object.getObject(field);
}

void JsonReader::ignore(std::initializer_list<const char*> fields) {
    for (const char* f : fields) _seen.insert(f);
}

void JsonReader::rejectUnknown() {
    for (const auto& name : _object.getNames())
        if (!_seen.count(name))
            _errors.add(name, "unknown", "未知字段:" + name, "unknown field: " + name);
}

namespace {
// Server-assigned fields a client may send back unchanged from a GET.
// ("checks" comes back with a write's answer and may be sent back with it.)
const std::initializer_list<const char*> readOnly{"id", "code", "version", "created_at", "updated_at", "checks"};
} // namespace

Facility decodeFacility(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    Facility f;
    f.name = r.text("name", true);
    if (auto kind = r.enumeration<FacilityKind>("kind", true)) f.kind = *kind;
    f.district = r.text("district", true);
    f.address = r.text("address", false);
    f.operatorName = r.text("operator", false);
    f.approvalNo = r.text("approval_no", false);
    if (auto status = r.enumeration<FacilityStatus>("status", false)) f.status = *status;
    f.planAction = r.enumeration<PlanAction>("plan_action", false);
    f.planPhase = r.enumeration<PlanPhase>("plan_phase", false);
    f.capacityTotal = r.integer("capacity_total", false);
    f.capacityUsed = r.integer("capacity_used", false);
    f.areaM2 = r.number("area_m2", false);
    f.lat = r.number("lat", false);
    f.lon = r.number("lon", false);
    f.notes = r.text("notes", false);
    r.ignore(readOnly);
    r.rejectUnknown();
    return f;
}

BurialSite decodeBurialSite(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    BurialSite s;
    if (auto kind = r.enumeration<BurialSiteKind>("kind", true)) s.kind = *kind;
    s.district = r.text("district", true);
    s.township = r.text("township", true);
    s.village = r.text("village", false);
    s.location = r.text("location", false);
    s.lat = r.number("lat", false);
    s.lon = r.number("lon", false);
    if (auto count = r.integer("grave_count", true)) s.graveCount = *count;
    if (r.present("zones")) {
        const auto value = body.get("zones");
        if (value.type() != typeid(Poco::JSON::Array::Ptr)) {
            errors.add("zones", "type", "zones 的类型错误,应为数组", "zones must be an array");
        } else {
            for (const auto& item : *body.getArray("zones")) {
                auto zone = item.isString() ? parseEnum<Zone>(item.extract<std::string>()) : std::nullopt;
                if (!zone) {
                    errors.add("zones", "enum", "zones 含无效的区域,可选值:" + allowedValues<Zone>(),
                               "zones must only hold: " + allowedValues<Zone>());
                    break;
                }
                s.zones.push_back(*zone);
            }
        }
    }
    r.ignore({"zones", "graves_handled"});
    if (auto relic = r.boolean("protected_relic", false)) s.protectedRelic = *relic;
    s.measure = r.enumeration<Measure>("measure", false);
    if (auto status = r.enumeration<BurialSiteStatus>("status", false)) s.status = *status;
    s.targetDate = r.text("target_date", false);
    s.responsibleUnit = r.text("responsible_unit", false);
    r.ignore(readOnly);
    r.rejectUnknown();
    return s;
}

ProgressEntry decodeProgressEntry(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    ProgressEntry e;
    e.date = r.text("date", true);
    if (auto n = r.integer("graves_handled", true)) e.gravesHandled = *n;
    e.status = r.enumeration<BurialSiteStatus>("status", false);
    e.note = r.text("note", false);
    for (const auto id : r.idList("attachment_ids", false)) e.attachmentIds.push_back(id);
    r.rejectUnknown();
    return e;
}

PriceRecord decodePriceRecord(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    PriceRecord p;
    if (auto id = r.integer("facility_id", true)) p.facilityId = *id;
    p.item = r.text("item", true);
    if (auto amount = r.integer("amount_fen", true)) p.amountFen = *amount;
    p.unit = r.text("unit", false);
    p.effectiveFrom = r.text("effective_from", true);
    if (auto displayed = r.boolean("displayed", true)) p.displayed = *displayed;
    if (auto bundled = r.boolean("bundled", true)) p.bundled = *bundled;
    if (auto attributes = r.object("attributes")) {
        Validator nested;
        JsonReader a(*attributes, nested);
        p.areaM2 = a.number("area_m2", false);
        p.termYears = a.integer("term_years", false);
        a.rejectUnknown();
        for (auto e : nested.take()) {
            e.field = "attributes." + e.field;
            errors.add(std::move(e));
        }
    }
    if (auto source = r.enumeration<PriceSource>("source", true)) p.source = *source;
    p.note = r.text("note", false);
    r.ignore({"id", "version", "created_at", "effective_to", "superseded_by", "recorded_by", "checks"});
    r.rejectUnknown();
    return p;
}

ReferencePrice decodeReferencePrice(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    ReferencePrice ref;
    ref.item = r.text("item", true);
    ref.district = r.optionalText("district");
    if (auto cap = r.integer("cap_fen", true)) ref.capFen = *cap;
    ref.effectiveFrom = r.text("effective_from", true);
    ref.effectiveTo = r.optionalText("effective_to");
    ref.basis = r.text("basis", true);
    r.ignore(readOnly);
    r.rejectUnknown();
    return ref;
}

Inspection decodeInspection(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    Inspection i;
    if (auto type = r.enumeration<SubjectType>("subject_type", true)) i.subjectType = *type;
    if (auto id = r.integer("subject_id", true)) i.subjectId = *id;
    i.date = r.text("date", true);
    if (auto result = r.enumeration<InspectionResult>("result", true)) i.result = *result;
    if (auto checklist = r.object("checklist")) {
        std::ostringstream out;
        checklist->stringify(out);
        i.checklistJson = out.str();
    }
    i.notes = r.text("notes", false);
    for (const auto id : r.idList("attachment_ids", false)) i.attachmentIds.push_back(id);
    r.ignore({"id", "version", "created_at", "district", "inspector", "attachments"});
    r.rejectUnknown();
    return i;
}

Notice decodeNotice(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    Notice n;
    if (auto type = r.enumeration<SubjectType>("subject_type", true)) n.subjectType = *type;
    if (auto id = r.integer("subject_id", true)) n.subjectId = *id;
    for (const auto id : r.idList("finding_ids", true)) n.findingIds.push_back(id);
    n.requirements = r.text("requirements", true);
    n.deadline = r.text("deadline", true);
    r.ignore({"id", "number", "district", "status", "overdue", "version", "created_at", "updated_at"});
    r.rejectUnknown();
    return n;
}

NoticeResponse decodeNoticeResponse(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    NoticeResponse out;
    out.text = r.text("text", true);
    for (const auto id : r.idList("attachment_ids", false)) out.attachmentIds.push_back(id);
    r.rejectUnknown();
    return out;
}

NoticeVerification decodeNoticeVerification(const Object& body, Validator& errors) {
    JsonReader r(body, errors);
    NoticeVerification out;
    out.result = r.enumeration<VerificationResult>("result", true);
    out.note = r.text("note", false);
    out.deadline = r.optionalText("deadline");
    for (const auto id : r.idList("attachment_ids", false)) out.attachmentIds.push_back(id);
    r.rejectUnknown();
    return out;
}

User decodeUser(const Object& body, Validator& errors, bool creating, std::optional<std::string>& password) {
    JsonReader r(body, errors);
    User u;
    u.username = r.text("username", creating);
    u.displayName = r.text("display_name", false);
    if (auto role = r.enumeration<Role>("role", true)) u.role = *role;
    u.district = r.optionalText("district");
    u.facilityId = r.integer("facility_id", false);
    // "" (an emptied form field) is no address, as null is.
    u.email = r.optionalText("email");
    if (u.email && u.email->empty()) u.email.reset();
    if (auto active = r.boolean("active", false)) u.active = *active;
    password = r.optionalText("password");
    if (creating && !password) errors.add("password", "required", "password 为必填项", "password is required");
    r.ignore(readOnly);
    r.rejectUnknown();
    return u;
}

} // namespace registry::codec
