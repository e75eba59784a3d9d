#pragma once
// Historical burial sites and scattered graves: their forward-only rectification status and the
// append-only progress log.

#include "domain/BurialSite.h"
#include "service/Context.h"
#include "store/BurialSiteRepository.h"

namespace registry::service {

using BurialSiteFilter = store::BurialSiteFilter;

/// A progress entry as stored, the site after it, and what the district rules found about the site.
struct ProgressWritten {
    domain::ProgressEntry entry;
    domain::BurialSite site;
    std::vector<plugins::Finding> checks;
};

class BurialSites {
public:
    explicit BurialSites(Context context) : _c(std::move(context)) {}

    Page<domain::BurialSite> list(const Principal& who, BurialSiteFilter filter, const PageRequest& page);
    domain::BurialSite get(const Principal& who, long long id);
    domain::BurialSite getForWrite(const Principal& who, long long id);

    /// A site without a target date gets the plan's end.
    Written<domain::BurialSite> create(const Principal& who, const DraftSource<domain::BurialSite>& draft);
    /// An edit without a target date keeps the current one; the status moves one step at most, and to
    /// `accepted` only for those who may accept.
    Written<domain::BurialSite> update(const Principal& who, long long id,
                                       const DraftSource<domain::BurialSite>& draft);

    std::vector<domain::ProgressEntry> progress(const Principal& who, long long siteId);
    /// The district's rules judge the site as it will be after the entry.
    ProgressWritten appendProgress(const Principal& who, long long siteId,
                                   const DraftSource<domain::ProgressEntry>& draft);

    const domain::PlanWindow& window() const { return _c.window; }

private:
    store::BurialSiteRepository repository() { return store::BurialSiteRepository(_c.db, _c.window); }
    Context _c;
};

} // namespace registry::service
