#include "store/Subjects.h"

#include "store/BurialSiteRepository.h"
#include "store/FacilityRepository.h"

namespace registry::store {

std::optional<std::string> subjectDistrict(Database::Session& session, domain::SubjectType type, long long id) {
    if (type == domain::SubjectType::Facility) {
        if (auto f = loadFacility(session, id)) return f->district;
    } else if (type == domain::SubjectType::BurialSite) {
        if (auto s = loadBurialSite(session, id)) return s->district;
    }
    return std::nullopt;
}

} // namespace registry::store
