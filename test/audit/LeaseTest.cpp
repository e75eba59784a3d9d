// The scheduler's lease (scheduler_lease): one holder at a time, taken over only after it expires, and
// exactly one winner when several server instances (each with its own Database) race for it.

#include "ScheduleTestSupport.h"

#include "store/LeaseRepository.h"
#include "store/StoreTestSupport.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace registry;
using namespace registry::test;
using std::chrono::milliseconds;
using std::chrono::seconds;
using store::LeaseRepository;

namespace {

const TimePoint t0 = utc("2026-11-29T18:00");

/// `instances` threads, each with its own Database on the same data, call tryAcquire(name, "instance-<i>",
/// ttl, now) at the same moment; returns the holders that were told they won.
std::vector<std::string> race(const TestDatabase& database, int instances, const std::string& name,
                              TimePoint now) {
    std::vector<std::unique_ptr<store::Database>> dbs;
    for (int i = 0; i < instances; ++i)
        dbs.push_back(database.openAnother(2));
    StartLine start(instances);
    std::mutex mutex;
    std::vector<std::string> winners;
    std::vector<std::thread> threads;
    for (int i = 0; i < instances; ++i) {
        threads.emplace_back([&, i] {
            LeaseRepository leases(*dbs[i]);
            const std::string holder = "instance-" + std::to_string(i);
            start.arriveAndWait();
            if (leases.tryAcquire(name, holder, seconds(30), now)) {
                std::lock_guard<std::mutex> lock(mutex);
                winners.push_back(holder);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    return winners;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lease)

BOOST_AUTO_TEST_CASE(first_taker_holds_it_until_it_expires) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    BOOST_TEST(!leases.get("audit").has_value());
    BOOST_TEST(leases.tryAcquire("audit", "host-a:1", seconds(60), t0));
    const auto held = leases.get("audit");
    BOOST_REQUIRE(held.has_value());
    BOOST_TEST(held->holder == "host-a:1");
    BOOST_TEST(held->expiresAt == "2026-11-29T18:01:00.000Z");
    BOOST_TEST(held->version == 1);

    // Another instance is refused while it lasts, up to the last millisecond, and nothing changes.
    BOOST_TEST(!leases.tryAcquire("audit", "host-b:2", seconds(60), t0 + seconds(30)));
    BOOST_TEST(!leases.tryAcquire("audit", "host-b:2", seconds(60), t0 + milliseconds(59999)));
    BOOST_TEST(leases.get("audit")->holder == "host-a:1");
    BOOST_TEST(leases.get("audit")->version == 1);

    // Once expired, it is taken over, and the old holder can no longer renew it.
    BOOST_TEST(leases.tryAcquire("audit", "host-b:2", seconds(60), t0 + seconds(60)));
    BOOST_TEST(leases.get("audit")->holder == "host-b:2");
    BOOST_TEST(leases.get("audit")->expiresAt == "2026-11-29T18:02:00.000Z");
    BOOST_TEST(leases.get("audit")->version == 2);
    BOOST_TEST(!leases.renew("audit", "host-a:1", seconds(60), t0 + seconds(61)));
    BOOST_TEST(!leases.tryAcquire("audit", "host-a:1", seconds(60), t0 + seconds(61)));
    BOOST_TEST(leases.get("audit")->holder == "host-b:2");
}

BOOST_AUTO_TEST_CASE(holder_extends_by_acquiring_or_renewing) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    BOOST_TEST(leases.tryAcquire("audit", "host-a:1", seconds(60), t0));
    BOOST_TEST(leases.tryAcquire("audit", "host-a:1", seconds(60), t0 + seconds(20)));
    BOOST_TEST(leases.get("audit")->expiresAt == "2026-11-29T18:01:20.000Z");
    BOOST_TEST(leases.renew("audit", "host-a:1", seconds(60), t0 + seconds(40)));
    BOOST_TEST(leases.get("audit")->expiresAt == "2026-11-29T18:01:40.000Z");
    BOOST_TEST(leases.get("audit")->version == 3);
    // Renewed, it outlasts the first expiry: another instance is still refused.
    BOOST_TEST(!leases.tryAcquire("audit", "host-b:2", seconds(60), t0 + seconds(90)));
    BOOST_TEST(!leases.renew("audit", "host-b:2", seconds(60), t0 + seconds(90)));
    BOOST_TEST(!leases.renew("other", "host-a:1", seconds(60), t0));
}

BOOST_AUTO_TEST_CASE(release_frees_it_at_once) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    BOOST_TEST(leases.tryAcquire("audit", "host-a:1", seconds(60), t0));
    BOOST_TEST(!leases.release("audit", "host-b:2"));
    BOOST_TEST(leases.get("audit")->holder == "host-a:1");
    BOOST_TEST(leases.release("audit", "host-a:1"));
    BOOST_TEST(!leases.get("audit").has_value());
    BOOST_TEST(!leases.release("audit", "host-a:1"));
    BOOST_TEST(leases.tryAcquire("audit", "host-b:2", seconds(60), t0 + seconds(1)));
    BOOST_TEST(leases.get("audit")->holder == "host-b:2");
}

BOOST_AUTO_TEST_CASE(leases_are_independent_by_name) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    BOOST_TEST(leases.tryAcquire("audit", "host-a:1", seconds(60), t0));
    BOOST_TEST(leases.tryAcquire("cleanup", "host-b:2", seconds(60), t0));
    BOOST_TEST(leases.get("audit")->holder == "host-a:1");
    BOOST_TEST(leases.get("cleanup")->holder == "host-b:2");
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused_before_the_database) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    BOOST_CHECK_THROW(leases.tryAcquire("", "host-a:1", seconds(60), t0), std::invalid_argument);
    BOOST_CHECK_THROW(leases.tryAcquire(std::string(65, 'n'), "host-a:1", seconds(60), t0),
                      std::invalid_argument);
    BOOST_CHECK_THROW(leases.tryAcquire("audit", "", seconds(60), t0), std::invalid_argument);
    BOOST_CHECK_THROW(leases.tryAcquire("audit", std::string(201, 'h'), seconds(60), t0),
                      std::invalid_argument);
    BOOST_CHECK_THROW(leases.tryAcquire("audit", "host-a:1", seconds(0), t0), std::invalid_argument);
    BOOST_CHECK_THROW(leases.renew("audit", "host-a:1", milliseconds(-1), t0), std::invalid_argument);
    BOOST_TEST(countRows(database.db(), "scheduler_lease") == 0);
    // The longest allowed name and holder are stored whole.
    BOOST_TEST(leases.tryAcquire(std::string(64, 'n'), std::string(200, 'h'), seconds(60), t0));
    BOOST_TEST(leases.get(std::string(64, 'n'))->holder == std::string(200, 'h'));
}

