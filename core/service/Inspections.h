#pragma once
// Inspections of facilities and burial sites, with their checklists.

#include "domain/Inspection.h"
#include "service/Context.h"
#include "store/InspectionRepository.h"

namespace registry::service {

using InspectionFilter = store::InspectionFilter;

class Inspections {
public:
    explicit Inspections(Context context) : _c(std::move(context)) {}

    Page<domain::Inspection> list(const Principal& who, InspectionFilter filter, const PageRequest& page);
    domain::Inspection get(const Principal& who, long long id);
    /// The subject decides the district: another district's subject is refused before any field talk.
    domain::Inspection create(const Principal& who, const DraftSource<domain::Inspection>& draft);

    /// The district of a facility or burial site; nullopt when there is no such record.
    std::optional<std::string> subjectDistrict(domain::SubjectType type, long long id);

private:
    Context _c;
};

} // namespace registry::service
