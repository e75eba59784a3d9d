#pragma once
// A finding: what a plugin's rule reported about one record. (plugin, rule, subject) identifies it across
// audits; inspectors work through it (acknowledge, resolve, waive with a note).

#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>

namespace registry::domain {

struct Finding {
    std::int64_t id = 0;
    std::string plugin;
    std::string pluginVersion;
    std::string rule;
    Severity severity = Severity::Info;
    SubjectType subjectType = SubjectType::Price;
    std::int64_t subjectId = 0;
    std::optional<std::string> district;
    std::string message;
    std::string detailsJson = "{}";
    FindingStatus status = FindingStatus::Open;
    std::string statusNote;
    std::string statusBy;
    std::string firstSeenAt;
    std::string lastSeenAt;
    std::optional<std::int64_t> auditId;
    std::optional<std::int64_t> resolvedByAuditId;
    std::int64_t version = 1;
};

/// Checks a status change an inspector asks for; a note is required to waive.
FieldErrors validateStatusChange(FindingStatus to, const std::string& note);

} // namespace registry::domain
