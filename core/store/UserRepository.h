#pragma once
// Users, their password hashes and failed-login counters, and their bearer tokens and browser sessions
// (stored only as hashes of the secret).

#include "domain/User.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>
#include <vector>

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
    /// The ids of the operators of a facility.
    std::vector<long long> operatorsOf(long long facilityId);
    /// Only the users of `district` when given (a district admin's view).
    Page<domain::User> list(const std::optional<std::string>& district, const PageRequest& page);
    /// Throws NotFound, ValidationFailed or Conflict<User>. With `newPasswordHash`, the password changes in
    /// the same transaction. A new password or `active` false ends every token and web session of the user
    /// in that transaction too (they stay ended if the user is made active again).
    domain::User update(const domain::User& changed, long long expectedVersion, const std::string& actor,
                        const std::optional<std::string>& newPasswordHash = std::nullopt);
    /// A new password (an admin's or the user's change): clears the lockout and ends every token and web
    /// session of the user, in one transaction. Throws NotFound.
    void setPassword(long long userId, const std::string& passwordHash, const std::string& actor);
    /// The same password hashed with the current work factor, replacing `oldHash` (only if it is still the
    /// stored one): not a change of password, so sessions go on.
    void rehashPassword(long long userId, const std::string& oldHash, const std::string& newHash);
    /// Counts one failed sign-in in the database itself (`failed_logins = failed_logins + 1`), so that
    /// concurrent failures are never lost; the failure that reaches `maxFailedLogins` locks the account
    /// until `lockedUntil` and restarts the count, in the same statement. Failures while the account is
    /// locked at `now` are not counted (they cannot extend the lock).
    void recordLoginFailure(long long userId, int maxFailedLogins, const std::string& lockedUntil,
                            const std::string& now);
    /// Clears the failure count after a correct password; false (and nothing changed) when the account was
    /// locked at `now` meanwhile, by failures that were counted after this sign-in read the user.
    bool recordLoginSuccess(long long userId, const std::string& now);

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
