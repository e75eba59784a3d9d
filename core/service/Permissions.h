#pragma once
// The one permission table: (role, the principal's scope, action) -> which targets are allowed. Every use
// case of core/service asks it; nothing else decides who may do what. The HTTP API, the web forms and the
// command line only translate its answer (403, 404, a page, an exit code).
//
// A target is what an action is done to: a record of a district, the city as a whole (a record of no
// district, a citywide audit, a user without a district, the change log), or the action as such. A
// principal with a district never reaches another district: another district's record is "not found" for
// reads (its existence is not revealed) and "forbidden" for everything else, whatever the table says.

#include "auth/Access.h"
#include "domain/Enums.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::service {

using auth::Principal;

enum class Action {
    Read,                // a record, a list, an export, an audit's report
    WriteRecord,         // facilities, burial sites and their progress, prices, inspections, price imports
    AcceptBurialSite,    // the 验收 step of a burial site
    ChangeFindingStatus, // acknowledge, resolve, waive
    WriteReference,      // reference prices (caps): a district's, or citywide ones (no district)
    ReadChangeLog,       // the change log spans every district: a citywide target
    ManageUsers,         // the target is the user's district (a user without one is citywide)
    ManagePlugins,       // reload, and (later) submit/activate a district's plugins; common.* is citywide
    RunAudit,            // start or cancel an audit of a district, or of the city
    IssueNotice,         // a rectification notice to a facility or a burial site of the district
    AnswerNotice,        // the unit's answer (its operator, or an inspector on its behalf)
    VerifyNotice,        // the re-inspection's verdict
};

/// What an action is done to, as the table sees it.
enum class Target {
    District, // a record of a district the principal covers (its own, or any for a citywide principal)
    City,     // the city as a whole
};

/// The principal's scope: citywide (no district), one district, or one facility (an operator).
enum class Scope { Citywide, District, Facility };

struct Permission {
    domain::Role role;
    Scope scope;
    Action action;
    bool district; // allowed on a district target (Scope::Facility: on a record of the principal's facility)
    bool city;     // allowed on the citywide target
};

/// The whole table, for tests and the docs: one row per role, scope and action.
const std::vector<Permission>& permissionTable();

enum class Decision { Allow, NotFound, Forbidden };

/// May `who` do `action` on a target of `district` (nullopt: the city as a whole)? An operator is refused
/// here whatever the target: it reaches records only through decideFacility, where the record's facility is
/// known (so that a use case that forgets an operator refuses it rather than showing it its district).
Decision decide(const Principal& who, Action action, const std::optional<std::string>& district);
/// May `who` do `action` at all, on their own scope (their district, or the city when citywide)? For
/// offering a button or a form before there is a record.
Decision decideOwn(const Principal& who, Action action);
inline bool may(const Principal& who, Action action, const std::optional<std::string>& district) {
    return decide(who, action, district) == Decision::Allow;
}
inline bool mayOwn(const Principal& who, Action action) { return decideOwn(who, action) == Decision::Allow; }

/// May `who` do `action` on a record of facility `facilityId` (in `district`)? An operator only on its own
/// facility's records (another facility's are not found for reads, forbidden otherwise); anyone else as
/// decide() on the district.
Decision decideFacility(const Principal& who, Action action, long long facilityId, const std::string& district);
void requireFacility(const Principal& who, Action action, long long facilityId, const std::string& district);
/// An operator: bound to one facility, reached only through decideFacility.
inline bool isOperator(const Principal& who) { return who.role == domain::Role::Operator; }

/// Throws NotAllowed or NotFound (service/Refusal.h) unless the decision is Allow.
void require(const Principal& who, Action action, const std::optional<std::string>& district);
void requireOwn(const Principal& who, Action action);

/// The district a list or export may show: the principal's own when they have one (`requested` naming
/// another district is NotAllowed); for a citywide principal, what they asked for. An operator is
/// NotAllowed: its lists are of its facility (the use cases that offer them narrow them first).
std::optional<std::string> listScope(const Principal& who, const std::optional<std::string>& requested);

} // namespace registry::service
