// The audit scheduler: each slot of audit.schedule runs once across every server instance sharing the
// database, a dead instance's lease is taken over, a missed slot runs once on start, and stop() is prompt.
// Most cases drive tick() with chosen times; the thread's own cases use the real clock.

#include "ScheduleTestSupport.h"

#include "service/Scheduler.h"
#include "store/LeaseRepository.h"
#include "store/StoreTestSupport.h"

#include <Poco/AutoPtr.h>

#include <atomic>
#include <thread>

using namespace registry;
using namespace registry::test;
using service::Scheduler;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Scheduler::Settings settingsFor(const std::string& instance, const std::string& schedule = "0 2 * * *") {
    Scheduler::Settings settings;
    settings.schedule = schedule;
    settings.timeZone = "Asia/Shanghai";
    settings.leaseTtl = seconds(30);
    settings.instanceId = instance;
    return settings;
}

/// The slots one instance ran; each is recorded in audit_runs like the audit runner does, so a second run of
/// a slot would fail on the unique index.
class Runs {
public:
    explicit Runs(store::Database& db, milliseconds duration = milliseconds(0))
        : _db(db), _duration(duration) {}
    Scheduler::RunSlot callback() {
        return [this](const std::string& slot) {
            recordScheduledRun(_db, slot);
            std::this_thread::sleep_for(_duration);
            std::lock_guard<std::mutex> lock(_mutex);
            _slots.push_back(slot);
            _changed.notify_all();
        };
    }
    std::vector<std::string> slots() const {
        std::lock_guard<std::mutex> lock(_mutex);
        return _slots;
    }
    /// Waits (up to `limit`) until `count` slots ran.
    bool waitFor(std::size_t count, milliseconds limit) {
        std::unique_lock<std::mutex> lock(_mutex);
        return _changed.wait_for(lock, limit, [&] { return _slots.size() >= count; });
    }

private:
    store::Database& _db;
    milliseconds _duration;
    mutable std::mutex _mutex;
    std::condition_variable _changed;
    std::vector<std::string> _slots;
};

using Strings = std::vector<std::string>;

long long millisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(scheduler)

