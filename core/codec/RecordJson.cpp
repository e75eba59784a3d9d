#include "codec/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace registry::codec {

using Poco::JSON::Object;
using namespace registry::domain;

namespace {

template <class T> void setOptional(Object& o, const std::string& key, const std::optional<T>& value) {
    if (value)
        o.set(key, *value);
    else
        o.set(key, Poco::Dynamic::Var());
}

template <class E> void setOptionalEnum(Object& o, const std::string& key, const std::optional<E>& value) {
    if (value)
        o.set(key, toString(*value));
    else
        o.set(key, Poco::Dynamic::Var());
}

} // namespace

Object::Ptr toJson(const Facility& f) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", f.id);
    o->set("code", f.code);
    o->set("name", f.name);
    o->set("kind", toString(f.kind));
    o->set("district", f.district);
    o->set("address", f.address);
    o->set("operator", f.operatorName);
    o->set("approval_no", f.approvalNo);
    o->set("status", toString(f.status));
    setOptionalEnum(*o, "plan_action", f.planAction);
    setOptionalEnum(*o, "plan_phase", f.planPhase);
    setOptional(*o, "capacity_total", f.capacityTotal);
    setOptional(*o, "capacity_used", f.capacityUsed);
    setOptional(*o, "area_m2", f.areaM2);
    setOptional(*o, "lat", f.lat);
    setOptional(*o, "lon", f.lon);
    o->set("notes", f.notes);
    o->set("version", f.version);
    o->set("created_at", f.createdAt);
    o->set("updated_at", f.updatedAt);
    return o;
}

Object::Ptr toJson(const BurialSite& s) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", s.id);
    o->set("code", s.code);
    o->set("kind", toString(s.kind));
    o->set("district", s.district);
    o->set("township", s.township);
    o->set("village", s.village);
    o->set("location", s.location);
    setOptional(*o, "lat", s.lat);
    setOptional(*o, "lon", s.lon);
    o->set("grave_count", s.graveCount);
    o->set("graves_handled", s.gravesHandled);
    Poco::JSON::Array::Ptr zones = new Poco::JSON::Array;
    for (auto z : s.zones) zones->add(toString(z));
    o->set("zones", zones);
    o->set("protected_relic", s.protectedRelic);
    setOptionalEnum(*o, "measure", s.measure);
    o->set("status", toString(s.status));
    o->set("target_date", s.targetDate);
    o->set("responsible_unit", s.responsibleUnit);
    o->set("version", s.version);
    o->set("created_at", s.createdAt);
    o->set("updated_at", s.updatedAt);
    return o;
}

Object::Ptr toJson(const ProgressEntry& e) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", e.id);
    o->set("site_id", e.siteId);
    o->set("date", e.date);
    o->set("graves_handled", e.gravesHandled);
    setOptionalEnum(*o, "status", e.status);
    o->set("note", e.note);
    o->set("recorded_by", e.recordedBy);
    o->set("created_at", e.createdAt);
    return o;
}

Object::Ptr toJson(const PriceRecord& p) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", p.id);
    o->set("facility_id", p.facilityId);
    o->set("item", p.item);
    o->set("amount_fen", p.amountFen);
    o->set("unit", p.unit);
    o->set("effective_from", p.effectiveFrom);
    setOptional(*o, "effective_to", p.effectiveTo);
    o->set("displayed", p.displayed);
    o->set("bundled", p.bundled);
    Object::Ptr attributes = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (p.areaM2) attributes->set("area_m2", *p.areaM2);
    if (p.termYears) attributes->set("term_years", *p.termYears);
    o->set("attributes", attributes);
    o->set("source", toString(p.source));
    o->set("note", p.note);
    setOptional(*o, "superseded_by", p.supersededBy);
    o->set("recorded_by", p.recordedBy);
    o->set("created_at", p.createdAt);
    o->set("version", p.version);
    return o;
}

Object::Ptr toJson(const ReferencePrice& r) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", r.id);
    o->set("item", r.item);
    setOptional(*o, "district", r.district);
    o->set("cap_fen", r.capFen);
    o->set("effective_from", r.effectiveFrom);
    setOptional(*o, "effective_to", r.effectiveTo);
    o->set("basis", r.basis);
    o->set("version", r.version);
    o->set("created_at", r.createdAt);
    o->set("updated_at", r.updatedAt);
    return o;
}

Object::Ptr toJson(const Inspection& i) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", i.id);
    o->set("subject_type", toString(i.subjectType));
    o->set("subject_id", i.subjectId);
    o->set("district", i.district);
    o->set("date", i.date);
    o->set("result", toString(i.result));
    Poco::JSON::Parser parser;
    o->set("checklist", parser.parse(i.checklistJson.empty() ? "{}" : i.checklistJson));
    o->set("notes", i.notes);
    o->set("inspector", i.inspector);
    o->set("created_at", i.createdAt);
    o->set("version", i.version);
    return o;
}

Object::Ptr toJson(const User& u) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", u.id);
    o->set("username", u.username);
    o->set("display_name", u.displayName);
    o->set("role", toString(u.role));
    setOptional(*o, "district", u.district);
    o->set("active", u.active);
    o->set("version", u.version);
    o->set("created_at", u.createdAt);
    o->set("updated_at", u.updatedAt);
    return o;
}

Object::Ptr toJson(const AuditRun& r) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", r.id);
    o->set("trigger", toString(r.trigger));
    setOptional(*o, "district", r.district);
    o->set("status", toString(r.status));
    o->set("records_total", r.recordsTotal);
    o->set("records_checked", r.recordsChecked);
    o->set("findings_new", r.findingsNew);
    o->set("findings_resolved", r.findingsResolved);
    o->set("plugin_errors", r.pluginErrors);
    setOptional(*o, "started_at", r.startedAt);
    setOptional(*o, "finished_at", r.finishedAt);
    setOptional(*o, "scheduled_for", r.scheduledFor);
    o->set("audit_date", r.auditDate);
    o->set("requested_by", r.requestedBy);
    o->set("runner", r.runner);
    o->set("created_at", r.createdAt);
    o->set("cancel_requested", r.cancelRequested);
    o->set("error", r.error);
    return o;
}

Object::Ptr toJson(const Finding& f) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", f.id);
    o->set("plugin", f.plugin);
    o->set("plugin_version", f.pluginVersion);
    o->set("rule", f.rule);
    o->set("severity", toString(f.severity));
    o->set("subject_type", toString(f.subjectType));
    o->set("subject_id", f.subjectId);
    setOptional(*o, "district", f.district);
    o->set("message", f.message);
    Poco::Dynamic::Var details;
    try {
        details = Poco::JSON::Parser().parse(f.detailsJson.empty() ? "{}" : f.detailsJson);
    } catch (const Poco::Exception&) {
        details = f.detailsJson; // stored by an older version as plain text: shown as it is
    }
    o->set("details", details);
    o->set("status", toString(f.status));
    o->set("status_note", f.statusNote);
    o->set("status_by", f.statusBy);
    o->set("first_seen_at", f.firstSeenAt);
    o->set("last_seen_at", f.lastSeenAt);
    setOptional(*o, "audit_id", f.auditId);
    setOptional(*o, "resolved_by_audit_id", f.resolvedByAuditId);
    o->set("version", f.version);
    return o;
}

Object::Ptr toJson(const FieldError& e, bool english) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("field", e.field);
    o->set("code", e.code);
    o->set("message", english ? e.messageEn : e.messageZh);
    return o;
}

std::string stringify(const Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

} // namespace registry::codec
