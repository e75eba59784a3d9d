#pragma once
// Who is asking: the signed-in user as the use cases need them. What they may do is decided by the one
// permission table, service/Permissions.h.

#include "domain/Enums.h"

#include <optional>
#include <string>

namespace registry::auth {

struct Principal {
    long long userId = 0;
    std::string username;
    domain::Role role = domain::Role::Auditor;
    std::optional<std::string> district; // nullopt: citywide
    std::optional<long long> facilityId; // an operator's facility (its district is the facility's)
    std::string tokenHash;               // of the credential in use, for sign-out
};

} // namespace registry::auth
