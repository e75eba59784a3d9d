#pragma once
// Runs one audit: streams the records of its scope from the database in keyset-paginated batches (never
// the whole table in memory), evaluates each on a pool of worker threads with the plugins of its district
// and common/ (each thread borrowing its own Lua state from the host's pool), stages what the plugins
// report in chunks, and merges it into the findings at the end in one transaction
// (store::mergeAuditFindings). Progress and a heartbeat are written as it goes; a cancel request stops it
// at the next batch. However it ends, the findings are either merged whole or not touched.

#include "domain/Audit.h"
#include "plugins/PluginHost.h"
#include "store/BulkWriter.h"
#include "store/Database.h"

#include <functional>
#include <string>

namespace registry::service {

class Alerts;

struct RunnerSettings {
    int workers = 2;                 // audit.workers: threads evaluating records
    int batchRows = 500;             // records read per query (store::maxPageLimit at most)
    std::size_t stageRows = 5000;    // findings staged per write
    int progressIntervalMs = 1000;   // how often progress and the heartbeat are written
    std::string instanceId;          // this server instance, written as the run's runner
    store::BulkStrategy bulkStrategy = store::BulkStrategy::Auto;
    /// Mail to the districts where an audit opens violations; null: none (no mail.smtp_url).
    const Alerts* alerts = nullptr;
};

class AuditRunner {
public:
    AuditRunner(store::Database& db, plugins::PluginHost& host, RunnerSettings settings);

    /// Called with (records checked, records total) as the audit goes, from the thread that called run().
    using Progress = std::function<void(long long checked, long long total)>;

    /// Runs the queued audit `auditId` to its end and returns the run as stored then: succeeded, failed (with
    /// its error) or cancelled. A run that is not queued any more is returned as it is.
    domain::AuditRun run(long long auditId, const Progress& progress = {});

private:
    store::Database& _db;
    plugins::PluginHost& _host;
    RunnerSettings _settings;
};

} // namespace registry::service
