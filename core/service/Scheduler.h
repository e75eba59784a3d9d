#pragma once
// Runs the scheduled audit at each slot of `audit.schedule` on exactly one of the server instances that share
// a database. At a due slot an instance takes the lease "audit" (renewed every third of its time to live
// while the slot runs), checks that no instance has run that slot or a later one (audit_runs.scheduled_for),
// and runs it. An instance that cannot get the lease retries until the slot is run by someone or a newer
// slot is due, so a holder that died is taken over once its lease expires. Missed slots (every instance
// down) run once on start: only the latest, and only when an earlier scheduled audit is on record.

#include "audit/Cron.h"
#include "store/Database.h"
#include "store/LeaseRepository.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace registry::service {

class Scheduler {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    /// Runs the audit of one slot, given as RFC 3339 UTC ("2026-11-29T18:00:00.000Z"); called on the
    /// scheduler's thread (or tick's caller) while this instance holds the lease. It records the run with
    /// scheduled_for = slot (the unique index there is the last guard against a second run). An exception
    /// it throws is logged; the slot counts as run.
    using RunSlot = std::function<void(const std::string& slot)>;

    struct Settings {
        std::string schedule = "0 2 * * *"; ///< cron; "" or "off" turns scheduled audits off
        std::string timeZone = "Asia/Shanghai";
        bool runMissedOnStart = true;
        std::chrono::milliseconds leaseTtl{60000};
        std::string instanceId; ///< who holds the lease (serve: audit.instance_id, else hostname:http.port)

        bool enabled() const;
    };

    /// The scheduler_lease row the instances compete for.
    static constexpr const char* leaseName = "audit";

    /// Throws audit::CronError or std::invalid_argument for settings that are enabled but invalid.
    Scheduler(store::Database& db, Settings settings, RunSlot runSlot);
    /// Stops the thread.
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Starts the background thread that ticks at each slot (and while a due slot waits for the lease).
    /// Does nothing when scheduling is off or the thread runs already.
    void start();

    /// Wakes the thread and joins it: at once when it is waiting, after the callback returns when a slot is
    /// running (cancel the running audit first to make that prompt too).
    void stop();

    /// One step of the thread, callable with any time: the first call (start-up) looks for a missed slot;
    /// a slot due at `now`, or one still waiting for the lease, runs when this instance gets the lease and
    /// the slot is newer than every recorded scheduled_for. Returns whether runSlot was called. Lease times
    /// are `now` plus the real time elapsed since the call. Throws on database errors (the thread logs them
    /// and tries again).
    bool tick(TimePoint now);

    /// The next slot after the last tick; nullopt before the first tick or when scheduling is off.
    std::optional<TimePoint> nextSlot() const;
    /// A due slot that waits for the lease (another instance holds it).
    std::optional<TimePoint> pendingSlot() const;

    const Settings& settings() const { return _settings; }

    /// A slot as runSlot receives it: RFC 3339 UTC with milliseconds.
    static std::string slotText(TimePoint slot);
    /// The calendar date of a slot (as runSlot receives it) in audit.timezone, for audit_runs.audit_date:
    /// "2026-11-29T18:00:00.000Z" is "2026-11-30" in Asia/Shanghai. Throws std::invalid_argument for text
    /// that is not a slot.
    std::string slotDate(const std::string& slot) const;

private:
    void loop();
    std::optional<TimePoint> missedSlot(TimePoint now);
    bool runPending(TimePoint now);
    void runWithRenewal(const std::string& slot, TimePoint now);

    store::Database& _db;
    Settings _settings;
    RunSlot _runSlot;
    std::optional<audit::CronExpression> _cron;
    std::optional<audit::TimeZone> _zone;
    store::LeaseRepository _leases;

    std::mutex _tickMutex;          // one tick at a time
    mutable std::mutex _stateMutex; // _next, _pending (read by nextSlot/pendingSlot during a run)
    bool _started = false;          // the first tick happened
    std::optional<TimePoint> _next;
    std::optional<TimePoint> _pending;

    std::mutex _threadMutex;
    std::condition_variable _wake;
    bool _stopping = false;
    std::thread _thread;
};

} // namespace registry::service
