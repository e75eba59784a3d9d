#pragma once
// The dashboard's figures for a scope the principal may see: facilities by kind and plan action,
// burial-site progress, open findings by severity, and the last audit.

#include "service/Context.h"
#include "store/DashboardCounts.h"

#include <optional>
#include <string>

namespace registry::service {

using DashboardTallies = store::DashboardTallies;
using CountsByKey = store::CountsByKey;

class Dashboard {
public:
    explicit Dashboard(Context context) : _c(std::move(context)) {}

    /// The district shown: a district principal's own (another is NotAllowed); what a citywide one asked
    /// for (nullopt: the city).
    std::optional<std::string> scope(const Principal& who, const std::optional<std::string>& requested);
    DashboardTallies tallies(const Principal& who, const std::optional<std::string>& district);
    /// The latest audit of the scope (citywide runs count for every district), in any status.
    std::optional<domain::AuditRun> lastAudit(const Principal& who, const std::optional<std::string>& district);

private:
    Context _c;
};

} // namespace registry::service
