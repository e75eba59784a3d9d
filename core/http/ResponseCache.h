#pragma once
// Public answers kept for a few seconds (public.cache_seconds): the same page for every signed-out visitor,
// so a crowd reading one facility costs one rendering per interval instead of one per request. Entries
// are whole bodies under a key that names everything the body depends on (path, query, language). At most
// `maxEntries` are kept; past that, the one that expires first goes. Thread-safe.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace registry::http {

/// The ETag of a body: the first 128 bits of its SHA-256, quoted.
std::string contentTag(const std::string& body);

/// A body and its ETag, computed once: hashing the body on every request was 42 % of the server's time
/// serving a kept public page (perf, docs/PERFORMANCE.md).
struct Kept {
    std::string body;
    std::string etag;
};

class ResponseCache {
public:
    using Clock = std::chrono::steady_clock;
    /// `seconds` 0: nothing is kept.
    explicit ResponseCache(int seconds, std::size_t maxEntries = 2000);

    /// The kept body, shared (not copied) while fresh; null when there is none.
    std::shared_ptr<const Kept> get(const std::string& key, Clock::time_point now = Clock::now());
    /// Keeps `body` (when enabled) and gives it back with its ETag either way.
    std::shared_ptr<const Kept> put(const std::string& key, std::string body, Clock::time_point now = Clock::now());
    bool enabled() const { return _ttl.count() > 0; }

private:
    struct Entry {
        Clock::time_point expires;
        std::shared_ptr<const Kept> kept;
    };
    const std::chrono::seconds _ttl;
    const std::size_t _maxEntries;
    std::mutex _mutex;
    std::unordered_map<std::string, Entry> _entries;
};

} // namespace registry::http
