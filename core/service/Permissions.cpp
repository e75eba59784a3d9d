#include "service/Permissions.h"

#include "service/Refusal.h"

namespace registry::service {

using domain::Role;

namespace {

// Reads are open to every role within its scope; district principals read citywide records too
// (reference prices without a district, the city's part of an audit is filtered to their district).
// An operator reads its own facility and files its prices; nothing else (its rows are Scope::Facility).
std::vector<Permission> buildTable() {
    std::vector<Permission> t;
    const auto both = [&t](Role role, Action action, bool district, bool cityForCitywide, bool cityForDistrict) {
        t.push_back({role, Scope::Citywide, action, district, cityForCitywide});
        t.push_back({role, Scope::District, action, district, cityForDistrict});
    };
    for (const auto role : {Role::Admin, Role::Inspector, Role::DistrictIt, Role::Auditor})
        both(role, Action::Read, true, true, true);
    //                         district  city (citywide principal)  city (district principal)
    both(Role::Admin, Action::WriteRecord, true, false, false);
    both(Role::Admin, Action::AcceptBurialSite, true, false, false);
    both(Role::Admin, Action::ChangeFindingStatus, true, false, false);
    both(Role::Admin, Action::WriteReference, true, true, false);
    both(Role::Admin, Action::ReadChangeLog, false, true, false);
    both(Role::Admin, Action::ManageUsers, true, true, false);
    both(Role::Admin, Action::ManagePlugins, true, true, false);
    both(Role::Admin, Action::RunAudit, true, true, false);

    for (const auto role : {Role::Admin, Role::Inspector})
        for (const auto action : {Action::IssueNotice, Action::AnswerNotice, Action::VerifyNotice})
            both(role, action, true, false, false);
    both(Role::Inspector, Action::WriteRecord, true, false, false);
    both(Role::Inspector, Action::AcceptBurialSite, true, false, false);
    both(Role::Inspector, Action::ChangeFindingStatus, true, false, false);

    both(Role::DistrictIt, Action::ManagePlugins, true, true, false);
    both(Role::DistrictIt, Action::RunAudit, true, true, false);

    both(Role::Auditor, Action::ReadChangeLog, false, true, false);
    both(Role::Auditor, Action::RunAudit, true, true, false);

    t.push_back({Role::Operator, Scope::Facility, Action::Read, true, false});
    t.push_back({Role::Operator, Scope::Facility, Action::WriteRecord, true, false});
    t.push_back({Role::Operator, Scope::Facility, Action::AnswerNotice, true, false});
    return t;
}

const Permission* find(Role role, Scope scope, Action action) {
    for (const auto& p : permissionTable())
        if (p.role == role && p.scope == scope && p.action == action) return &p;
    return nullptr;
}

bool isRead(Action action) { return action == Action::Read; }

std::string ownDistrict(const Principal& who) { return who.district.value_or(""); }

Decision refuseOperator(Action action) { return isRead(action) ? Decision::NotFound : Decision::Forbidden; }

NotAllowed operatorRefusal() {
    return NotAllowed("经营单位人员只能查看和报送本单位的价格", "an operator may only see and file its own facility's prices");
}

} // namespace

const std::vector<Permission>& permissionTable() {
    static const std::vector<Permission> table = buildTable();
    return table;
}

Decision decide(const Principal& who, Action action, const std::optional<std::string>& district) {
    if (isOperator(who)) return refuseOperator(action);
    if (who.district && district && *district != *who.district)
        return isRead(action) ? Decision::NotFound : Decision::Forbidden;
    const auto* p = find(who.role, who.district ? Scope::District : Scope::Citywide, action);
    if (!p) return Decision::Forbidden;
    return (district ? p->district : p->city) ? Decision::Allow : Decision::Forbidden;
}

Decision decideFacility(const Principal& who, Action action, long long facilityId, const std::string& district) {
    if (!isOperator(who)) return decide(who, action, district);
    if (!who.facilityId || *who.facilityId != facilityId) return refuseOperator(action);
    const auto* p = find(who.role, Scope::Facility, action);
    return p && p->district ? Decision::Allow : Decision::Forbidden;
}

void requireFacility(const Principal& who, Action action, long long facilityId, const std::string& district) {
    if (!isOperator(who)) return require(who, action, district);
    switch (decideFacility(who, action, facilityId, district)) {
    case Decision::Allow: return;
    case Decision::NotFound: throw NotFound("record");
    case Decision::Forbidden: break;
    }
    throw NotAllowed("经营单位人员只能操作本单位的记录", "an operator may only work on its own facility's records");
}

Decision decideOwn(const Principal& who, Action action) {
    if (isOperator(who)) return Decision::Forbidden;
    // A citywide principal's own scope is the city, unless the action only ever has district targets.
    if (who.district) return decide(who, action, who.district);
    const auto* p = find(who.role, Scope::Citywide, action);
    if (!p) return Decision::Forbidden;
    return (p->city || p->district) ? Decision::Allow : Decision::Forbidden;
}

void require(const Principal& who, Action action, const std::optional<std::string>& district) {
    switch (decide(who, action, district)) {
    case Decision::Allow: return;
    case Decision::NotFound: throw NotFound("record");
    case Decision::Forbidden: break;
    }
    if (isOperator(who))
        throw operatorRefusal();
    if (district && who.district && *district != *who.district)
        throw NotAllowed("只能操作本区(" + ownDistrict(who) + ")的记录",
                         "you may only work on records of your own district (" + ownDistrict(who) + ")");
    if (!district && who.district && find(who.role, Scope::District, action) &&
        find(who.role, Scope::District, action)->district)
        throw NotAllowed("本区用户(" + ownDistrict(who) + ")不能对全市范围执行此操作",
                         "a user of one district (" + ownDistrict(who) + ") may not do this citywide");
    throw NotAllowed("当前角色(" + domain::zhName(who.role) + ")无权执行此操作",
                     "your role (" + domain::toString(who.role) + ") may not do this");
}

void requireOwn(const Principal& who, Action action) {
    if (decideOwn(who, action) == Decision::Allow) return;
    if (isOperator(who))
        throw operatorRefusal();
    require(who, action, who.district);
    // decideOwn said no where require(own) said yes: cannot happen, but never let it through.
    throw NotAllowed("当前角色(" + domain::zhName(who.role) + ")无权执行此操作",
                     "your role (" + domain::toString(who.role) + ") may not do this");
}

std::optional<std::string> listScope(const Principal& who, const std::optional<std::string>& requested) {
    if (isOperator(who))
        throw NotAllowed("经营单位人员只能查看本单位的记录", "an operator may only see its own facility's records");
    if (!who.district) return requested;
    if (requested && *requested != *who.district)
        throw NotAllowed("只能查看本区(" + ownDistrict(who) + ")的记录",
                         "you may only see records of your own district (" + ownDistrict(who) + ")");
    return who.district;
}

} // namespace registry::service
