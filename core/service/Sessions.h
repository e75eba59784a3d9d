#pragma once
// Browser sessions: signed in with the same users, passwords and lockout as the API (service::Authenticator),
// kept server side in auth_tokens (kind "web", only the SHA-256 of the cookie's secret stored) with a
// synchronizer CSRF token each, ending after an idle timeout, at an absolute lifetime from sign-in however
// active, at sign-out, or when the user's password changes or the user is deactivated.

#include "auth/Access.h"
#include "service/Authenticator.h"
#include "domain/User.h"
#include "store/Database.h"

#include <optional>
#include <string>

namespace registry::service {

struct Session {
    long long tokenId = 0;
    std::string tokenHash;
    std::string csrfToken; // the secret every form carries
    domain::User user;

    auth::Principal principal() const;
};

class Sessions {
public:
    /// Sessions end `idleMinutes` after their last request and `maxMinutes` after sign-in.
    Sessions(store::Database& db, service::Authenticator& authenticator, int idleMinutes, int maxMinutes = 12 * 60);

    struct Started {
        std::string secret; // for the cookie, never stored
        Session session;
    };
    /// A new session (new random id and CSRF token) for valid credentials; nullopt otherwise.
    std::optional<Started> signIn(const std::string& username, const std::string& password);

    /// The live session of a cookie's secret, its idle time restarted (never past its absolute end);
    /// nullopt when unknown, ended, idle too long, older than the absolute lifetime (it is ended then), not
    /// a web session, or its user was deactivated.
    std::optional<Session> find(const std::string& secret);

    void end(const Session& session);
    int idleMinutes() const { return _idleMinutes; }
    int maxMinutes() const { return _maxMinutes; }

private:
    std::string absoluteEnd(const std::string& createdAt) const;

    store::Database& _db;
    service::Authenticator& _authenticator;
    int _idleMinutes;
    int _maxMinutes;
};

} // namespace registry::service
