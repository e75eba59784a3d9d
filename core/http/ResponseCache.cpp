#include "http/ResponseCache.h"

#include <algorithm>

namespace registry::http {

ResponseCache::ResponseCache(int seconds, std::size_t maxEntries)
    : _ttl(std::max(0, seconds)), _maxEntries(std::max<std::size_t>(1, maxEntries)) {}

std::optional<std::string> ResponseCache::get(const std::string& key, Clock::time_point now) {
    if (!enabled()) return std::nullopt;
    std::lock_guard<std::mutex> lock(_mutex);
    const auto found = _entries.find(key);
    if (found == _entries.end()) return std::nullopt;
    if (found->second.expires <= now) {
        _entries.erase(found);
        return std::nullopt;
    }
    return found->second.body;
}

void ResponseCache::put(const std::string& key, std::string body, Clock::time_point now) {
    if (!enabled()) return;
    std::lock_guard<std::mutex> lock(_mutex);
    if (_entries.size() >= _maxEntries && !_entries.count(key)) {
        for (auto it = _entries.begin(); it != _entries.end();)
            it = it->second.expires <= now ? _entries.erase(it) : std::next(it);
        if (_entries.size() >= _maxEntries)
            _entries.erase(std::min_element(_entries.begin(), _entries.end(), [](const auto& a, const auto& b) {
                return a.second.expires < b.second.expires;
            }));
    }
    _entries[key] = Entry{now + _ttl, std::move(body)};
}

} // namespace registry::http
