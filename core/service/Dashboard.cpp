#include "service/Dashboard.h"

#include "domain/Dates.h"
#include "service/Permissions.h"

namespace registry::service {

std::optional<std::string> Dashboard::scope(const Principal& who, const std::optional<std::string>& requested) {
    return listScope(who, requested);
}

DashboardTallies Dashboard::tallies(const Principal& who, const std::optional<std::string>& district) {
    return store::DashboardCounts(_c.db).tallies(listScope(who, district),
                                                 {_today, domain::addDays(_today, dueSoonDays)});
}

std::optional<domain::AuditRun> Dashboard::lastAudit(const Principal& who, const std::optional<std::string>& district) {
    return store::DashboardCounts(_c.db).lastAudit(listScope(who, district));
}

} // namespace registry::service
