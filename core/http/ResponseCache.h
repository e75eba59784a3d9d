#pragma once
// Public answers kept for a few seconds (public.cache_seconds): the same page for every signed-out visitor,
// so a crowd reading one facility costs one rendering per interval instead of one per request. Entries
// are whole bodies under a key that names everything the body depends on (path, query, language). At most
// `maxEntries` are kept; past that, the one that expires first goes. Thread-safe.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace registry::http {

class ResponseCache {
public:
    using Clock = std::chrono::steady_clock;
    /// `seconds` 0: nothing is kept.
    explicit ResponseCache(int seconds, std::size_t maxEntries = 2000);

    std::optional<std::string> get(const std::string& key, Clock::time_point now = Clock::now());
    void put(const std::string& key, std::string body, Clock::time_point now = Clock::now());
    bool enabled() const { return _ttl.count() > 0; }

private:
    struct Entry {
        Clock::time_point expires;
        std::string body;
    };
    const std::chrono::seconds _ttl;
    const std::size_t _maxEntries;
    std::mutex _mutex;
    std::unordered_map<std::string, Entry> _entries;
};

} // namespace registry::http
