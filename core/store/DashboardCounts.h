#pragma once
// What the dashboard shows, counted for one scope (a district, or the whole city): facilities by kind and
// by plan action, open and acknowledged findings by severity, burial-site progress and rectification
// notices per district, and the last audit.

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

/// One district's rectification notices on a day; every count leaves verified notices out.
struct DistrictNoticeCounts {
    std::string district;
    long long open = 0;    // issued or responded
    long long overdue = 0; // deadline before the day
    long long dueSoon = 0; // deadline from the day on, before the end of the window
};

struct DashboardTallies {
    CountsByKey facilityKinds;
    CountsByKey planActions;
    CountsByKey openSeverities; // findings that are open or acknowledged
    std::vector<DistrictSiteProgress> sites; // in district order
    std::vector<DistrictNoticeCounts> notices; // in district order; districts without open notices absent
};

/// The days that the notice counts take: `today`, and the first day past the "due soon" window.
struct NoticeDays {
    std::string today;
    std::string dueBefore;
};

class DashboardCounts {
public:
    explicit DashboardCounts(Database& db) : _db(db) {}

    /// Every count of `district` (nullopt: the city) on one connection; notices dated by `days`.
    DashboardTallies tallies(const std::optional<std::string>& district, const NoticeDays& days);

    /// The latest audit run of `district` (citywide runs count for every district), in any status.
    std::optional<domain::AuditRun> lastAudit(const std::optional<std::string>& district);

private:
    Database& _db;
};

} // namespace registry::store
