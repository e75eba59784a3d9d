#include "service/Facilities.h"

#include "service/RecordChecks.h"
#include "service/AsStored.h"
#include "service/Permissions.h"
#include "service/Authenticator.h"
#include "service/StoreErrors.h"
#include "store/UserRepository.h"

namespace registry::service {

Page<domain::Facility> Facilities::list(const Principal& who, FacilityFilter filter, const PageRequest& page) {
    if (isOperator(who)) {
        // Its own facility (when it matches the other filters), and never a district's list.
        if (filter.district && filter.district != who.district) throw NotFound("facility");
        filter.id = who.facilityId.value_or(0);
        filter.district.reset();
    } else {
        filter.district = listScope(who, filter.district);
    }
    return store::FacilityRepository(_c.db).list(filter, page);
}

domain::Facility Facilities::get(const Principal& who, long long id) {
    auto facility = store::FacilityRepository(_c.db).get(id);
    if (!facility) throw NotFound("facility");
    requireFacility(who, Action::Read, facility->id, facility->district);
    return std::move(*facility);
}

domain::Facility Facilities::getForWrite(const Principal& who, long long id) {
    auto facility = store::FacilityRepository(_c.db).get(id);
    if (!facility) throw NotFound("facility");
    require(who, Action::WriteRecord, facility->district);
    return std::move(*facility);
}

namespace {
void refuseByRules(Context& c, const domain::Facility& facility) {
    if (!c.checks) return;
    if (auto refusal = c.checks->validateFacility(facility)) throw RefusedByPlugin(*refusal);
}
/// The checks of the facility as it will be stored, before its transaction (their findings are stored in it).
service::RecordChecks::Verdict runChecks(Context& c, const domain::Facility& facility) {
    return c.checks ? c.checks->checkFacility(facility) : service::RecordChecks::Verdict{};
}
} // namespace

Written<domain::Facility> Facilities::create(const Principal& who, const DraftSource<domain::Facility>& source) {
    requireOwn(who, Action::WriteRecord);
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    require(who, Action::WriteRecord, draft.value.district);
    refuseByRules(_c, draft.value);
    auto verdict = runChecks(_c, asCreated(draft.value));
    auto created = storeWrite<domain::Facility>(
        [&] { return store::FacilityRepository(_c.db).create(draft.value, who.username, verdict.toStore); });
    return {std::move(created), std::move(verdict.reported)};
}

Written<domain::Facility> Facilities::update(const Principal& who, long long id,
                                             const DraftSource<domain::Facility>& source) {
    const auto current = getForWrite(who, id);
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    require(who, Action::WriteRecord, draft.value.district); // moving it needs the target district too
    draft.value.id = current.id;
    refuseByRules(_c, draft.value);
    auto verdict = runChecks(_c, asUpdated(draft.value, current, draft.expectedVersion));
    auto updated = storeWrite<domain::Facility>([&] {
        return store::FacilityRepository(_c.db).update(draft.value, draft.expectedVersion, who.username, verdict.toStore);
    });
    // Its operators moved with it: no cached principal keeps the old district.
    if (updated.district != current.district && _c.authenticator)
        for (const auto id : store::UserRepository(_c.db).operatorsOf(updated.id)) _c.authenticator->forgetUser(id);
    return {std::move(updated), std::move(verdict.reported)};
}

} // namespace registry::service
