#include "auth/Authenticator.h"

#include "auth/Tokens.h"
#include "domain/Dates.h"

namespace registry::auth {

Authenticator::Authenticator(store::Database& db, AuthSettings settings)
    : _users(db), _settings(settings), _hasher(settings.pbkdf2Iterations) {}

std::optional<domain::User> Authenticator::checkCredentials(const std::string& username,
                                                          const std::string& password) {
    const auto found = _users.findByUsername(username);
    if (!found) {
        _hasher.burn(password);
        return std::nullopt;
    }
    const std::string now = domain::nowTimestamp();
    if (found->lockedUntil && *found->lockedUntil > now) {
        _hasher.burn(password);
        return std::nullopt;
    }
    if (!_hasher.verify(password, found->passwordHash) || !found->user.active) {
        // Counted by the database, not from the count read above: concurrent guesses each count, and the
        // one that reaches the limit locks the account.
        const auto nowMs = domain::nowEpochMs();
        _users.recordLoginFailure(found->user.id, _settings.maxFailedLogins,
                                  domain::formatTimestamp(nowMs + _settings.lockoutMinutes * 60'000LL),
                                  domain::formatTimestamp(nowMs));
        return std::nullopt;
    }
    // Locked by failures counted since the read above: the lock holds, even for the right password.
    if (!_users.recordLoginSuccess(found->user.id, domain::nowTimestamp())) return std::nullopt;
    // A hash made with an older work factor is upgraded while the password is at hand (the same password:
    // the user's sessions go on).
    if (_hasher.needsRehash(found->passwordHash))
        _users.rehashPassword(found->user.id, found->passwordHash, _hasher.hash(password));
    return found->user;
}

std::optional<IssuedToken> Authenticator::signIn(const std::string& username, const std::string& password) {
    auto user = checkCredentials(username, password);
    if (!user) return std::nullopt;
    IssuedToken issued;
    issued.token = newSecret();
    issued.expiresAt = domain::formatTimestamp(domain::nowEpochMs() + _settings.tokenTtlHours * 3'600'000LL);
    issued.user = *user;
    _users.createToken(user->id, hashSecret(issued.token), "api", issued.expiresAt);
    return issued;
}

std::optional<Principal> Authenticator::authenticate(const std::string& token) {
    if (token.size() < 20 || token.size() > 200) return std::nullopt;
    const std::string hash = hashSecret(token);
    const auto record = _users.findLiveToken(hash, domain::nowTimestamp());
    if (!record || record->kind != "api") return std::nullopt;
    const auto user = _users.get(record->userId);
    if (!user || !user->active) return std::nullopt;
    Principal p;
    p.userId = user->id;
    p.username = user->username;
    p.role = user->role;
    p.district = user->district;
    p.tokenHash = hash;
    return p;
}

void Authenticator::revoke(const Principal& principal) { _users.revokeToken(principal.tokenHash); }

} // namespace registry::auth
