#include "service/Findings.h"

#include "service/Permissions.h"
#include "service/StoreErrors.h"

namespace registry::service {

namespace {
/// The findings `who` may list: an operator's own facility's (asking for another district's finds none of
/// it), anyone else's district's.
void scope(const Principal& who, FindingFilter& filter) {
    if (isOperator(who)) {
        // Its facility's findings, wherever they were first seen (a facility may have moved district since).
        if (filter.district && filter.district != who.district) throw NotFound("finding");
        filter.district.reset();
        filter.facilityId = who.facilityId.value_or(0);
    } else {
        filter.district = listScope(who, filter.district);
    }
}
} // namespace

Page<domain::Finding> Findings::list(const Principal& who, FindingFilter filter, const PageRequest& page) {
    scope(who, filter);
    return store::FindingRepository(_c.db).list(filter, page);
}

domain::Finding Findings::get(const Principal& who, long long id) {
    store::FindingRepository findings(_c.db);
    auto finding = findings.get(id);
    if (!finding) throw NotFound("finding");
    if (isOperator(who)) {
        const auto facility = findings.facilityOf(*finding);
        if (!facility) throw NotFound("finding");
        requireFacility(who, Action::Read, *facility, finding->district.value_or(""));
    } else {
        require(who, Action::Read, finding->district);
    }
    return std::move(*finding);
}

std::vector<domain::Finding> Findings::ofSubject(const Principal& who, domain::SubjectType type, long long id, int limit) {
    FindingFilter filter;
    filter.subjectType = type;
    filter.subjectId = id;
    scope(who, filter);
    PageRequest page;
    page.limit = limit;
    return store::FindingRepository(_c.db).list(filter, page).items;
}

namespace {
void validateChange(const StatusChange& change, domain::FieldErrors decodeErrors) {
    failIfInvalid(mergeErrors(std::move(decodeErrors), change.status ? domain::validateStatusChange(*change.status, change.note)
                                                                      : domain::FieldErrors{}));
    if (!change.status)
        throw Invalid({{"status", "required", "必须填写 status", "status is required"}});
}
} // namespace

domain::Finding Findings::setStatus(const Principal& who, long long id, const DraftSource<StatusChange>& source) {
    const auto finding = store::FindingRepository(_c.db).get(id);
    if (!finding) throw NotFound("finding");
    require(who, Action::ChangeFindingStatus, finding->district);
    auto draft = source();
    validateChange(draft.value, std::move(draft.decodeErrors));
    return storeWrite<domain::Finding>([&] {
        return store::FindingRepository(_c.db).setStatus(finding->id, *draft.value.status, draft.value.note, who.username);
    });
}

std::size_t Findings::setStatuses(const Principal& who, const std::vector<long long>& ids, const StatusChange& change) {
    requireOwn(who, Action::ChangeFindingStatus);
    validateChange(change, {});
    store::FindingRepository findings(_c.db);
    for (const auto id : ids) {
        const auto finding = findings.get(id);
        if (!finding) throw NotFound("finding");
        require(who, Action::ChangeFindingStatus, finding->district);
    }
    for (const auto id : ids)
        storeWrite<domain::Finding>([&] { return findings.setStatus(id, *change.status, change.note, who.username); });
    return ids.size();
}

} // namespace registry::service
