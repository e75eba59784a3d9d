#include "service/Users.h"

#include "service/Authenticator.h"
#include "auth/Tokens.h"
#include "domain/Dates.h"
#include "service/Permissions.h"
#include "service/StoreErrors.h"
#include "store/FacilityRepository.h"

namespace registry::service {

Principal commandLinePrincipal() {
    Principal p;
    p.username = "cli";
    p.role = domain::Role::Admin;
    return p;
}

std::string Users::hash(const std::string& password) {
    if (_c.authenticator) return _c.authenticator->hasher().hash(password);
    return auth::PasswordHasher().hash(password);
}

domain::User Users::me(const Principal& who) {
    auto user = store::UserRepository(_c.db).get(who.userId);
    if (!user) throw NotFound("user");
    return std::move(*user);
}

Page<domain::User> Users::list(const Principal& who, const PageRequest& page) {
    requireOwn(who, Action::ManageUsers);
    return store::UserRepository(_c.db).list(who.district, page);
}

domain::User Users::get(const Principal& who, long long id) {
    requireOwn(who, Action::ManageUsers);
    auto user = store::UserRepository(_c.db).get(id);
    // A district admin does not learn of users outside its district (citywide ones included).
    if (!user || (who.district && user->district != who.district)) throw NotFound("user");
    return std::move(*user);
}

namespace {
/// An operator's district is its facility's: given, it must be that one; not given, it becomes that one.
/// Run after validation (the role and facility_id agree).
/// A district admin hears the same of another district's facility as of one that does not exist.
void placeOperator(Context& c, const Principal& who, domain::User& user) {
    if (user.role != domain::Role::Operator || !user.facilityId) return;
    const auto facility = store::FacilityRepository(c.db).get(*user.facilityId);
    const std::string id = std::to_string(*user.facilityId);
    if (!facility || (who.district && facility->district != *who.district))
        throw Invalid({who.district ? domain::FieldError{"facility_id", "unknown", "本区没有这个单位:" + id,
                                                         "no facility " + id + " in your district"}
                                    : domain::FieldError{"facility_id", "unknown", "单位不存在:" + id, "no facility " + id}});
    if (user.district && *user.district != facility->district)
        throw Invalid({{"district", "operator_district",
                        "经营单位人员的区县即其单位所在区县(" + facility->district + ")",
                        "an operator's district is its facility's (" + facility->district + ")"}});
    user.district = facility->district;
}

domain::FieldErrors validateDraft(const UserDraft& draft, domain::FieldErrors decodeErrors) {
    auto validation = domain::validate(draft.user);
    if (draft.password)
        if (auto err = domain::checkPassword(*draft.password)) validation.push_back(*err);
    return mergeErrors(std::move(decodeErrors), validation);
}
} // namespace

domain::User Users::create(const Principal& who, const DraftSource<UserDraft>& source) {
    requireOwn(who, Action::ManageUsers);
    auto draft = source();
    failIfInvalid(validateDraft(draft.value, std::move(draft.decodeErrors)));
    if (!draft.value.password)
        throw Invalid({{"password", "required", "必须填写 password", "password is required"}});
    placeOperator(_c, who, draft.value.user);
    require(who, Action::ManageUsers, draft.value.user.district);
    const auto passwordHash = hash(*draft.value.password);
    return storeWrite<domain::User>(
        [&] { return store::UserRepository(_c.db).create(draft.value.user, passwordHash, who.username); });
}

domain::User Users::update(const Principal& who, long long id, const DraftSource<UserDraft>& source) {
    requireOwn(who, Action::ManageUsers);
    store::UserRepository users(_c.db);
    const auto current = users.get(id);
    if (!current) throw NotFound("user");
    require(who, Action::ManageUsers, current->district);
    auto draft = source();
    auto& changed = draft.value.user;
    changed.id = current->id;
    changed.username = current->username;
    failIfInvalid(validateDraft(draft.value, std::move(draft.decodeErrors)));
    placeOperator(_c, who, changed);
    require(who, Action::ManageUsers, changed.district); // never moved out of the admin's district
    // One transaction: the fields, the password, and the end of the user's sessions (store::UserRepository).
    const auto newHash = draft.value.password ? std::optional<std::string>(hash(*draft.value.password)) : std::nullopt;
    auto updated =
        storeWrite<domain::User>([&] { return users.update(changed, draft.expectedVersion, who.username, newHash); });
    // Its role, district, password or active flag may have changed: no cached principal outlives that.
    if (_c.authenticator) _c.authenticator->forgetUser(updated.id);
    return updated;
}

std::optional<domain::User> Users::findByUsername(const Principal& who, const std::string& username) {
    requireOwn(who, Action::ManageUsers);
    auto found = store::UserRepository(_c.db).findByUsername(username);
    if (!found || (who.district && found->user.district != who.district)) return std::nullopt;
    return std::move(found->user);
}

void Users::setPassword(const Principal& who, const std::string& username, const std::string& password) {
    const auto user = findByUsername(who, username);
    if (!user) throw NotFound("user " + username);
    require(who, Action::ManageUsers, user->district);
    if (auto err = domain::checkPassword(password)) throw Invalid({*err});
    storeWrite<domain::User>([&] {
        store::UserRepository(_c.db).setPassword(user->id, hash(password), who.username);
        return *user;
    });
    if (_c.authenticator) _c.authenticator->forgetUser(user->id);
}

IssuedToken Users::issueToken(const Principal& who, const std::string& username, int hours) {
    const auto user = findByUsername(who, username);
    if (!user) throw NotFound("user " + username);
    require(who, Action::ManageUsers, user->district);
    if (!user->active)
        throw Invalid({{"username", "inactive", "用户 " + username + " 已停用", "user " + username + " is deactivated"}});
    IssuedToken out;
    out.secret = auth::newSecret();
    out.expiresAt = domain::formatTimestamp(domain::nowEpochMs() + hours * 3600LL * 1000LL);
    store::UserRepository(_c.db).createToken(user->id, auth::hashSecret(out.secret), "api", out.expiresAt);
    return out;
}

} // namespace registry::service
