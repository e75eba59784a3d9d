#pragma once
// Historical burial sites and scattered graves: create (code assigned), get, list with the API's filters
// (including overdue), update with optimistic concurrency and forward-only status, and the append-only
// progress log whose sum is the site's graves_handled.

#include "domain/BurialSite.h"
#include "domain/Finding.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace registry::store {

struct BurialSiteFilter {
    std::optional<std::string> district;
    std::optional<domain::BurialSiteKind> kind;
    std::optional<domain::BurialSiteStatus> status;
    std::optional<domain::Measure> measure;
    /// Past target_date (before `today`) and neither completed nor accepted.
    bool overdueOnly = false;
    std::string today; // YYYY-MM-DD, used with overdueOnly; defaults to today in UTC
};

class BurialSiteRepository {
public:
    BurialSiteRepository(Database& db, domain::PlanWindow window = {}) : _db(db), _window(std::move(window)) {}

    /// New sites start at the status given (default surveyed); target_date defaults to the plan's end.
    /// `findings` (here, in update and appendProgress): the checks' findings of the site as it will be
    /// stored, written in the same transaction.
    domain::BurialSite create(const domain::BurialSite& site, const std::string& actor,
                              const std::vector<domain::Finding>& findings = {});
    std::optional<domain::BurialSite> get(long long id);
    Page<domain::BurialSite> list(const BurialSiteFilter& filter, const PageRequest& page);

    /// Throws NotFound, ValidationFailed (including a status that is not the same or the next step), or
    /// Conflict<BurialSite>.
    domain::BurialSite update(const domain::BurialSite& changed, long long expectedVersion, const std::string& actor,
                              const std::vector<domain::Finding>& findings = {});

    /// Appends a progress entry (and moves the status if the entry names one) in one transaction; returns
    /// the stored entry and the site after it. Throws NotFound or ValidationFailed.
    std::pair<domain::ProgressEntry, domain::BurialSite> appendProgress(const domain::ProgressEntry& entry,
                                                                        const std::string& actor,
                                                                        const std::vector<domain::Finding>& findings = {});
    std::vector<domain::ProgressEntry> progress(long long siteId);
    /// The site a progress entry belongs to; nullopt when there is no such entry.
    std::optional<long long> siteOfProgress(long long entryId);

    const domain::PlanWindow& window() const { return _window; }

private:
    Database& _db;
    domain::PlanWindow _window;
};

/// Internal to core/store: reads one site (with graves_handled) inside an open session.
std::optional<domain::BurialSite> loadBurialSite(Database::Session& session, long long id, bool lockForUpdate = false);

} // namespace registry::store
