#pragma once
// Audit runs: their lifecycle (queued → running → succeeded | failed | cancelled), progress and
// heartbeat while running, cancel requests, and the clean-up of runs whose server died.

#include "domain/Audit.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::store {

struct AuditRunFilter {
    std::optional<std::string> district; // runs of this district and citywide ones (a district user's view)
    bool includeCitywide = true;
};

struct AuditCounts {
    long long findingsNew = 0;
    long long findingsResolved = 0;
    long long pluginErrors = 0;
};

class AuditRunRepository {
public:
    explicit AuditRunRepository(Database& db) : _db(db) {}

    /// A queued manual run, to be run by the server instance `runner`.
    domain::AuditRun createManual(const std::optional<std::string>& district, const std::string& requestedBy,
                                  const std::string& auditDate, const std::string& runner);
    /// A queued dry run of `plugin` `version` over `district` (nullopt: the city): that version runs alone
    /// and no finding is written (store::finishDryRun).
    domain::AuditRun createDryRun(const std::string& plugin, const std::string& version,
                                  const std::optional<std::string>& district, const std::string& requestedBy,
                                  const std::string& auditDate, const std::string& runner);
    /// The plugin set the run ran, JSON [{"name","version","sha256"}].
    void setPlugins(long long id, const std::string& pluginsJson);
    /// A queued run for one slot of the schedule, or nullopt when that slot has a run already (the
    /// unique scheduled_for: two instances never both get one).
    std::optional<domain::AuditRun> createScheduled(const std::string& slot, const std::string& auditDate,
                                                    const std::string& runner);

    std::optional<domain::AuditRun> get(long long id);
    Page<domain::AuditRun> list(const AuditRunFilter& filter, const PageRequest& page);
    /// The most recent run (not a dry run) in any status: of `district` or citywide, or of any scope
    /// without one (what the dashboard shows as the last audit).
    std::optional<domain::AuditRun> latest(const std::optional<std::string>& district);
    /// The most recent succeeded run (not a dry run), of any scope.
    std::optional<domain::AuditRun> latestSucceeded();
    /// The last succeeded run (not a dry run) of the same scope finished before `id` started.
    std::optional<domain::AuditRun> previousSucceeded(const domain::AuditRun& run);

    /// The queued runs `runner` is to run, oldest first.
    std::vector<long long> queuedFor(const std::string& runner);

    /// queued → running, claimed by `runner`. False when the run is not queued any more (cancelled).
    bool start(long long id, const std::string& runner, long long recordsTotal);
    /// Progress and heartbeat; returns whether a cancel was requested.
    bool progress(long long id, long long recordsChecked);
    /// A cancel request: a queued run is cancelled at once, a running one at its next batch. False when
    /// the run has finished already.
    bool requestCancel(long long id);
    void finish(long long id, domain::AuditStatus status, const AuditCounts& counts, const std::string& summaryJson,
                const std::string& error);

    /// Marks failed every queued or running run of `runner`, if given (it is starting again, so they died
    /// with it),
    /// and every running one whose heartbeat is older than `staleBefore` (another instance died),
    /// and deletes what they had staged. Returns how many.
    int failAbandoned(const std::optional<std::string>& runner, const std::string& staleBefore);

private:
    Database& _db;
};

} // namespace registry::store
