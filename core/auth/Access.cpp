#include "auth/Access.h"

namespace registry::auth {

using domain::Role;

namespace {
bool roleMay(Role role, Action action) {
    switch (action) {
    case Action::Read: return true;
    case Action::WriteRecord:
    case Action::AcceptBurialSite: return role == Role::Admin || role == Role::Inspector;
    case Action::WriteReference:
    case Action::ManageUsers: return role == Role::Admin;
    case Action::ManagePlugins: return role == Role::Admin || role == Role::DistrictIt;
    case Action::RunAudit: return role == Role::Admin || role == Role::DistrictIt || role == Role::Auditor;
    }
    return false;
}
} // namespace

Decision decide(const Principal& who, Action action, const std::optional<std::string>& recordDistrict) {
    const bool otherDistrict = who.district && recordDistrict && *recordDistrict != *who.district;
    if (otherDistrict) return action == Action::Read ? Decision::NotFound : Decision::Forbidden;
    return roleMay(who.role, action) ? Decision::Allow : Decision::Forbidden;
}

Scope listScope(const Principal& who, const std::optional<std::string>& requested) {
    if (!who.district) return {Decision::Allow, requested};
    if (requested && *requested != *who.district) return {Decision::Forbidden, std::nullopt};
    return {Decision::Allow, who.district};
}

} // namespace registry::auth
