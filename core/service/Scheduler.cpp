#include "service/Scheduler.h"

#include "domain/Dates.h"
#include "domain/LogText.h"

#include <date/date.h>

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <algorithm>
#include <cstdio>

namespace registry::service {

namespace {

using std::chrono::milliseconds;

Poco::Logger& logger() {
    return Poco::Logger::get("registry.audit");
}

/// The time a lease is renewed after, and a waiting slot retried after.
milliseconds renewInterval(milliseconds ttl) {
    return std::max(ttl / 3, milliseconds{50});
}

/// Tells the other instances the lease is free at once instead of after its time to live; a failure to do so
/// only delays them.
class LeaseHold {
public:
    LeaseHold(store::LeaseRepository& leases, const std::string& holder) : _leases(leases), _holder(holder) {}
    ~LeaseHold() {
        try {
            _leases.release(Scheduler::leaseName, _holder);
        } catch (const std::exception& e) {
            logger().warning("could not release the audit lease (it expires by itself): %s",
                             std::string(e.what()));
        }
    }
    LeaseHold(const LeaseHold&) = delete;
    LeaseHold& operator=(const LeaseHold&) = delete;

private:
    store::LeaseRepository& _leases;
    const std::string& _holder;
};

} // namespace

bool Scheduler::Settings::enabled() const {
    const std::string text = Poco::toLower(Poco::trim(schedule));
    return !text.empty() && text != "off";
}

Scheduler::Scheduler(store::Database& db, Settings settings, RunSlot runSlot)
    : _db(db), _settings(std::move(settings)), _runSlot(std::move(runSlot)), _leases(_db) {
    if (!_settings.enabled()) return;
    _cron = audit::CronExpression::parse(_settings.schedule);
    _zone.emplace(_settings.timeZone);
    if (_settings.leaseTtl.count() <= 0)
        throw std::invalid_argument("the audit lease's time to live must be positive");
    if (_settings.instanceId.empty()) throw std::invalid_argument("the scheduler needs an instance id");
}

Scheduler::~Scheduler() {
    stop();
}

void Scheduler::start() {
    if (!_settings.enabled()) return;
    std::lock_guard<std::mutex> lock(_threadMutex);
    if (_thread.joinable()) return;
    _stopping = false;
    _thread = std::thread([this] { loop(); });
    logger().information("scheduled audits: '%s' in %s, as %s", _cron->text(), _zone->name(),
                         _settings.instanceId);
}

void Scheduler::stop() {
    std::thread thread;
    {
        std::lock_guard<std::mutex> lock(_threadMutex);
        _stopping = true;
        thread = std::move(_thread);
    }
    _wake.notify_all();
    if (thread.joinable()) thread.join();
}

void Scheduler::loop() {
    const milliseconds retry = renewInterval(_settings.leaseTtl);
    std::unique_lock<std::mutex> lock(_threadMutex);
    while (!_stopping) {
        lock.unlock();
        milliseconds wait = retry;
        try {
            tick(std::chrono::system_clock::now());
            if (!pendingSlot()) {
                // Wake at the next slot, but at least every minute so that a changed system clock is noticed.
                const auto untilNext = std::chrono::duration_cast<milliseconds>(
                    nextSlot().value_or(TimePoint::max() - std::chrono::hours(1)) -
                    std::chrono::system_clock::now());
                wait = std::clamp(untilNext, milliseconds{0}, milliseconds{60000});
            }
        } catch (const std::exception& e) {
            logger().error("scheduled audit: %s (trying again)", domain::logSafe(e.what()));
        }
        lock.lock();
        _wake.wait_for(lock, wait, [this] { return _stopping; });
    }
}

bool Scheduler::tick(TimePoint now) {
    if (!_settings.enabled()) return false;
    std::lock_guard<std::mutex> tickLock(_tickMutex);
    if (!_started) {
        // A slot at this very instant is due, not missed: the check below finds it either way.
        const TimePoint next = _cron->next(now - milliseconds{1}, *_zone);
        const std::optional<TimePoint> missed = missedSlot(now);
        std::lock_guard<std::mutex> lock(_stateMutex);
        _next = next;
        _pending = missed;
        _started = true;
    }
    {
        std::lock_guard<std::mutex> lock(_stateMutex);
        if (now >= *_next) {
            // Several slots may have passed (a long audit, a suspended machine): only the latest runs.
            _pending = _cron->previous(now, *_zone);
            _next = _cron->next(now, *_zone);
        }
        if (!_pending) return false;
    }
    return runPending(now);
}

std::optional<Scheduler::TimePoint> Scheduler::missedSlot(TimePoint now) {
    if (!_settings.runMissedOnStart) return std::nullopt;
    const TimePoint last = _cron->previous(now, *_zone);
    if (last == TimePoint::min() || last >= now) return std::nullopt;
    // Without an earlier scheduled audit on record nothing was missed: the schedule starts now.
    const auto recorded = _leases.latestScheduledSlot();
    if (!recorded || slotText(last) <= *recorded) return std::nullopt;
    logger().information("the scheduled audit of %s was missed; it runs now", slotText(last));
    return last;
}

bool Scheduler::runPending(TimePoint now) {
    const TimePoint pending = *pendingSlot();
    const std::string slot = slotText(pending);
    auto ranAlready = [&] {
        const auto recorded = _leases.latestScheduledSlot();
        if (!recorded || *recorded < slot) return false;
        std::lock_guard<std::mutex> lock(_stateMutex);
        if (_pending == pending) _pending.reset();
        return true;
    };
    if (ranAlready()) return false;
    if (!_leases.tryAcquire(leaseName, _settings.instanceId, _settings.leaseTtl, now)) return false;
    LeaseHold hold(_leases, _settings.instanceId);
    // Checked again under the lease: an instance whose lease expired mid-run has recorded the slot already.
    if (ranAlready()) return false;
    {
        std::lock_guard<std::mutex> lock(_stateMutex);
        if (_pending == pending) _pending.reset();
    }
    runWithRenewal(slot, now);
    return true;
}

void Scheduler::runWithRenewal(const std::string& slot, TimePoint now) {
    const auto started = std::chrono::steady_clock::now();
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread renewer([&] {
        std::unique_lock<std::mutex> lock(mutex);
        while (!finished.wait_for(lock, renewInterval(_settings.leaseTtl), [&] { return done; })) {
            lock.unlock();
            const auto at = now + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                      std::chrono::steady_clock::now() - started);
            try {
                if (!_leases.renew(leaseName, _settings.instanceId, _settings.leaseTtl, at))
                    logger().warning("scheduled audit of %s: another instance took the lease over", slot);
            } catch (const std::exception& e) {
                logger().warning("scheduled audit of %s: could not renew the lease: %s", slot,
                                 std::string(e.what()));
            }
            lock.lock();
        }
    });
    logger().information("scheduled audit of %s starts on %s", slot, _settings.instanceId);
    try {
        _runSlot(slot);
    } catch (const std::exception& e) {
        logger().error("scheduled audit of %s failed: %s", slot, domain::logSafe(e.what()));
    } catch (...) {
        logger().error("scheduled audit of %s failed", slot);
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        done = true;
    }
    finished.notify_all();
    renewer.join();
}

