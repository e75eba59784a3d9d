#include "service/Authenticator.h"

#include "auth/Tokens.h"
#include "domain/Dates.h"

namespace registry::service {

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

std::optional<SignedIn> Authenticator::signIn(const std::string& username, const std::string& password) {
    auto user = checkCredentials(username, password);
    if (!user) return std::nullopt;
    SignedIn issued;
    issued.token = auth::newSecret();
    issued.expiresAt = domain::formatTimestamp(domain::nowEpochMs() + _settings.tokenTtlHours * 3'600'000LL);
    issued.user = *user;
    _users.createToken(user->id, auth::hashSecret(issued.token), "api", issued.expiresAt);
    return issued;
}

std::optional<auth::Principal> Authenticator::authenticate(const std::string& token) {
    if (token.size() < 20 || token.size() > 200) return std::nullopt;
    const std::string hash = auth::hashSecret(token);
    const auto now = std::chrono::steady_clock::now();
    if (_settings.tokenCacheSeconds > 0) {
        std::lock_guard<std::mutex> lock(_cacheMutex);
        const auto found = _cache.find(hash);
        if (found != _cache.end()) {
            if (now < found->second.until) return found->second.principal;
            _cache.erase(found);
        }
    }
    const auto record = _users.findLiveToken(hash, domain::nowTimestamp());
    if (!record || record->kind != "api") return std::nullopt;
    const auto user = _users.get(record->userId);
    if (!user || !user->active) return std::nullopt;
    auth::Principal p;
    p.userId = user->id;
    p.username = user->username;
    p.role = user->role;
    p.district = user->district;
    p.facilityId = user->facilityId;
    p.tokenHash = hash;
    if (_settings.tokenCacheSeconds > 0) {
        // Kept no longer than the token lives (its expiry is a timestamp; the cache uses the steady clock).
        auto until = now + std::chrono::seconds(_settings.tokenCacheSeconds);
        if (const auto expires = domain::parseTimestamp(record->expiresAt)) {
            const auto left = std::chrono::milliseconds(*expires - domain::nowEpochMs());
            until = std::min(until, now + left);
        }
        std::lock_guard<std::mutex> lock(_cacheMutex);
        if (_cache.size() >= 10000) _cache.clear(); // a bound, not a policy: the next requests refill it
        _cache[hash] = {p, until};
    }
    return p;
}

void Authenticator::revoke(const auth::Principal& principal) {
    {
        std::lock_guard<std::mutex> lock(_cacheMutex);
        _cache.erase(principal.tokenHash);
    }
    _users.revokeToken(principal.tokenHash);
}

void Authenticator::forgetUser(long long userId) {
    std::lock_guard<std::mutex> lock(_cacheMutex);
    for (auto it = _cache.begin(); it != _cache.end();)
        it = it->second.principal.userId == userId ? _cache.erase(it) : std::next(it);
}

} // namespace registry::service
