#pragma once
// The dashboard's figures for a scope the principal may see: facilities by kind and plan action,
// burial-site progress, open findings by severity, rectification notices per district (open, overdue, due
// within the next week, dated on the same today as service::Notices), and the last audit.

#include "service/Context.h"
#include "store/DashboardCounts.h"

#include <optional>
#include <string>

namespace registry::service {

using DashboardTallies = store::DashboardTallies;
using CountsByKey = store::CountsByKey;

class Dashboard {
public:
    /// Notices within this many days of today (today included) count as due soon.
    static constexpr int dueSoonDays = 7;

    /// `today`: YYYY-MM-DD, as service::Notices takes it (clock.today, or the date in audit.timezone).
    Dashboard(Context context, std::string today) : _c(std::move(context)), _today(std::move(today)) {}

    /// The district shown: a district principal's own (another is NotAllowed); what a citywide one asked
    /// for (nullopt: the city).
    std::optional<std::string> scope(const Principal& who, const std::optional<std::string>& requested);
    DashboardTallies tallies(const Principal& who, const std::optional<std::string>& district);
    /// The latest audit of the scope (citywide runs count for every district), in any status.
    std::optional<domain::AuditRun> lastAudit(const Principal& who, const std::optional<std::string>& district);

private:
    Context _c;
    std::string _today;
};

} // namespace registry::service
