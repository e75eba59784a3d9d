#include "store/UserRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/SqlQuery.h"

#include <Poco/JSON/Object.h>

#include <soci/mysql/soci-mysql.h>

namespace registry::store {

using domain::User;

namespace {

const char* const selectColumns = "SELECT id, username, display_name, role, district, facility_id, active, version, "
                                  "created_at, updated_at, password_hash, failed_logins, locked_until, email FROM users";

std::vector<Credentials> fetchAll(soci::session& sql, SqlQuery& q) {
    Credentials c;
    std::string role, district, lockedUntil, email;
    int active = 1;
    long long facilityId = 0;
    soci::indicator districtInd, facilityInd, lockedInd, emailInd;
    soci::statement st(sql);
    st.exchange(soci::into(c.user.id));
    st.exchange(soci::into(c.user.username));
    st.exchange(soci::into(c.user.displayName));
    st.exchange(soci::into(role));
    st.exchange(soci::into(district, districtInd));
    st.exchange(soci::into(facilityId, facilityInd));
    st.exchange(soci::into(active));
    st.exchange(soci::into(c.user.version));
    st.exchange(soci::into(c.user.createdAt));
    st.exchange(soci::into(c.user.updatedAt));
    st.exchange(soci::into(c.passwordHash));
    st.exchange(soci::into(c.failedLogins));
    st.exchange(soci::into(lockedUntil, lockedInd));
    st.exchange(soci::into(email, emailInd));
    q.prepareInto(st);
    st.execute();
    std::vector<Credentials> out;
    while (st.fetch()) {
        c.user.role = domain::parseEnum<domain::Role>(role).value_or(domain::Role::Auditor);
        c.user.district = districtInd == soci::i_ok ? std::optional<std::string>(district) : std::nullopt;
        c.user.facilityId = facilityInd == soci::i_ok ? std::optional<std::int64_t>(facilityId) : std::nullopt;
        c.user.active = active != 0;
        c.lockedUntil = lockedInd == soci::i_ok ? std::optional<std::string>(lockedUntil) : std::nullopt;
        c.user.email = emailInd == soci::i_ok && !email.empty() ? std::optional<std::string>(email) : std::nullopt;
        out.push_back(c);
    }
    return out;
}

domain::FieldError usernameTaken(const std::string& username) {
    return {"username", "taken", "用户名已被使用:" + username, "username " + username + " is taken"};
}

std::string usernameOf(soci::session& sql, long long userId) {
    std::string name;
    sql << "SELECT username FROM users WHERE id = :id", soci::use(userId), soci::into(name);
    return name;
}

std::optional<Credentials> fetchOne(soci::session& sql, SqlQuery& q) { return firstRow(fetchAll(sql, q)); }

// Ends every live token and web session of a user within the caller's transaction, with one change-log
// entry saying how many and why.
int revokeAll(soci::session& sql, long long userId, const std::string& actor, const std::string& reason) {
    const std::string now = domain::nowTimestamp();
    soci::statement st = (sql.prepare << "UPDATE auth_tokens SET revoked_at = :now WHERE user_id = :id AND "
                                         "revoked_at IS NULL AND expires_at > :live",
                          soci::use(now), soci::use(userId), soci::use(now));
    st.execute(true);
    const int ended = static_cast<int>(st.get_affected_rows());
    if (ended > 0) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("tokens", ended);
        o->set("reason", reason);
        ChangeLog::append(sql, actor, "revoke_tokens", "user", userId, codec::stringify(o), std::nullopt);
    }
    return ended;
}

void writePassword(soci::session& sql, long long userId, const std::string& passwordHash, const std::string& now) {
    soci::statement st = (sql.prepare << "UPDATE users SET password_hash = :hash, failed_logins = 0, locked_until = NULL, "
                                         "updated_at = :now WHERE id = :id",
                          soci::use(passwordHash), soci::use(now), soci::use(userId));
    st.execute(true);
    if (st.get_affected_rows() != 1) throw NotFound("user " + std::to_string(userId) + " does not exist");
}

} // namespace

