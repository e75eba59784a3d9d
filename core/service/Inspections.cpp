#include "service/Inspections.h"

#include "service/Permissions.h"
#include "service/StoreErrors.h"
#include "store/BurialSiteRepository.h"
#include "store/FacilityRepository.h"

namespace registry::service {

Page<domain::Inspection> Inspections::list(const Principal& who, InspectionFilter filter, const PageRequest& page) {
    filter.district = listScope(who, filter.district);
    return store::InspectionRepository(_c.db).list(filter, page);
}

domain::Inspection Inspections::get(const Principal& who, long long id) {
    auto inspection = store::InspectionRepository(_c.db).get(id);
    if (!inspection) throw NotFound("inspection");
    require(who, Action::Read, inspection->district);
    return std::move(*inspection);
}

std::optional<std::string> Inspections::subjectDistrict(domain::SubjectType type, long long id) {
    if (type == domain::SubjectType::Facility) {
        if (auto f = store::FacilityRepository(_c.db).get(id)) return f->district;
    } else if (type == domain::SubjectType::BurialSite) {
        if (auto s = store::BurialSiteRepository(_c.db, _c.window).get(id)) return s->district;
    }
    return std::nullopt;
}

domain::Inspection Inspections::create(const Principal& who, const DraftSource<domain::Inspection>& source) {
    requireOwn(who, Action::WriteRecord);
    auto draft = source();
    auto& inspection = draft.value;
    bool subjectDecoded = inspection.subjectId > 0;
    for (const auto& e : draft.decodeErrors) subjectDecoded = subjectDecoded && e.field != "subject_id" && e.field != "subject_type";
    if (subjectDecoded)
        if (const auto district = subjectDistrict(inspection.subjectType, inspection.subjectId))
            require(who, Action::WriteRecord, district);
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(inspection)));
    return storeWrite<domain::Inspection>(
        [&] { return store::InspectionRepository(_c.db).create(inspection, who.username); });
}

} // namespace registry::service
