#pragma once
// The fields of a record, in API order, written to any sink: the one list behind codec::toJson (a
// Poco::JSON object for API responses, the change log and exports) and the plugin host's Lua tables
// (plugins/LuaRecord), so that a record reads the same to a client and to a plugin.
//
// A sink has:
//   void text(const char* key, std::string_view value);
//   void integer(const char* key, std::int64_t value);
//   void number(const char* key, double value);
//   void boolean(const char* key, bool value);
//   void null(const char* key);
//   template <class F> void object(const char* key, F&& fields);  // fields(sink) writes the members
//   void textList(const char* key, const std::vector<std::string_view>& values);

#include "domain/BurialSite.h"
#include "domain/Enums.h"
#include "domain/Facility.h"
#include "domain/Price.h"

#include <optional>
#include <string_view>
#include <vector>

namespace registry::codec {

namespace fields {

template <class E> std::string_view code(E value) { return domain::entryOf(value).code; }

template <class Sink> void optionalText(Sink& out, const char* key, const std::optional<std::string>& value) {
    if (value)
        out.text(key, *value);
    else
        out.null(key);
}
template <class Sink> void optionalInteger(Sink& out, const char* key, const std::optional<std::int64_t>& value) {
    if (value)
        out.integer(key, *value);
    else
        out.null(key);
}
template <class Sink> void optionalNumber(Sink& out, const char* key, const std::optional<double>& value) {
    if (value)
        out.number(key, *value);
    else
        out.null(key);
}
template <class Sink, class E> void optionalCode(Sink& out, const char* key, const std::optional<E>& value) {
    if (value)
        out.text(key, code(*value));
    else
        out.null(key);
}

} // namespace fields

template <class Sink> void writeFields(const domain::Facility& f, Sink& out) {
    out.integer("id", f.id);
    out.text("code", f.code);
    out.text("name", f.name);
    out.text("kind", fields::code(f.kind));
    out.text("district", f.district);
    out.text("address", f.address);
    out.text("operator", f.operatorName);
    out.text("approval_no", f.approvalNo);
    out.text("status", fields::code(f.status));
    fields::optionalCode(out, "plan_action", f.planAction);
    fields::optionalCode(out, "plan_phase", f.planPhase);
    fields::optionalInteger(out, "capacity_total", f.capacityTotal);
    fields::optionalInteger(out, "capacity_used", f.capacityUsed);
    fields::optionalNumber(out, "area_m2", f.areaM2);
    fields::optionalNumber(out, "lat", f.lat);
    fields::optionalNumber(out, "lon", f.lon);
    out.text("notes", f.notes);
    out.integer("version", f.version);
    out.text("created_at", f.createdAt);
    out.text("updated_at", f.updatedAt);
}

template <class Sink> void writeFields(const domain::BurialSite& s, Sink& out) {
    out.integer("id", s.id);
    out.text("code", s.code);
    out.text("kind", fields::code(s.kind));
    out.text("district", s.district);
    out.text("township", s.township);
    out.text("village", s.village);
    out.text("location", s.location);
    fields::optionalNumber(out, "lat", s.lat);
    fields::optionalNumber(out, "lon", s.lon);
    out.integer("grave_count", s.graveCount);
    out.integer("graves_handled", s.gravesHandled);
    std::vector<std::string_view> zones;
    zones.reserve(s.zones.size());
    for (auto z : s.zones) zones.push_back(fields::code(z));
    out.textList("zones", zones);
    out.boolean("protected_relic", s.protectedRelic);
    fields::optionalCode(out, "measure", s.measure);
    out.text("status", fields::code(s.status));
    out.text("target_date", s.targetDate);
    out.text("responsible_unit", s.responsibleUnit);
    out.integer("version", s.version);
    out.text("created_at", s.createdAt);
    out.text("updated_at", s.updatedAt);
}

template <class Sink> void writeFields(const domain::PriceRecord& p, Sink& out) {
    out.integer("id", p.id);
    out.integer("facility_id", p.facilityId);
    out.text("item", p.item);
    out.integer("amount_fen", p.amountFen);
    out.text("unit", p.unit);
    out.text("effective_from", p.effectiveFrom);
    fields::optionalText(out, "effective_to", p.effectiveTo);
    out.boolean("displayed", p.displayed);
    out.boolean("bundled", p.bundled);
    out.object("attributes", [&](auto& attributes) {
        if (p.areaM2) attributes.number("area_m2", *p.areaM2);
        if (p.termYears) attributes.integer("term_years", *p.termYears);
    });
    out.text("source", fields::code(p.source));
    out.text("note", p.note);
    fields::optionalInteger(out, "superseded_by", p.supersededBy);
    out.text("recorded_by", p.recordedBy);
    out.text("created_at", p.createdAt);
    out.integer("version", p.version);
}

} // namespace registry::codec