User UserRepository::create(const User& input, const std::string& passwordHash, const std::string& actor) {
    domain::Validator v;
    for (auto& e : domain::validate(input)) v.add(std::move(e));
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    if (!v.has("username")) {
        SqlQuery q(selectColumns);
        q.where("username = " + q.bind(input.username));
        if (fetchOne(sql, q)) v.add(usernameTaken(input.username));
    }
    if (!v.ok()) throw ValidationFailed(v.take());
    User u = input;
    u.createdAt = u.updatedAt = domain::nowTimestamp();
    u.version = 1;
    const std::string role = domain::toString(u.role);
    std::string district = u.district.value_or("");
    soci::indicator districtInd = u.district ? soci::i_ok : soci::i_null;
    long long facilityId = u.facilityId.value_or(0);
    soci::indicator facilityInd = u.facilityId ? soci::i_ok : soci::i_null;
    int active = u.active ? 1 : 0;
    std::string email = u.email.value_or("");
    soci::indicator emailInd = u.email ? soci::i_ok : soci::i_null;
    try {
        sql << "INSERT INTO users (username, display_name, role, district, facility_id, email, active, password_hash, "
               "failed_logins, locked_until, version, created_at, updated_at) VALUES (:username, :display, :role, "
               ":district, :facility, :email, :active, :hash, 0, NULL, 1, :created, :updated)",
            soci::use(u.username), soci::use(u.displayName), soci::use(role), soci::use(district, districtInd),
            soci::use(facilityId, facilityInd), soci::use(email, emailInd), soci::use(active), soci::use(passwordHash),
            soci::use(u.createdAt), soci::use(u.updatedAt);
    } catch (const soci::mysql_soci_error& e) {
        // Another instance created the same username after the check above (MySQL reads do not lock; on
        // SQLite the write transaction is exclusive, so the check already saw it). 1062: ER_DUP_ENTRY.
        if (e.err_num_ != 1062) throw;
        throw ValidationFailed({usernameTaken(u.username)});
    }
    u.id = Database::lastInsertId(sql, "users");
    ChangeLog::append(sql, actor, "create", "user", u.id, std::nullopt, codec::stringify(codec::toJson(u)));
    tx.commit();
    return u;
}

std::optional<User> UserRepository::get(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    auto c = fetchOne(session.sql(), q);
    if (!c) return std::nullopt;
    return c->user;
}

std::optional<Credentials> UserRepository::findByUsername(const std::string& username) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("username = " + q.bind(username));
    return fetchOne(session.sql(), q);
}

Page<User> UserRepository::list(const PageRequest& page) { return list(std::nullopt, page); }

std::vector<long long> UserRepository::operatorsOf(long long facilityId) {
    Database::Session session(_db);
    std::vector<long long> out;
    long long id = 0;
    soci::statement st = (session.sql().prepare << "SELECT id FROM users WHERE facility_id = :f", soci::use(facilityId),
                          soci::into(id));
    st.execute();
    while (st.fetch()) out.push_back(id);
    return out;
}

Page<User> UserRepository::list(const std::optional<std::string>& district, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (district) q.where("district = " + q.bind(*district));
    const int limit = q.paginate(page, "id");
    std::vector<User> users;
    for (auto& c : fetchAll(session.sql(), q)) users.push_back(c.user);
    return makePage(std::move(users), limit);
}

