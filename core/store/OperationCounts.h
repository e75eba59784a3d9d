#pragma once
// What GET /metrics reads from the database at scrape time: the same for every instance on it (findings
// open by severity, notices by status, audits waiting or running and the last successful ones, mail not yet
// sent). Each is a count over an indexed column or a small table, on one connection.

#include "store/Database.h"
#include "store/DashboardCounts.h"

#include <optional>
#include <string>

namespace registry::store {

struct OperationTallies {
    CountsByKey openFindings;   // open or acknowledged, by severity
    CountsByKey notices;        // by status
    long long noticesOverdue = 0; // not verified, deadline before today
    CountsByKey auditRuns;      // by status (queued, running, succeeded, failed, cancelled)
    /// finished_at (RFC 3339 UTC) of the latest succeeded audit, by trigger ("schedule", "manual").
    std::map<std::string, std::string> lastSucceeded;
    long long mailQueued = 0;   // waiting for a (first or next) attempt
    long long mailGivenUp = 0;  // every attempt failed
};

class OperationCounts {
public:
    explicit OperationCounts(Database& db) : _db(db) {}
    /// Every count, `today` dating the overdue notices.
    OperationTallies tallies(const std::string& today);

private:
    Database& _db;
};

} // namespace registry::store
