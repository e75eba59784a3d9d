#pragma once
// What the dashboard shows, counted for one scope (a district, or the whole city): facilities by kind and
// by plan action, open and acknowledged findings by severity, burial-site progress per district, and the
// last audit.

#include "domain/Audit.h"
#include "store/Database.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {

/// Rows per stored value (an enumeration's API string; "" for a missing one). Values without rows are absent.
using CountsByKey = std::map<std::string, long long>;

/// One district's burial sites against the three-year plan.
struct DistrictSiteProgress {
    std::string district;
    long long sites = 0;     // burial sites
    long long sitesDone = 0; // completed or accepted
    long long graves = 0;    // graves on them
    long long handled = 0;   // graves handled, the sum of their progress logs
};

struct DashboardTallies {
    CountsByKey facilityKinds;
    CountsByKey planActions;
    CountsByKey openSeverities; // findings that are open or acknowledged
    std::vector<DistrictSiteProgress> sites; // in district order
};

class DashboardCounts {
public:
    explicit DashboardCounts(Database& db) : _db(db) {}

    /// Every count of `district` (nullopt: the city) on one connection.
    DashboardTallies tallies(const std::optional<std::string>& district);

    /// The latest audit run of `district` (citywide runs count for every district), in any status.
    std::optional<domain::AuditRun> lastAudit(const std::optional<std::string>& district);

private:
    Database& _db;
};

} // namespace registry::store