BOOST_AUTO_TEST_CASE(racing_for_a_new_lease_has_one_winner) {
    TestDatabase database;
    for (int round = 0; round < 8; ++round) {
        const std::string name = "race-" + std::to_string(round);
        const auto winners = race(database, 4, name, t0);
        BOOST_TEST_REQUIRE(winners.size() == 1u, "round " << round);
        LeaseRepository leases(database.db());
        BOOST_TEST(leases.get(name)->holder == winners.front());
    }
    BOOST_TEST(countRows(database.db(), "scheduler_lease") == 8);
}

BOOST_AUTO_TEST_CASE(racing_for_an_expired_lease_has_one_winner) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    TimePoint now = t0;
    BOOST_TEST(leases.tryAcquire("audit", "dead-instance", seconds(30), now));
    for (int round = 0; round < 8; ++round) {
        now += seconds(31); // whoever holds it stopped renewing
        const auto winners = race(database, 4, "audit", now);
        BOOST_TEST_REQUIRE(winners.size() == 1u, "round " << round);
        BOOST_TEST(leases.get("audit")->holder == winners.front());
        BOOST_TEST(leases.get("audit")->version == round + 2);
    }
}

BOOST_AUTO_TEST_CASE(latest_scheduled_slot_is_the_newest_recorded_one) {
    TestDatabase database;
    LeaseRepository leases(database.db());
    BOOST_TEST(!leases.latestScheduledSlot().has_value());
    recordScheduledRun(database.db(), "2026-11-27T18:00:00.000Z");
    recordScheduledRun(database.db(), "2026-11-29T18:00:00.000Z");
    recordScheduledRun(database.db(), "2026-11-28T18:00:00.000Z");
    BOOST_TEST(leases.latestScheduledSlot().value_or("") == "2026-11-29T18:00:00.000Z");
    // A manual audit has no slot and does not count.
    {
        store::Database::Session session(database.db());
        session.sql() << "INSERT INTO audit_runs (trigger_kind, status, audit_date, created_at, error) "
                         "VALUES ('manual', 'succeeded', '2026-12-01', '2026-12-01T00:00:00.000Z', '')";
    }
    BOOST_TEST(leases.latestScheduledSlot().value_or("") == "2026-11-29T18:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()