BOOST_AUTO_TEST_CASE(due_slot_runs_once_with_its_utc_time) {
    TestDatabase database;
    Runs runs(database.db());
    Scheduler scheduler(database.db(), settingsFor("host-a:1"), runs.callback());
    BOOST_TEST(!scheduler.nextSlot().has_value());
    // 18:00 Shanghai time: nothing due, and a new database has missed nothing.
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(iso(scheduler.nextSlot().value()) == "2026-11-29T18:00:00.000Z");
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T17:59:59")));
    BOOST_TEST(scheduler.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(runs.slots() == Strings{"2026-11-29T18:00:00.000Z"}, boost::test_tools::per_element());
    BOOST_TEST(iso(scheduler.nextSlot().value()) == "2026-11-30T18:00:00.000Z");
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T18:00:30")));
    BOOST_TEST(!scheduler.tick(utc("2026-11-30T12:00")));
    BOOST_TEST(scheduler.tick(utc("2026-11-30T18:00:05")));
    BOOST_TEST(runs.slots() == (Strings{"2026-11-29T18:00:00.000Z", "2026-11-30T18:00:00.000Z"}),
               boost::test_tools::per_element());
    // The lease is given back after each slot.
    BOOST_TEST(!store::LeaseRepository(database.db()).get(Scheduler::leaseName).has_value());
    BOOST_TEST(countRows(database.db(), "audit_runs") == 2);
}

BOOST_AUTO_TEST_CASE(after_a_long_pause_only_the_latest_slot_runs) {
    TestDatabase database;
    Runs runs(database.db());
    Scheduler scheduler(database.db(), settingsFor("host-a:1"), runs.callback());
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T10:00")));
    // The machine slept through three slots (or an audit ran that long).
    BOOST_TEST(scheduler.tick(utc("2026-12-02T10:00")));
    BOOST_TEST(runs.slots() == Strings{"2026-12-01T18:00:00.000Z"}, boost::test_tools::per_element());
    BOOST_TEST(iso(scheduler.nextSlot().value()) == "2026-12-02T18:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(two_instances_run_each_slot_exactly_once) {
    TestDatabase database;
    auto otherDb = database.openAnother();
    Runs runsA(database.db(), milliseconds(20)), runsB(*otherDb, milliseconds(20));
    Scheduler a(database.db(), settingsFor("host-a:1"), runsA.callback());
    Scheduler b(*otherDb, settingsFor("host-b:2"), runsB.callback());
    BOOST_TEST(!a.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(!b.tick(utc("2026-11-29T10:00")));

    const int days = 12;
    TimePoint slot = utc("2026-11-29T18:00");
    for (int day = 0; day < days; ++day, slot += std::chrono::hours(24)) {
        StartLine start(2);
        std::atomic<int> ran{0};
        // B's clock runs a few milliseconds late; both tick the same due slot at once.
        std::thread threadA([&] {
            start.arriveAndWait();
            ran += a.tick(slot) ? 1 : 0;
        });
        std::thread threadB([&] {
            start.arriveAndWait();
            ran += b.tick(slot + milliseconds(3)) ? 1 : 0;
        });
        threadA.join();
        threadB.join();
        BOOST_TEST(ran.load() == 1, "day " << day);
        // The loser does not run it later either, even once the lease is free.
        BOOST_TEST(!a.tick(slot + seconds(40)));
        BOOST_TEST(!b.tick(slot + seconds(40)));
        BOOST_TEST(!a.pendingSlot().has_value());
        BOOST_TEST(!b.pendingSlot().has_value());
    }
    const auto slotsA = runsA.slots(), slotsB = runsB.slots();
    BOOST_TEST(slotsA.size() + slotsB.size() == static_cast<std::size_t>(days));
    std::set<std::string> all(slotsA.begin(), slotsA.end());
    all.insert(slotsB.begin(), slotsB.end());
    BOOST_TEST(all.size() == static_cast<std::size_t>(days));
    BOOST_TEST(countRows(database.db(), "audit_runs") == days);
    BOOST_TEST_MESSAGE("instance A ran " << slotsA.size() << " slots, B " << slotsB.size());
}

BOOST_AUTO_TEST_CASE(dead_holder_loses_the_lease_and_another_takes_over) {
    TestDatabase database;
    auto otherDb = database.openAnother();
    // Instance A took the lease a second before the 18:00 slot and died: it never renews or releases it.
    store::LeaseRepository(*otherDb).tryAcquire(Scheduler::leaseName, "host-a:1", seconds(30),
                                                utc("2026-11-29T17:59:59"));

    Runs runs(database.db());
    Scheduler b(database.db(), settingsFor("host-b:2"), runs.callback());
    BOOST_TEST(!b.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(!b.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(iso(b.pendingSlot().value()) == "2026-11-29T18:00:00.000Z");
    BOOST_TEST(!b.tick(utc("2026-11-29T18:00:28")));
    BOOST_TEST(runs.slots().empty());
    // A's lease ran out at 18:00:29: B runs the slot it has been waiting with.
    BOOST_TEST(b.tick(utc("2026-11-29T18:00:29")));
    BOOST_TEST(runs.slots() == Strings{"2026-11-29T18:00:00.000Z"}, boost::test_tools::per_element());
    BOOST_TEST(!b.pendingSlot().has_value());
    // And the next slot, without waiting for anyone.
    BOOST_TEST(b.tick(utc("2026-11-30T18:00")));
    BOOST_TEST(runs.slots().size() == 2u);
}

BOOST_AUTO_TEST_CASE(slot_recorded_by_a_dead_holder_is_not_run_again) {
    TestDatabase database;
    auto otherDb = database.openAnother();
    // A took the lease at 18:00, recorded the slot's run and died half-way.
    store::LeaseRepository(*otherDb).tryAcquire(Scheduler::leaseName, "host-a:1", seconds(30),
                                                utc("2026-11-29T18:00"));
    recordScheduledRun(*otherDb, "2026-11-29T18:00:00.000Z");

    Runs runs(database.db());
    Scheduler b(database.db(), settingsFor("host-b:2"), runs.callback());
    BOOST_TEST(!b.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(!b.tick(utc("2026-11-29T18:00:01")));
    BOOST_TEST(!b.tick(utc("2026-11-29T18:00:31")));
    BOOST_TEST(!b.pendingSlot().has_value());
    BOOST_TEST(runs.slots().empty());
    // A's lease is still in the table, expired; the next slot takes it.
    BOOST_TEST(b.tick(utc("2026-11-30T18:00")));
    BOOST_TEST(runs.slots() == Strings{"2026-11-30T18:00:00.000Z"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(missed_slot_runs_once_on_start) {
    TestDatabase database;
    // The last scheduled audit was for 02:00 on 26 November; every instance was down for the next three.
    recordScheduledRun(database.db(), "2026-11-25T18:00:00.000Z");
    Runs runs(database.db());
    Scheduler scheduler(database.db(), settingsFor("host-a:1"), runs.callback());
    BOOST_TEST(scheduler.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(runs.slots() == Strings{"2026-11-28T18:00:00.000Z"}, boost::test_tools::per_element());
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T10:00:01")));
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T12:00")));
    BOOST_TEST(countRows(database.db(), "audit_runs") == 2);

    // Another instance starting later finds nothing missed.
    auto otherDb = database.openAnother();
    Runs otherRuns(*otherDb);
    Scheduler other(*otherDb, settingsFor("host-b:2"), otherRuns.callback());
    BOOST_TEST(!other.tick(utc("2026-11-29T11:00")));
    BOOST_TEST(otherRuns.slots().empty());

    // Then the schedule goes on as usual.
    BOOST_TEST(scheduler.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(runs.slots().size() == 2u);
}

BOOST_AUTO_TEST_CASE(missed_slot_is_skipped_when_the_setting_is_off) {
    TestDatabase database;
    recordScheduledRun(database.db(), "2026-11-25T18:00:00.000Z");
    Runs runs(database.db());
    auto settings = settingsFor("host-a:1");
    settings.runMissedOnStart = false;
    Scheduler scheduler(database.db(), settings, runs.callback());
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(!scheduler.pendingSlot().has_value());
    BOOST_TEST(scheduler.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(runs.slots() == Strings{"2026-11-29T18:00:00.000Z"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(start_exactly_at_a_slot_runs_it) {
    TestDatabase database;
    Runs runs(database.db());
    auto settings = settingsFor("host-a:1");
    settings.runMissedOnStart = false;
    Scheduler scheduler(database.db(), settings, runs.callback());
    BOOST_TEST(scheduler.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(runs.slots() == Strings{"2026-11-29T18:00:00.000Z"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(lease_is_renewed_while_a_slot_runs) {
    TestDatabase database;
    auto otherDb = database.openAnother();
    store::LeaseRepository otherLeases(*otherDb);
    auto settings = settingsFor("host-a:1");
    settings.leaseTtl = milliseconds(600);
    const TimePoint slot = utc("2026-11-29T18:00");
    bool takenOver = true;
    std::string holderDuringRun;
    Scheduler scheduler(database.db(), settings, [&](const std::string& text) {
        recordScheduledRun(database.db(), text);
        const auto started = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(milliseconds(1500)); // well past the 600 ms the lease was taken for
        const auto elapsed = std::chrono::steady_clock::now() - started;
        takenOver = otherLeases.tryAcquire(
            Scheduler::leaseName, "host-b:2", milliseconds(600),
            slot + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed));
        holderDuringRun = otherLeases.get(Scheduler::leaseName).value_or(store::Lease{}).holder;
    });
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(scheduler.tick(slot));
    BOOST_TEST(!takenOver);
    BOOST_TEST(holderDuringRun == "host-a:1");
    BOOST_TEST(!otherLeases.get(Scheduler::leaseName).has_value());
}

BOOST_AUTO_TEST_CASE(a_failing_slot_is_logged_and_not_retried) {
    TestDatabase database;
    int calls = 0;
    Scheduler scheduler(database.db(), settingsFor("host-a:1"), [&](const std::string&) {
        ++calls;
        throw std::runtime_error("the audit failed");
    });
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T10:00")));
    BOOST_TEST(scheduler.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T18:01")));
    BOOST_TEST(calls == 1);
    BOOST_TEST(!store::LeaseRepository(database.db()).get(Scheduler::leaseName).has_value());
    BOOST_TEST(scheduler.tick(utc("2026-11-30T18:00")));
    BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(thread_runs_a_missed_slot_right_after_start) {
    TestDatabase database;
    recordScheduledRun(database.db(), "2020-01-01T00:00:00.000Z");
    Runs runs(database.db());
    Scheduler scheduler(database.db(), settingsFor("host-a:1", "* * * * *"), runs.callback());
    const auto before = std::chrono::system_clock::now();
    scheduler.start();
    BOOST_TEST_REQUIRE(runs.waitFor(1, milliseconds(10000)));
    scheduler.stop();
    // The latest minute slot at or before the start.
    const auto slot = runs.slots().front();
    const auto minute = std::chrono::floor<std::chrono::minutes>(before);
    BOOST_TEST((slot == iso(minute) || slot == iso(minute + std::chrono::minutes(1))), slot);
}

BOOST_AUTO_TEST_CASE(stop_is_prompt) {
    TestDatabase database;
    Runs runs(database.db());
    Scheduler scheduler(database.db(), settingsFor("host-a:1"), runs.callback());
    scheduler.start();
    scheduler.start(); // a second start changes nothing
    std::this_thread::sleep_for(milliseconds(200));
    BOOST_TEST(scheduler.nextSlot().has_value()); // the thread ticked once
    auto started = std::chrono::steady_clock::now();
    scheduler.stop();
    BOOST_TEST(millisecondsSince(started) < 500);
    scheduler.stop(); // stopping twice is harmless

    // Also while a due slot waits for another instance's lease (retrying every ttl/3).
    store::LeaseRepository(database.db())
        .tryAcquire(Scheduler::leaseName, "host-b:2", seconds(3600), std::chrono::system_clock::now());
    recordScheduledRun(database.db(), "2020-01-01T00:00:00.000Z");
    auto settings = settingsFor("host-a:1", "* * * * *");
    settings.leaseTtl = seconds(30);
    Scheduler waiting(database.db(), settings, runs.callback());
    waiting.start();
    std::this_thread::sleep_for(milliseconds(300));
    BOOST_TEST(waiting.pendingSlot().has_value());
    started = std::chrono::steady_clock::now();
    waiting.stop();
    BOOST_TEST(millisecondsSince(started) < 500);
    BOOST_TEST(runs.slots().empty());
}

BOOST_AUTO_TEST_CASE(slot_date_is_the_calendar_date_in_the_schedule_time_zone) {
    TestDatabase database;
    auto noop = [](const std::string&) {};
    Scheduler shanghai(database.db(), settingsFor("host-a:1"), noop);
    BOOST_TEST(shanghai.slotDate("2026-11-29T18:00:00.000Z") == "2026-11-30");
    BOOST_TEST(shanghai.slotDate("2026-11-29T15:59:59.999Z") == "2026-11-29");
    BOOST_TEST(shanghai.slotDate("2026-12-31T16:00:00.000Z") == "2027-01-01");
    auto settings = settingsFor("host-a:1");
    settings.timeZone = "America/New_York";
    Scheduler newYork(database.db(), settings, noop);
    BOOST_TEST(newYork.slotDate("2026-11-29T18:00:00.000Z") == "2026-11-29");
    BOOST_TEST(newYork.slotDate("2026-11-30T04:59:00.000Z") == "2026-11-29");
    for (const std::string bad : {"2026-11-29", "2026-13-01T00:00:00.000Z", "2026-02-30T00:00:00.000Z",
                                  "2026-11-29T18:00:00.000+", "2026-11-29 18:00:00.000Z", ""})
        BOOST_CHECK_THROW(shanghai.slotDate(bad), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(schedule_off_runs_nothing) {
    // (How "off" is written in the settings: test/app/SettingsTest.cpp.)
    for (const std::string off : {"off", "OFF", "", "  "}) {
        Scheduler::Settings settings;
        settings.schedule = off;
        settings.timeZone = "Not/AZone"; // not looked at when off
        BOOST_TEST(!settings.enabled(), off);
    }
    TestDatabase database;
    Runs runs(database.db());
    Scheduler scheduler(database.db(), settingsFor("host-a:1", "off"), runs.callback());
    scheduler.start();
    BOOST_TEST(!scheduler.tick(utc("2026-11-29T18:00")));
    BOOST_TEST(!scheduler.nextSlot().has_value());
    scheduler.stop();
    BOOST_TEST(runs.slots().empty());
}

BOOST_AUTO_TEST_CASE(hand_built_settings_are_checked_too) {
    TestDatabase database;
    auto noop = [](const std::string&) {};
    BOOST_CHECK_THROW(Scheduler(database.db(), settingsFor("host-a:1", "0 2 * *"), noop), audit::CronError);
    auto settings = settingsFor("host-a:1");
    settings.timeZone = "Asia/Beijing";
    BOOST_CHECK_THROW(Scheduler(database.db(), settings, noop), std::invalid_argument);
    settings = settingsFor("");
    BOOST_CHECK_THROW(Scheduler(database.db(), settings, noop), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
