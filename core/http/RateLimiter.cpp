#include "http/RateLimiter.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace registry::http {

RateLimiter::RateLimiter(int perMinute, std::size_t maxAddresses)
    : _perMinute(std::max(0, perMinute)), _maxAddresses(std::max<std::size_t>(1, maxAddresses)) {}

std::optional<int> RateLimiter::take(const std::string& address, double cost, Clock::time_point now) {
    if (_perMinute == 0) return std::nullopt;
    const double capacity = _perMinute, perSecond = _perMinute / 60.0;
    cost = std::clamp(cost, 0.0, capacity);
    std::lock_guard<std::mutex> lock(_mutex);
    auto found = _buckets.find(address);
    if (found == _buckets.end()) {
        if (_buckets.size() >= _maxAddresses) prune(now);
        found = _buckets.emplace(address, Bucket{capacity, now}).first;
    }
    Bucket& b = found->second;
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(capacity, b.tokens + std::max(0.0, elapsed) * perSecond);
    b.at = now;
    if (b.tokens >= cost) {
        b.tokens -= cost;
        return std::nullopt;
    }
    return std::max(1, static_cast<int>(std::ceil((cost - b.tokens) / perSecond)));
}

void RateLimiter::prune(Clock::time_point now) {
    const double perSecond = _perMinute / 60.0;
    for (auto it = _buckets.begin(); it != _buckets.end();) {
        const double elapsed = std::chrono::duration<double>(now - it->second.at).count();
        if (it->second.tokens + elapsed * perSecond >= _perMinute)
            it = _buckets.erase(it);
        else
            ++it;
    }
    if (_buckets.size() < _maxAddresses) return;
    // Still full of clients that spent tokens recently: the tenth heard from longest ago goes at once, so
    // that a flood of new addresses costs one scan per tenth of the table, not one per address.
    std::vector<std::pair<Clock::time_point, std::string>> byAge;
    byAge.reserve(_buckets.size());
    for (const auto& [address, bucket] : _buckets) byAge.emplace_back(bucket.at, address);
    const std::size_t drop = std::max<std::size_t>(1, _buckets.size() / 10);
    std::nth_element(byAge.begin(), byAge.begin() + static_cast<std::ptrdiff_t>(drop - 1), byAge.end());
    for (std::size_t i = 0; i < drop; ++i) _buckets.erase(byAge[i].second);
}

} // namespace registry::http
