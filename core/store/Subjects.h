#pragma once
// What inspections and notices are about: a facility or a burial site, and the district it is in.

#include "domain/Enums.h"
#include "store/Database.h"

#include <optional>
#include <string>

namespace registry::store {

/// The district of facility or burial site `id` (within the caller's session); nullopt when there is none.
std::optional<std::string> subjectDistrict(Database::Session& session, domain::SubjectType type, long long id);

} // namespace registry::store
