#pragma once
// What an audit found, on its way into the findings table. While the audit runs its findings are staged
// in audit_results (committed in chunks, never holding up other writers); at the end one transaction
// merges them into findings, resolves what was not reported again, fixes the report and marks the run
// succeeded. A run that never gets there leaves the findings exactly as they were.

#include "domain/Audit.h"
#include "domain/Finding.h"
#include "store/AuditRunRepository.h"
#include "store/BulkWriter.h"
#include "store/Database.h"
#include "store/MailOutbox.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {

/// Writes one chunk of an audit's findings to audit_results, in its own short transaction. Only plugin,
/// plugin_version, rule, severity, subject, district, message and details of each finding are used.
void stageAuditFindings(Database& db, BulkStrategy strategy, long long auditId,
                        const std::vector<domain::Finding>& findings);

/// How many records an audit of `district` (nullopt: the city) checks: current prices, facilities and
/// burial sites.
long long countAuditSubjects(Database& db, const std::optional<std::string>& district);

/// Deletes what an audit staged (a cancelled or failed run).
void discardAuditFindings(Database& db, long long auditId);

struct AuditMerge {
    domain::AuditRun run;                          // running, with its startedAt
    std::vector<std::string> skippedPlugins;       // plugins that failed too often: their findings are kept
    std::map<std::string, long long> recordsPerDistrict;
    std::optional<long long> previousAuditId;      // the last succeeded audit of the same scope
    /// The mail for a district where this audit opens `count` violations (new findings of severity
    /// violation); recorded in the merge's transaction. Null: no mail.
    std::function<MailDraft(const std::string& district, long long count)> alert;
};

/// The end of a successful audit, in one transaction:
/// - a finding reported again keeps its status and notes and gets last_seen_at, message and audit_id;
///   a resolved one opens again, and a waived one opens again when its plugin's version changed;
/// - a new (plugin, rule, subject) opens a finding;
/// - an open or acknowledged finding in the audit's scope that was not reported again is resolved by this
///   audit, unless its plugin failed on that record or was skipped (a failure proves nothing);
/// - the run's summary (the report) and counts are written and it is marked succeeded.
/// Returns nullopt, changing nothing, when a cancel was asked for meanwhile: a cancel that was accepted
/// (202) always ends the audit cancelled, even one that had checked its last record.
std::optional<AuditCounts> mergeAuditFindings(Database& db, const AuditMerge& merge);

struct DryRunEnd {
    domain::AuditRun run;                      // running, a dry run of `plugin` `version`
    std::string plugin, version;
    std::optional<std::string> activeVersion;  // the version it would replace, if one is active
    bool skipped = false;                      // it failed too often and was skipped
    std::map<std::string, long long> recordsPerDistrict;
    std::size_t maxChanges = 500;              // of each kind, listed in the report
};

/// The end of a dry run, in one transaction that leaves the findings as they are: the report compares what
/// the version reported with the open findings of the plugin in the run's scope (would be new, unchanged as
/// findings_still_open, would no longer be reported as findings_resolved; plugin errors) and lists each
/// change (`changes`: {"change": "new"|"gone", rule, severity, subject_type, subject_id, district, message,
/// finding_id}); what it staged is deleted and the run marked succeeded. nullopt when a cancel was asked for.
std::optional<AuditCounts> finishDryRun(Database& db, const DryRunEnd& end);

} // namespace registry::store
