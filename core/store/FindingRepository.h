#pragma once
// Findings: what plugins report, kept per (plugin, rule, subject) so that an inspector's status and notes
// survive later checks of the same record.

#include "domain/Finding.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::store {

struct FindingFilter {
    std::optional<std::string> district;
    std::optional<domain::Severity> severity;
    std::optional<domain::FindingStatus> status;
    std::optional<std::string> plugin;
    std::optional<std::string> rule;
    std::optional<long long> auditId;
    std::optional<domain::SubjectType> subjectType;
    std::optional<long long> subjectId;
    /// Findings about this facility or one of its price records (an operator's view).
    std::optional<long long> facilityId;
};

class FindingRepository {
public:
    explicit FindingRepository(Database& db) : _db(db) {}

    std::optional<domain::Finding> get(long long id);
    /// The facility a finding is about: its subject, or its subject price's facility; nullopt for a burial
    /// site's.
    std::optional<long long> facilityOf(const domain::Finding& finding);
    Page<domain::Finding> list(const FindingFilter& filter, const PageRequest& page);

    /// Records a finding reported by the checks on a write of its record: a new (plugin, rule, subject)
    /// opens one; a known one gets its message, details, severity and last_seen_at refreshed and keeps its
    /// status, except that a resolved or waived one opens again (the record changed since).
    domain::Finding report(const domain::Finding& finding);
    /// report() of each, in one transaction (one commit for all the findings of one write).
    std::vector<domain::Finding> report(const std::vector<domain::Finding>& findings);
    /// report() of each inside the caller's transaction, the one that writes their record (whose id they get
    /// as subject_id): a write and its findings are committed together, once.
    static void reportWithRecord(soci::session& sql, const std::vector<domain::Finding>& findings, long long subjectId);

    /// An inspector's status change. Throws NotFound, ValidationFailed (a waiver without a note).
    domain::Finding setStatus(long long id, domain::FindingStatus status, const std::string& note,
                              const std::string& actor);
    /// The same within the caller's open transaction on `sql` (a verified notice resolves its findings).
    static domain::Finding setStatusIn(soci::session& sql, long long id, domain::FindingStatus status,
                                       const std::string& note, const std::string& actor);

private:
    static domain::Finding reportIn(soci::session& sql, const domain::Finding& finding);
    Database& _db;
};

} // namespace registry::store
