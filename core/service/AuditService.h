#pragma once
// Audits as the server runs them: a request (POST /api/v1/audits, the web form) queues a run that this
// instance's audit thread runs; the scheduler's slots run through runSlot; one audit at a time per
// instance. On start, runs this instance left unfinished (it crashed or was killed) and running runs of
// instances whose heartbeat stopped are marked failed, with nothing of them kept.

#include "service/AuditRunner.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace registry::service {

struct AuditServiceSettings {
    RunnerSettings runner;
    /// The date plugins see as ctx.today() (in audit.timezone).
    std::function<std::string()> today;
    /// A running audit whose heartbeat is older than this belongs to an instance that died; the audit
    /// thread looks for such runs every half of it.
    int staleAfterSeconds = 300;
};

/// Today's date (YYYY-MM-DD) in the IANA time zone `zone` (audit.timezone), as plugins see ctx.today().
std::string localDate(const std::string& zone);

class AuditService {
public:
    AuditService(store::Database& db, plugins::PluginHost& host, AuditServiceSettings settings);
    ~AuditService();
    AuditService(const AuditService&) = delete;
    AuditService& operator=(const AuditService&) = delete;

    /// Marks abandoned runs failed and starts the audit thread.
    void start();
    /// Cancels the audit in progress (it ends as cancelled) and stops the thread.
    void stop();

    /// Queues an audit of `district` (nullopt: the city) requested by `user`; it starts as soon as the
    /// audit in progress, if any, has finished.
    domain::AuditRun request(const std::optional<std::string>& district, const std::string& user);
    /// Queues a dry run of `plugin` `version` over `district` (nullopt: the city), like request().
    domain::AuditRun requestDryRun(const std::string& plugin, const std::string& version,
                                   const std::optional<std::string>& district, const std::string& user);
    /// See store::AuditRunRepository::requestCancel.
    bool cancel(long long id);

    /// The scheduler's callback: runs the audit of `slot` (its date `auditDate` in audit.timezone) here and
    /// now, unless a run for that slot exists.
    void runSlot(const std::string& slot, const std::string& auditDate);

    /// Runs an audit in the calling thread (the `audit` command).
    domain::AuditRun runNow(const std::optional<std::string>& district, const std::string& user,
                            const AuditRunner::Progress& progress = {});

    const std::string& instanceId() const { return _settings.runner.instanceId; }

private:
    void loop();
    /// Marks failed what died: with `mine`, also this instance's own unfinished runs (at start).
    void failAbandoned(bool mine);
    domain::AuditRun runOne(long long id, const AuditRunner::Progress& progress = {});

    store::Database& _db;
    AuditServiceSettings _settings;
    AuditRunner _runner;
    std::mutex _runMutex; // one audit at a time
    std::mutex _mutex;
    std::condition_variable _wake;
    bool _stopping = false;
    bool _pending = false;
    long long _current = 0; // the run in progress, 0 when none
    std::thread _thread;
};

} // namespace registry::service
