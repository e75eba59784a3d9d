#include "http/ResponseCache.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>

namespace registry::http {

std::string contentTag(const std::string& body) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(body);
    return "\"" + Poco::DigestEngine::digestToHex(engine.digest()).substr(0, 32) + "\"";
}

ResponseCache::ResponseCache(int seconds, std::size_t maxEntries)
    : _ttl(std::max(0, seconds)), _maxEntries(std::max<std::size_t>(1, maxEntries)) {}

std::shared_ptr<const Kept> ResponseCache::get(const std::string& key, Clock::time_point now) {
    if (!enabled()) return nullptr;
    std::lock_guard<std::mutex> lock(_mutex);
    const auto found = _entries.find(key);
    if (found == _entries.end()) return nullptr;
    if (found->second.expires <= now) {
        _entries.erase(found);
        return nullptr;
    }
    return found->second.kept;
}

std::shared_ptr<const Kept> ResponseCache::put(const std::string& key, std::string body, Clock::time_point now) {
    auto kept = std::make_shared<const Kept>(Kept{body, contentTag(body)});
    if (!enabled()) return kept;
    std::lock_guard<std::mutex> lock(_mutex);
    if (_entries.size() >= _maxEntries && !_entries.count(key)) {
        for (auto it = _entries.begin(); it != _entries.end();)
            it = it->second.expires <= now ? _entries.erase(it) : std::next(it);
        if (_entries.size() >= _maxEntries)
            _entries.erase(std::min_element(_entries.begin(), _entries.end(), [](const auto& a, const auto& b) {
                return a.second.expires < b.second.expires;
            }));
    }
    _entries[key] = Entry{now + _ttl, kept};
    return kept;
}

} // namespace registry::http
