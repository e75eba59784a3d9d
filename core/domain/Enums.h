#pragma once
// The enumerations of the domain (shared/spec/DOMAIN.md) with their fixed string forms and Chinese and
// English display names. The string forms are part of the API and the plugin contract: never rename one.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry::domain {

template <class E> struct EnumEntry {
    E value;
    std::string_view code; // the API's string form
    std::string_view zh;
    std::string_view en;
};

// Specialised once per enumeration in Enums.cpp-free form below: `entries` lists every value.
template <class E> struct EnumTraits;

#define REGISTRY_ENUM_TRAITS(E, N)                                                                           \
    template <> struct EnumTraits<E> {                                                                       \
        static const std::array<EnumEntry<E>, N> entries;                                                    \
    };

enum class FacilityKind {
    FuneralHome,
    Crematorium,
    OperatingCemetery,
    PublicWelfareCemetery,
    RuralPublicWelfareCemetery,
    Columbarium,
    FuneralServiceStation
};
enum class FacilityStatus { Planned, UnderConstruction, Operating, Suspended, Closed };
enum class PlanAction { Retain, Expand, Upgrade, Relocate, NewBuild, Close };
enum class PlanPhase { P2021_2025, P2026_2030, P2031_2035 };
enum class BurialSiteKind { HistoricalBurialPoint, ScatteredGraves };
enum class Zone { Farmland, Forest, ParkScenic, WaterSource, RailHighway };
enum class Measure { Relocate, DeepBuryNoMound, GreeningScreen, RenovateUpgrade, Consolidate, RetainProtect };
// Declared in the order a site moves through: only forward, one step at a time.
enum class BurialSiteStatus { Surveyed, Planned, InProgress, Completed, Accepted };
enum class PriceCategory { Basic, Extended, Cemetery, Goods };
enum class PriceRegime { GovernmentSet, GovernmentGuided, Market };
enum class PriceSource { Inspection, SelfReport, Import };
enum class SubjectType { Facility, BurialSite, Price };
enum class InspectionResult { Pass, IssuesFound };
enum class Role { Admin, Inspector, DistrictIt, Auditor, Operator };
enum class Severity { Info, Warning, Violation, Error };
enum class FindingStatus { Open, Acknowledged, Resolved, Waived };
enum class AuditStatus { Queued, Running, Succeeded, Failed, Cancelled };
enum class AuditTrigger { Schedule, Manual };
// A rectification notice: issued → responded → verified, or back to issued with a new deadline.
enum class NoticeStatus { Issued, Responded, Verified };
enum class VerificationResult { Rectified, NotRectified };

REGISTRY_ENUM_TRAITS(FacilityKind, 7)
REGISTRY_ENUM_TRAITS(FacilityStatus, 5)
REGISTRY_ENUM_TRAITS(PlanAction, 6)
REGISTRY_ENUM_TRAITS(PlanPhase, 3)
REGISTRY_ENUM_TRAITS(BurialSiteKind, 2)
REGISTRY_ENUM_TRAITS(Zone, 5)
REGISTRY_ENUM_TRAITS(Measure, 6)
REGISTRY_ENUM_TRAITS(BurialSiteStatus, 5)
REGISTRY_ENUM_TRAITS(PriceCategory, 4)
REGISTRY_ENUM_TRAITS(PriceRegime, 3)
REGISTRY_ENUM_TRAITS(PriceSource, 3)
REGISTRY_ENUM_TRAITS(SubjectType, 3)
REGISTRY_ENUM_TRAITS(InspectionResult, 2)
REGISTRY_ENUM_TRAITS(Role, 5)
REGISTRY_ENUM_TRAITS(Severity, 4)
REGISTRY_ENUM_TRAITS(FindingStatus, 4)
REGISTRY_ENUM_TRAITS(AuditStatus, 5)
REGISTRY_ENUM_TRAITS(AuditTrigger, 2)
REGISTRY_ENUM_TRAITS(NoticeStatus, 3)
REGISTRY_ENUM_TRAITS(VerificationResult, 2)
#undef REGISTRY_ENUM_TRAITS

template <class E> const EnumEntry<E>& entryOf(E value) {
    for (const auto& e : EnumTraits<E>::entries)
        if (e.value == value) return e;
    return EnumTraits<E>::entries.front(); // unreachable: every value has an entry (tested)
}

/// The API string form of a value, e.g. `toString(FacilityKind::FuneralHome) == "funeral_home"`.
template <class E> std::string toString(E value) { return std::string(entryOf(value).code); }

/// The Chinese display name, e.g. "殡仪馆".
template <class E> std::string zhName(E value) { return std::string(entryOf(value).zh); }
template <class E> std::string enName(E value) { return std::string(entryOf(value).en); }

/// Parses an API string form; nullopt for anything else (exact, case-sensitive match).
template <class E> std::optional<E> parseEnum(std::string_view text) {
    for (const auto& e : EnumTraits<E>::entries)
        if (e.code == text) return e.value;
    return std::nullopt;
}

/// "a, b, c": the allowed string forms, for error messages.
template <class E> std::string allowedValues() {
    std::string out;
    for (const auto& e : EnumTraits<E>::entries) {
        if (!out.empty()) out += ", ";
        out += e.code;
    }
    return out;
}

template <class E> std::vector<E> allEnumValues() {
    std::vector<E> out;
    for (const auto& e : EnumTraits<E>::entries) out.push_back(e.value);
    return out;
}

} // namespace registry::domain
