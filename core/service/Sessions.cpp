#include "service/Sessions.h"

#include "auth/Tokens.h"
#include "domain/Dates.h"
#include "store/UserRepository.h"

#include <algorithm>

namespace registry::service {

auth::Principal Session::principal() const {
    auth::Principal p;
    p.userId = user.id;
    p.username = user.username;
    p.role = user.role;
    p.district = user.district;
    p.facilityId = user.facilityId;
    p.tokenHash = tokenHash;
    return p;
}

Sessions::Sessions(store::Database& db, service::Authenticator& authenticator, int idleMinutes, int maxMinutes)
    : _db(db), _authenticator(authenticator), _idleMinutes(idleMinutes), _maxMinutes(maxMinutes) {}

std::string Sessions::absoluteEnd(const std::string& createdAt) const {
    const auto created = domain::parseTimestamp(createdAt);
    // A row this program did not write: treat it as ended rather than guess.
    if (!created) return createdAt;
    return domain::formatTimestamp(*created + _maxMinutes * 60'000LL);
}

std::optional<Sessions::Started> Sessions::signIn(const std::string& username, const std::string& password) {
    auto user = _authenticator.checkCredentials(username, password);
    if (!user) return std::nullopt;
    Started started;
    started.secret = auth::newSecret();
    started.session.tokenHash = auth::hashSecret(started.secret);
    started.session.csrfToken = auth::newSecret();
    started.session.user = *user;
    const std::string expires =
        domain::formatTimestamp(domain::nowEpochMs() + std::min(_idleMinutes, _maxMinutes) * 60'000LL);
    store::UserRepository users(_db);
    users.createToken(user->id, started.session.tokenHash, "web", expires, started.session.csrfToken);
    if (auto record = users.findLiveToken(started.session.tokenHash, domain::nowTimestamp()))
        started.session.tokenId = record->id;
    return started;
}

std::optional<Session> Sessions::find(const std::string& secret) {
    if (secret.size() < 20 || secret.size() > 200) return std::nullopt;
    store::UserRepository users(_db);
    const std::string hash = auth::hashSecret(secret);
    const auto nowMs = domain::nowEpochMs();
    const auto record = users.findLiveToken(hash, domain::formatTimestamp(nowMs));
    if (!record || record->kind != "web" || record->csrfToken.empty()) return std::nullopt;
    // The absolute end: a stolen cookie kept busy does not live for ever. Timestamps are fixed-width UTC
    // text, so text order is time order.
    const std::string end = absoluteEnd(record->createdAt);
    if (end <= domain::formatTimestamp(nowMs)) {
        users.revokeToken(hash);
        return std::nullopt;
    }
    const auto user = users.get(record->userId);
    if (!user || !user->active) return std::nullopt;
    // Restart the idle time, at most once a minute (a page view is not worth a write each), never past the
    // absolute end.
    if (record->lastUsedAt < domain::formatTimestamp(nowMs - 60'000))
        users.touchToken(record->id, domain::formatTimestamp(nowMs),
                         std::min(end, domain::formatTimestamp(nowMs + _idleMinutes * 60'000LL)));
    Session s;
    s.tokenId = record->id;
    s.tokenHash = hash;
    s.csrfToken = record->csrfToken;
    s.user = *user;
    return s;
}

void Sessions::end(const Session& session) { store::UserRepository(_db).revokeToken(session.tokenHash); }

} // namespace registry::service