std::optional<Scheduler::TimePoint> Scheduler::nextSlot() const {
    std::lock_guard<std::mutex> lock(_stateMutex);
    return _next;
}

std::optional<Scheduler::TimePoint> Scheduler::pendingSlot() const {
    std::lock_guard<std::mutex> lock(_stateMutex);
    return _pending;
}

std::string Scheduler::slotText(TimePoint slot) {
    return domain::formatTimestamp(std::chrono::duration_cast<milliseconds>(slot.time_since_epoch()).count());
}

std::string Scheduler::slotDate(const std::string& slot) const {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millisecond = 0;
    char zulu = 0;
    if (slot.size() != 24 ||
        std::sscanf(slot.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &year, &month, &day, &hour, &minute,
                    &second, &millisecond, &zulu) != 8 ||
        zulu != 'Z')
        throw std::invalid_argument("not a schedule slot (RFC 3339 UTC with milliseconds): \"" + slot + "\"");
    const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                   date::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) throw std::invalid_argument("not a schedule slot (no such date): \"" + slot + "\"");
    const TimePoint instant = date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                              std::chrono::seconds{second} + milliseconds{millisecond};
    return (_zone ? *_zone : audit::TimeZone(_settings.timeZone)).localDate(instant);
}

} // namespace registry::service
