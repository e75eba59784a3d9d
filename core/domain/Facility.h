#pragma once
// A funeral facility (殡葬设施) under the 2021–2035 special plan.

#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>

namespace registry::domain {

struct Facility {
    std::int64_t id = 0;
    std::string code; // server-assigned, "F-110108-0007"
    std::string name;
    FacilityKind kind = FacilityKind::FuneralHome;
    std::string district;
    std::string address;
    std::string operatorName; // API field "operator"
    std::string approvalNo;
    FacilityStatus status = FacilityStatus::Operating;
    std::optional<PlanAction> planAction;
    std::optional<PlanPhase> planPhase;
    std::optional<std::int64_t> capacityTotal; // plots / niches
    std::optional<std::int64_t> capacityUsed;
    std::optional<double> areaM2;
    std::optional<double> lat;
    std::optional<double> lon;
    std::string notes;
    std::int64_t version = 0;
    std::string createdAt;
    std::string updatedAt;
};

/// Every field error of a facility as a client submitted it (server-assigned fields are not checked).
FieldErrors validate(const Facility& facility);

} // namespace registry::domain
