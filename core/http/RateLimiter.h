#pragma once
// Requests per client address, as a token bucket: each address may spend `perMinute` requests at once and
// earns them back at that rate. For the public pages and API (no sign-in, so an address is all there is to
// tell clients apart). Thread-safe.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace registry::http {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    /// `perMinute` 0: every request is allowed. At most `maxAddresses` are tracked; past that, the ones
    /// whose buckets are full again are forgotten, and then the tenth heard from longest ago.
    explicit RateLimiter(int perMinute, std::size_t maxAddresses = 100000);

    /// Spends `cost` requests of `address` (at most a minute's worth); nullopt when allowed, else the whole
    /// seconds until they are earned back (for Retry-After).
    std::optional<int> take(const std::string& address, double cost = 1, Clock::time_point now = Clock::now());

    int perMinute() const { return _perMinute; }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point at;
    };
    void prune(Clock::time_point now);

    const int _perMinute;
    const std::size_t _maxAddresses;
    std::mutex _mutex;
    std::unordered_map<std::string, Bucket> _buckets;
};

} // namespace registry::http
