#pragma once
// Users, their password hashes and failed-login counters, and their bearer tokens and browser sessions
// (stored only as hashes of the secret).

#include "domain/User.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>

namespace registry::store {

struct Credentials {
    domain::User user;
    std::string passwordHash;
    int failedLogins = 0;
    std::optional<std::string> lockedUntil; // RFC 3339
};

struct TokenRecord {
    long long id = 0;
    long long userId = 0;
    std::string kind; // "api" or "web"
    std::string csrfToken;
    std::string createdAt, lastUsedAt, expiresAt;
    std::optional<std::string> revokedAt;
};

class UserRepository {
public:
    explicit UserRepository(Database& db) : _db(db) {}

    /// Throws ValidationFailed (including a username already taken).
    domain::User create(const domain::User& user, const std::string& passwordHash, const std::string& actor);
    std::optional<domain::User> get(long long id);
    std::optional<Credentials> findByUsername(const std::string& username);
    Page<domain::User> list(const PageRequest& page);
    /// Only the users of `district` when given (a district admin's view).
    Page<domain::User> list(const std::optional<std::string>& district, const PageRequest& page);
    /// Throws NotFound, ValidationFailed or Conflict<User>.
    domain::User update(const domain::User& changed, long long expectedVersion, const std::string& actor);
    /// Throws NotFound.
    void setPassword(long long userId, const std::string& passwordHash, const std::string& actor);
    void recordLoginFailure(long long userId, int failedLogins, const std::optional<std::string>& lockedUntil);
    void recordLoginSuccess(long long userId);

    void createToken(long long userId, const std::string& tokenHash, const std::string& kind,
                     const std::string& expiresAt, const std::string& csrfToken = "");
    /// A token that is neither revoked nor expired at `now`.
    std::optional<TokenRecord> findLiveToken(const std::string& tokenHash, const std::string& now);
    void touchToken(long long tokenId, const std::string& now, const std::string& newExpiry);
    void revokeToken(const std::string& tokenHash);

private:
    Database& _db;
};

} // namespace registry::store
