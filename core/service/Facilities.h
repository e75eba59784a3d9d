#pragma once
// Funeral facilities: list, read, register, edit. No delete: a facility is closed by its status.

#include "domain/Facility.h"
#include "service/Context.h"
#include "store/FacilityRepository.h"

namespace registry::service {

using FacilityFilter = store::FacilityFilter;

class Facilities {
public:
    explicit Facilities(Context context) : _c(std::move(context)) {}

    /// `filter.district` is what was asked for; a district principal sees only their own.
    Page<domain::Facility> list(const Principal& who, FacilityFilter filter, const PageRequest& page);
    /// NotFound also for another district's facility.
    domain::Facility get(const Principal& who, long long id);
    /// The facility for an edit form: NotFound / NotAllowed unless `who` may change it.
    domain::Facility getForWrite(const Principal& who, long long id);

    Written<domain::Facility> create(const Principal& who, const DraftSource<domain::Facility>& draft);
    Written<domain::Facility> update(const Principal& who, long long id, const DraftSource<domain::Facility>& draft);

private:
    Context _c;
};

} // namespace registry::service
