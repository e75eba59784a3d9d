#include "http/RateLimiter.h"

#include <algorithm>
#include <cmath>

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
    while (_buckets.size() >= _maxAddresses) {
        auto oldest = std::min_element(_buckets.begin(), _buckets.end(),
                                       [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
        _buckets.erase(oldest);
    }
}

} // namespace registry::http
