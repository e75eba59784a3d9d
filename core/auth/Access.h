#pragma once
// The one permission check: every handler asks it, by role and district, before it reads or writes.
// A user with a district works in that district only: another district's record is "not found" for reads
// (its existence is not revealed) and "forbidden" for writes.

#include "domain/Enums.h"

#include <optional>
#include <string>

namespace registry::auth {

/// Who is asking: the signed-in user as the checks need them.
struct Principal {
    long long userId = 0;
    std::string username;
    domain::Role role = domain::Role::Auditor;
    std::optional<std::string> district; // nullopt: citywide
    std::string tokenHash;               // of the credential in use, for sign-out
};

enum class Action {
    Read,             // any record, list or export
    WriteRecord,      // facilities, burial sites and their progress, prices, inspections, findings' status
    AcceptBurialSite, // the 验收 step of a burial site
    WriteReference,   // reference prices
    ManageUsers,
    ManagePlugins,
    RunAudit,
};

enum class Decision { Allow, NotFound, Forbidden };

/// May `who` do `action` on a record of `recordDistrict` (nullopt: a record of no district, or the
/// action as such)?
Decision decide(const Principal& who, Action action, const std::optional<std::string>& recordDistrict = std::nullopt);

/// The district a list or export may show: the user's own when they have one. `requested` naming another
/// district is Forbidden (the optional is then empty and `decision` says so).
struct Scope {
    Decision decision = Decision::Allow;
    std::optional<std::string> district;
};
Scope listScope(const Principal& who, const std::optional<std::string>& requested);

} // namespace registry::auth
