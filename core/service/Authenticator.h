#pragma once
// Signing in and out with bearer tokens: password check with lockout after repeated failures, tokens of
// 256 random bits stored only as SHA-256 hashes, with expiry and revocation.

#include "auth/Access.h"
#include "auth/PasswordHasher.h"
#include "domain/User.h"
#include "store/UserRepository.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>

namespace registry::service {

struct AuthSettings {
    int pbkdf2Iterations = auth::PasswordHasher::kDefaultIterations;
    int tokenTtlHours = 12;
    int maxFailedLogins = 5; // consecutive failures before the account is locked (counted in the database)
    int lockoutMinutes = 15;
    /// How long a bearer token's principal is reused before the database is asked again
    /// (auth.token_cache_seconds; 0: every request asks). Sign-out, a password change, a deactivation or
    /// any change of the user through this server forget it at once; through another instance or the CLI,
    /// within this time.
    int tokenCacheSeconds = 5;
};

struct SignedIn {
    std::string token;     // the secret, shown once
    std::string expiresAt; // RFC 3339
    domain::User user;
};

class Authenticator {
public:
    Authenticator(store::Database& db, AuthSettings settings);

    /// A new token for valid, active, unlocked credentials; nullopt otherwise, taking about the same time
    /// whichever the reason, so that the answer does not tell an unknown user from a wrong password.
    std::optional<SignedIn> signIn(const std::string& username, const std::string& password);

    /// The user of valid, active, unlocked credentials (counting failures towards the lockout, as signIn
    /// does); nullopt otherwise. The web UI's sign-in uses it and issues its own session.
    std::optional<domain::User> checkCredentials(const std::string& username, const std::string& password);

    /// The principal of a live API token of an active user; nullopt otherwise (a web session is no token).
    std::optional<auth::Principal> authenticate(const std::string& token);

    void revoke(const auth::Principal& principal);
    /// Forgets the cached principals of `userId` (its role, district, password or active flag changed).
    void forgetUser(long long userId);

    const auth::PasswordHasher& hasher() const { return _hasher; }
    const AuthSettings& settings() const { return _settings; }

private:
    struct Cached {
        auth::Principal principal;
        std::chrono::steady_clock::time_point until;
    };

    store::UserRepository _users;
    AuthSettings _settings;
    auth::PasswordHasher _hasher;
    std::mutex _cacheMutex;
    std::unordered_map<std::string, Cached> _cache; // by token hash
};

} // namespace registry::service
