#include "service/AuditService.h"

#include "audit/Cron.h"

#include "domain/Dates.h"
#include "domain/LogText.h"
#include "metrics/Metrics.h"
#include "store/AuditRunRepository.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

namespace registry::service {

namespace {

// Audits this instance ran; what the whole registry's audits look like comes from the database at scrape
// time (service/Operations).
void countAudit(const domain::AuditRun& run, double seconds) {
    auto& r = metrics::Registry::global();
    static const std::vector<double> bounds{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};
    static auto& runs = r.counter("registry_audit_runs_total", "Audits this instance ran, by trigger and how they ended",
                                  {"trigger", "status"});
    static auto& durations = r.histogram("registry_audit_duration_seconds", "How long this instance's audits took",
                                         {"trigger"}, bounds);
    static auto& records = r.counter("registry_audit_records_checked_total", "Records this instance's audits checked").with();
    static auto& newFindings =
        r.counter("registry_audit_findings_new_total", "Findings this instance's audits raised that were not open before").with();
    static auto& pluginErrors =
        r.counter("registry_audit_plugin_errors_total", "Plugin failures in this instance's audits").with();
    const std::string trigger = domain::toString(run.trigger);
    runs.with({trigger, domain::toString(run.status)}).add();
    durations.with({trigger}).observe(seconds);
    records.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, run.recordsChecked)));
    newFindings.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, run.findingsNew)));
    pluginErrors.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, run.pluginErrors)));
}

} // namespace

std::string localDate(const std::string& zone) {
    return audit::TimeZone(zone).localDate(std::chrono::system_clock::now());
}

AuditService::AuditService(store::Database& db, plugins::PluginHost& host, AuditServiceSettings settings)
    : _db(db), _settings(std::move(settings)), _runner(db, host, _settings.runner) {
    if (!_settings.today) _settings.today = [] { return domain::todayUtc(); };
}

AuditService::~AuditService() { stop(); }

void AuditService::failAbandoned(bool mine) {
    const auto stale = domain::formatTimestamp(domain::nowEpochMs() - 1000LL * _settings.staleAfterSeconds);
    const int failed = store::AuditRunRepository(_db).failAbandoned(
        mine ? std::optional<std::string>(instanceId()) : std::nullopt, stale);
    if (failed > 0)
        Poco::Logger::get("registry.audit")
            .warning("%d unfinished audit(s) marked failed: their server stopped while they ran", failed);
}

void AuditService::start() {
    failAbandoned(true);
    std::lock_guard<std::mutex> lock(_mutex);
    if (_thread.joinable()) return;
    _stopping = false;
    _pending = true; // runs queued before a restart of this instance are failed above; look anyway
    _thread = std::thread([this] { loop(); });
}

void AuditService::stop() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stopping = true;
        if (_current != 0) {
            try {
                store::AuditRunRepository(_db).requestCancel(_current);
            } catch (const std::exception& e) {
                Poco::Logger::get("registry.audit")
                    .warning("cannot cancel audit " + std::to_string(_current) + ": " + e.what());
            }
        }
        _wake.notify_all();
    }
    if (_thread.joinable()) _thread.join();
}

domain::AuditRun AuditService::request(const std::optional<std::string>& district, const std::string& user) {
    auto run = store::AuditRunRepository(_db).createManual(district, user, _settings.today(), instanceId());
    std::lock_guard<std::mutex> lock(_mutex);
    _pending = true;
    _wake.notify_all();
    return run;
}

domain::AuditRun AuditService::requestDryRun(const std::string& plugin, const std::string& version,
                                            const std::optional<std::string>& district, const std::string& user) {
    auto run = store::AuditRunRepository(_db).createDryRun(plugin, version, district, user, _settings.today(),
                                                           instanceId());
    std::lock_guard<std::mutex> lock(_mutex);
    _pending = true;
    _wake.notify_all();
    return run;
}

bool AuditService::cancel(long long id) { return store::AuditRunRepository(_db).requestCancel(id); }

void AuditService::runSlot(const std::string& slot, const std::string& auditDate) {
    const auto run = store::AuditRunRepository(_db).createScheduled(slot, auditDate, instanceId());
    if (!run) return; // another instance has this slot
    runOne(run->id);
}

domain::AuditRun AuditService::runNow(const std::optional<std::string>& district, const std::string& user,
                                      const AuditRunner::Progress& progress) {
    const auto run = store::AuditRunRepository(_db).createManual(district, user, _settings.today(), instanceId());
    return runOne(run.id, progress);
}

domain::AuditRun AuditService::runOne(long long id, const AuditRunner::Progress& progress) {
    std::lock_guard<std::mutex> one(_runMutex);
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _current = id;
    }
    struct Clear {
        AuditService& self;
        ~Clear() {
            std::lock_guard<std::mutex> lock(self._mutex);
            self._current = 0;
        }
    } clear{*this};
    const auto start = std::chrono::steady_clock::now();
    auto run = _runner.run(id, progress);
    countAudit(run, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return run;
}

void AuditService::loop() {
    auto& log = Poco::Logger::get("registry.audit");
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(_mutex);
            _wake.wait_for(lock, std::chrono::seconds(std::max(1, _settings.staleAfterSeconds / 2)),
                           [&] { return _stopping || _pending; });
            if (_stopping) return;
            _pending = false;
        }
        try {
            failAbandoned(false); // runs of instances that died meanwhile
            for (long long id : store::AuditRunRepository(_db).queuedFor(instanceId())) {
                {
                    std::lock_guard<std::mutex> lock(_mutex);
                    if (_stopping) return;
                }
                runOne(id);
            }
        } catch (const std::exception& e) {
            // The database is away: the runs stay queued and are tried on the next request.
            log.error("audits: %s", domain::logSafe(e.what()));
        }
    }
}

} // namespace registry::service