User UserRepository::update(const User& changed, long long expectedVersion, const std::string& actor,
                            const std::optional<std::string>& newPasswordHash) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(changed.id));
    q.append(forUpdate(sql));
    auto before = fetchOne(sql, q);
    if (!before) throw NotFound("user " + std::to_string(changed.id) + " does not exist");
    if (before->user.version != expectedVersion) throw Conflict<User>(before->user);
    User u = changed;
    u.username = before->user.username; // usernames are stable: tokens and the change log name them
    auto errors = domain::validate(u);
    if (!errors.empty()) throw ValidationFailed(std::move(errors));
    u.createdAt = before->user.createdAt;
    u.updatedAt = domain::nowTimestamp();
    u.version = before->user.version + 1;
    const std::string role = domain::toString(u.role);
    std::string district = u.district.value_or("");
    soci::indicator districtInd = u.district ? soci::i_ok : soci::i_null;
    long long facilityId = u.facilityId.value_or(0);
    soci::indicator facilityInd = u.facilityId ? soci::i_ok : soci::i_null;
    int active = u.active ? 1 : 0;
    std::string email = u.email.value_or("");
    soci::indicator emailInd = u.email ? soci::i_ok : soci::i_null;
    soci::statement st = (sql.prepare << "UPDATE users SET display_name = :display, role = :role, district = :district, "
                                         "facility_id = :facility, email = :email, active = :active, "
                                         "version = version + 1, updated_at = :updated WHERE id = :id AND version = :v",
                          soci::use(u.displayName), soci::use(role), soci::use(district, districtInd),
                          soci::use(facilityId, facilityInd), soci::use(email, emailInd), soci::use(active),
                          soci::use(u.updatedAt), soci::use(u.id), soci::use(expectedVersion));
    st.execute(true);
    if (st.get_affected_rows() != 1) throw Conflict<User>(before->user);
    ChangeLog::append(sql, actor, "update", "user", u.id, codec::stringify(codec::toJson(before->user)),
                      codec::stringify(codec::toJson(u)));
    if (newPasswordHash) {
        writePassword(sql, u.id, *newPasswordHash, u.updatedAt);
        ChangeLog::append(sql, actor, "set_password", "user", u.id, std::nullopt, std::nullopt);
    }
    // Whoever held this user's sessions may be the reason for the change: none survives it.
    if (newPasswordHash)
        revokeAll(sql, u.id, actor, "password_changed");
    else if (!u.active)
        revokeAll(sql, u.id, actor, "deactivated");
    tx.commit();
    return u;
}

void UserRepository::setPassword(long long userId, const std::string& passwordHash, const std::string& actor) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    writePassword(sql, userId, passwordHash, domain::nowTimestamp());
    // The hash itself never goes into the log.
    ChangeLog::append(sql, actor, "set_password", "user", userId, std::nullopt, std::nullopt);
    revokeAll(sql, userId, actor, "password_changed");
    tx.commit();
}

void UserRepository::rehashPassword(long long userId, const std::string& oldHash, const std::string& newHash) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    soci::statement st = (sql.prepare << "UPDATE users SET password_hash = :new WHERE id = :id AND password_hash = :old",
                          soci::use(newHash), soci::use(userId), soci::use(oldHash));
    st.execute(true);
    if (st.get_affected_rows() != 1) return; // changed meanwhile: the new password stands
    ChangeLog::append(sql, usernameOf(sql, userId), "rehash_password", "user", userId, std::nullopt, std::nullopt);
    tx.commit();
}

void UserRepository::recordLoginFailure(long long userId, int maxFailedLogins, const std::string& lockedUntil,
                                        const std::string& now) {
    Database::Session session(_db);
    // One statement, so that concurrent failures each count. MySQL assigns left to right, each assignment
    // seeing the ones before it, so locked_until comes first: both read the count as it was.
    session.sql() << "UPDATE users SET "
                     "locked_until = CASE WHEN failed_logins + 1 >= :max1 THEN :until ELSE locked_until END, "
                     "failed_logins = CASE WHEN failed_logins + 1 >= :max2 THEN 0 ELSE failed_logins + 1 END "
                     "WHERE id = :id AND (locked_until IS NULL OR locked_until <= :now)",
        soci::use(maxFailedLogins), soci::use(lockedUntil), soci::use(maxFailedLogins), soci::use(userId),
        soci::use(now);
}

