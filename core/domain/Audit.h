#pragma once
// An audit run: one pass of every applicable plugin over every record of the city or of one district,
// started by the schedule or by a person, with its progress and the counts of what it found.

#include "domain/Enums.h"

#include <cstdint>
#include <optional>
#include <string>

namespace registry::domain {

struct AuditRun {
    std::int64_t id = 0;
    AuditTrigger trigger = AuditTrigger::Manual;
    std::optional<std::string> district; // nullopt: the whole city
    AuditStatus status = AuditStatus::Queued;
    std::optional<std::string> scheduledFor; // the schedule's slot (RFC 3339 UTC), for scheduled runs
    std::string auditDate;                   // the date the plugins see as ctx.today(), in audit.timezone
    std::int64_t recordsTotal = 0;
    std::int64_t recordsChecked = 0;
    std::int64_t findingsNew = 0;
    std::int64_t findingsResolved = 0;
    std::int64_t pluginErrors = 0;
    std::string requestedBy; // the user, or "" for the schedule
    std::string runner;      // the server instance that ran it
    std::string error;       // why it failed
    std::string createdAt;
    std::optional<std::string> startedAt;
    std::optional<std::string> finishedAt;
    std::string summaryJson = "{}"; // the report, fixed when the audit finished
    bool cancelRequested = false;
    /// A dry run: this plugin version runs alone, in place of the active one, and no finding is written.
    std::optional<std::string> dryRunPlugin;
    std::optional<std::string> dryRunVersion;
    std::string pluginsJson = "[]"; // the plugin set it ran: [{"name","version","sha256"}]

    bool dryRun() const { return dryRunPlugin.has_value(); }

    bool finished() const {
        return status == AuditStatus::Succeeded || status == AuditStatus::Failed || status == AuditStatus::Cancelled;
    }
};

} // namespace registry::domain
