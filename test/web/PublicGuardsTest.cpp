// What keeps the public routes cheap: the per-address limiter (public.requests_per_minute) and the kept
// answers (public.cache_seconds), on a clock the test moves.

#include "http/RateLimiter.h"
#include "http/ResponseCache.h"

#include <boost/test/unit_test.hpp>

#include <chrono>

using namespace registry::http;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(public_guards)

BOOST_AUTO_TEST_CASE(a_client_spends_a_minutes_worth_and_earns_it_back) {
    RateLimiter limiter(60); // one a second
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 60; ++i) BOOST_TEST(!limiter.take("10.0.0.1", 1, t0).has_value(), i);
    const auto refused = limiter.take("10.0.0.1", 1, t0);
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(*refused == 1, "Retry-After: one request's worth");
    BOOST_TEST(!limiter.take("10.0.0.2", 1, t0).has_value(), "another address has its own bucket");
    BOOST_TEST(!limiter.take("10.0.0.1", 1, t0 + 1s).has_value(), "earned back");
    const auto costly = limiter.take("10.0.0.1", 20, t0 + 1s);
    BOOST_REQUIRE(costly.has_value());
    BOOST_TEST(*costly == 20, "an export's cost waits for its worth");
    BOOST_TEST(!RateLimiter(0).take("10.0.0.1", 1000, t0).has_value(), "0: no limit");
}

BOOST_AUTO_TEST_CASE(a_full_table_forgets_the_oldest_tenth_and_keeps_limiting_the_rest) {
    RateLimiter limiter(60, 100);
    auto now = RateLimiter::Clock::time_point{} + 1h;
    // 100 addresses, each having just spent its whole minute: none is full again.
    for (int i = 0; i < 100; ++i) {
        now += 1ms;
        BOOST_TEST(!limiter.take("a" + std::to_string(i), 60, now).has_value());
    }
    now += 1ms;
    BOOST_TEST(!limiter.take("newcomer", 1, now).has_value(), "a new address is heard");
    // The others are still limited; the ten heard from longest ago were forgotten (each gets a fresh bucket,
    // asked last: every new address can make room again).
    for (int i = 10; i < 100; ++i) BOOST_TEST(limiter.take("a" + std::to_string(i), 30, now).has_value(), i);
    for (int i = 0; i < 10; ++i) BOOST_TEST(!limiter.take("a" + std::to_string(i), 30, now).has_value(), i);
}

BOOST_AUTO_TEST_CASE(a_kept_answer_carries_its_etag_and_expires) {
    ResponseCache cache(10);
    const auto t0 = ResponseCache::Clock::time_point{} + 1h;
    BOOST_TEST(!cache.get("/public/facilities/1", t0));
    const auto kept = cache.put("/public/facilities/1", "<html>价格</html>", t0);
    BOOST_TEST(kept->etag == contentTag("<html>价格</html>"));
    BOOST_TEST(kept->etag.size() == 34u, "32 hex digits in quotes");
    const auto again = cache.get("/public/facilities/1", t0 + 9s);
    BOOST_REQUIRE(again);
    BOOST_TEST(again.get() == kept.get(), "shared, not copied");
    BOOST_TEST(!cache.get("/public/facilities/1", t0 + 10s), "expired");
    BOOST_TEST(contentTag("a") != contentTag("b"));

    ResponseCache off(0);
    const auto unkept = off.put("k", "body", t0);
    BOOST_TEST(unkept->etag == contentTag("body"), "the ETag all the same");
    BOOST_TEST(!off.get("k", t0));
}

BOOST_AUTO_TEST_CASE(a_full_cache_drops_what_expires_first) {
    ResponseCache cache(10, 2);
    const auto t0 = ResponseCache::Clock::time_point{} + 1h;
    cache.put("a", "1", t0);
    cache.put("b", "2", t0 + 1s);
    cache.put("c", "3", t0 + 2s);
    BOOST_TEST(!cache.get("a", t0 + 2s));
    BOOST_TEST(cache.get("b", t0 + 2s));
    BOOST_TEST(cache.get("c", t0 + 2s));
}

BOOST_AUTO_TEST_SUITE_END()