bool UserRepository::recordLoginSuccess(long long userId, const std::string& now) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    int failed = 0;
    std::string lockedUntil;
    soci::indicator lockedInd = soci::i_null;
    sql << "SELECT failed_logins, locked_until FROM users WHERE id = :id" + forUpdate(sql), soci::use(userId),
        soci::into(failed), soci::into(lockedUntil, lockedInd);
    if (!sql.got_data()) return false;
    const bool locked = lockedInd == soci::i_ok;
    if (locked && lockedUntil > now) return false;
    if (failed == 0 && !locked) return true;
    sql << "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = :id", soci::use(userId);
    tx.commit();
    return true;
}

namespace {
// What the change log keeps of a token: never the secret or its hash.
std::string tokenSummary(const std::string& kind, const std::string& expiresAt) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("kind", kind);
    o->set("expires_at", expiresAt);
    return codec::stringify(o);
}
} // namespace

void UserRepository::createToken(long long userId, const std::string& tokenHash, const std::string& kind,
                                 const std::string& expiresAt, const std::string& csrfToken) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    const std::string now = domain::nowTimestamp();
    sql << "INSERT INTO auth_tokens (token_hash, kind, user_id, csrf_token, created_at, last_used_at, "
           "expires_at, revoked_at) VALUES (:hash, :kind, :user, :csrf, :created, :used, :expires, NULL)",
        soci::use(tokenHash), soci::use(kind), soci::use(userId), soci::use(csrfToken), soci::use(now), soci::use(now),
        soci::use(expiresAt);
    ChangeLog::append(sql, usernameOf(sql, userId), "issue_token", "user", userId, std::nullopt,
                      tokenSummary(kind, expiresAt));
    tx.commit();
}

std::optional<TokenRecord> UserRepository::findLiveToken(const std::string& tokenHash, const std::string& now) {
    Database::Session session(_db);
    TokenRecord t;
    std::string revoked;
    soci::indicator revokedInd;
    session.sql() << "SELECT id, user_id, kind, csrf_token, created_at, last_used_at, expires_at, revoked_at "
                     "FROM auth_tokens WHERE token_hash = :hash AND revoked_at IS NULL AND expires_at > :now",
        soci::use(tokenHash), soci::use(now), soci::into(t.id), soci::into(t.userId), soci::into(t.kind),
        soci::into(t.csrfToken), soci::into(t.createdAt), soci::into(t.lastUsedAt), soci::into(t.expiresAt),
        soci::into(revoked, revokedInd);
    if (!session.sql().got_data()) return std::nullopt;
    return t;
}

void UserRepository::touchToken(long long tokenId, const std::string& now, const std::string& newExpiry) {
    Database::Session session(_db);
    session.sql() << "UPDATE auth_tokens SET last_used_at = :now, expires_at = :expires WHERE id = :id",
        soci::use(now), soci::use(newExpiry), soci::use(tokenId);
}

void UserRepository::revokeToken(const std::string& tokenHash) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    const std::string now = domain::nowTimestamp();
    long long userId = 0;
    std::string kind, expiresAt;
    sql << "SELECT user_id, kind, expires_at FROM auth_tokens WHERE token_hash = :hash AND revoked_at IS NULL",
        soci::use(tokenHash), soci::into(userId), soci::into(kind), soci::into(expiresAt);
    if (!sql.got_data()) return;
    sql << "UPDATE auth_tokens SET revoked_at = :now WHERE token_hash = :hash AND revoked_at IS NULL", soci::use(now),
        soci::use(tokenHash);
    ChangeLog::append(sql, usernameOf(sql, userId), "revoke_token", "user", userId, tokenSummary(kind, expiresAt),
                      std::nullopt);
    tx.commit();
}

} // namespace registry::store
