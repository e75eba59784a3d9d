#include "service/BurialSites.h"

#include "service/RecordChecks.h"
#include "domain/Dates.h"
#include "service/AsStored.h"
#include "service/Permissions.h"
#include "service/StoreErrors.h"

namespace registry::service {

using domain::BurialSiteStatus;

namespace {
void refuseByRules(Context& c, const domain::BurialSite& site) {
    if (!c.checks) return;
    if (auto refusal = c.checks->validateBurialSite(site)) throw RefusedByPlugin(*refusal);
}
/// The checks of the site as it will be stored, before its transaction (their findings are stored in it).
service::RecordChecks::Verdict runChecks(Context& c, const domain::BurialSite& site) {
    return c.checks ? c.checks->checkBurialSite(site) : service::RecordChecks::Verdict{};
}
} // namespace

Page<domain::BurialSite> BurialSites::list(const Principal& who, BurialSiteFilter filter, const PageRequest& page) {
    filter.district = listScope(who, filter.district);
    return repository().list(filter, page);
}

domain::BurialSite BurialSites::get(const Principal& who, long long id) {
    auto site = repository().get(id);
    if (!site) throw NotFound("burial site");
    require(who, Action::Read, site->district);
    return std::move(*site);
}

domain::BurialSite BurialSites::getForWrite(const Principal& who, long long id) {
    auto site = repository().get(id);
    if (!site) throw NotFound("burial site");
    require(who, Action::WriteRecord, site->district);
    return std::move(*site);
}

Written<domain::BurialSite> BurialSites::create(const Principal& who, const DraftSource<domain::BurialSite>& source) {
    requireOwn(who, Action::WriteRecord);
    auto draft = source();
    auto& site = draft.value;
    if (site.targetDate.empty()) site.targetDate = _c.window.end;
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(site, _c.window)));
    require(who, Action::WriteRecord, site.district);
    if (site.status == BurialSiteStatus::Accepted) require(who, Action::AcceptBurialSite, site.district);
    refuseByRules(_c, site);
    auto asStored = asCreated(site);
    asStored.gravesHandled = 0;
    auto verdict = runChecks(_c, asStored);
    auto created = storeWrite<domain::BurialSite>([&] { return repository().create(site, who.username, verdict.toStore); });
    return {std::move(created), std::move(verdict.reported)};
}

Written<domain::BurialSite> BurialSites::update(const Principal& who, long long id,
                                                const DraftSource<domain::BurialSite>& source) {
    const auto current = getForWrite(who, id);
    auto draft = source();
    auto& changed = draft.value;
    if (changed.targetDate.empty()) changed.targetDate = current.targetDate;
    auto validation = domain::validate(changed, _c.window);
    if (auto err = domain::checkStatusChange(current.status, changed.status)) validation.push_back(*err);
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), validation));
    require(who, Action::WriteRecord, changed.district);
    if (changed.status == BurialSiteStatus::Accepted && current.status != BurialSiteStatus::Accepted)
        require(who, Action::AcceptBurialSite, changed.district);
    changed.id = current.id;
    changed.gravesHandled = current.gravesHandled;
    refuseByRules(_c, changed);
    auto verdict = runChecks(_c, asUpdated(changed, current, draft.expectedVersion));
    auto updated = storeWrite<domain::BurialSite>(
        [&] { return repository().update(changed, draft.expectedVersion, who.username, verdict.toStore); });
    return {std::move(updated), std::move(verdict.reported)};
}

std::vector<domain::ProgressEntry> BurialSites::progress(const Principal& who, long long siteId) {
    const auto site = get(who, siteId);
    return repository().progress(site.id);
}

ProgressWritten BurialSites::appendProgress(const Principal& who, long long siteId,
                                            const DraftSource<domain::ProgressEntry>& source) {
    const auto site = getForWrite(who, siteId);
    auto draft = source();
    auto& entry = draft.value;
    entry.siteId = site.id;
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(entry, site)));
    if (entry.status == BurialSiteStatus::Accepted && site.status != BurialSiteStatus::Accepted)
        require(who, Action::AcceptBurialSite, site.district);
    auto future = site;
    future.gravesHandled += entry.gravesHandled;
    if (entry.status) future.status = *entry.status;
    refuseByRules(_c, future);
    if (future.status != site.status) { // as the repository stores it: only a status change is a new version
        future.version = site.version + 1;
        future.updatedAt = domain::nowTimestamp();
    }
    auto verdict = runChecks(_c, future);
    auto [stored, after] = storeWrite<domain::BurialSite>(
        [&] { return repository().appendProgress(entry, who.username, verdict.toStore); });
    return {std::move(stored), std::move(after), std::move(verdict.reported)};
}

} // namespace registry::service
