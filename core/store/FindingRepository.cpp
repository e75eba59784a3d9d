#include "store/FindingRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/SqlQuery.h"

namespace registry::store {

using domain::Finding;

namespace {

const char* const selectColumns =
    "SELECT id, plugin, plugin_version, rule, severity, subject_type, subject_id, district, message, details, "
    "status, status_note, status_by, first_seen_at, last_seen_at, audit_id, resolved_by_audit_id, version "
    "FROM findings";

std::vector<Finding> fetchAll(soci::session& sql, SqlQuery& q) {
    Finding f;
    std::string severity, subjectType, district, status;
    long long auditId = 0, resolvedBy = 0;
    soci::indicator districtInd, auditInd, resolvedInd;
    soci::statement st(sql);
    st.exchange(soci::into(f.id));
    st.exchange(soci::into(f.plugin));
    st.exchange(soci::into(f.pluginVersion));
    st.exchange(soci::into(f.rule));
    st.exchange(soci::into(severity));
    st.exchange(soci::into(subjectType));
    st.exchange(soci::into(f.subjectId));
    st.exchange(soci::into(district, districtInd));
    st.exchange(soci::into(f.message));
    st.exchange(soci::into(f.detailsJson));
    st.exchange(soci::into(status));
    st.exchange(soci::into(f.statusNote));
    st.exchange(soci::into(f.statusBy));
    st.exchange(soci::into(f.firstSeenAt));
    st.exchange(soci::into(f.lastSeenAt));
    st.exchange(soci::into(auditId, auditInd));
    st.exchange(soci::into(resolvedBy, resolvedInd));
    st.exchange(soci::into(f.version));
    q.prepareInto(st);
    st.execute();
    std::vector<Finding> out;
    while (st.fetch()) {
        f.severity = domain::parseEnum<domain::Severity>(severity).value_or(domain::Severity::Error);
        f.subjectType = domain::parseEnum<domain::SubjectType>(subjectType).value_or(domain::SubjectType::Price);
        f.district = districtInd == soci::i_ok ? std::optional<std::string>(district) : std::nullopt;
        f.status = domain::parseEnum<domain::FindingStatus>(status).value_or(domain::FindingStatus::Open);
        f.auditId = auditInd == soci::i_ok ? std::optional<std::int64_t>(auditId) : std::nullopt;
        f.resolvedByAuditId = resolvedInd == soci::i_ok ? std::optional<std::int64_t>(resolvedBy) : std::nullopt;
        out.push_back(f);
    }
    return out;
}

std::optional<Finding> fetchOne(soci::session& sql, SqlQuery& q) { return firstRow(fetchAll(sql, q)); }

} // namespace

std::optional<Finding> FindingRepository::get(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    return fetchOne(session.sql(), q);
}

std::optional<long long> FindingRepository::facilityOf(const Finding& finding) {
    switch (finding.subjectType) {
    case domain::SubjectType::Facility: return finding.subjectId;
    case domain::SubjectType::BurialSite: return std::nullopt;
    case domain::SubjectType::Price: break;
    }
    Database::Session session(_db);
    long long facility = 0;
    soci::indicator ind = soci::i_null;
    const long long price = finding.subjectId;
    session.sql() << "SELECT facility_id FROM price_records WHERE id = :id", soci::use(price), soci::into(facility, ind);
    if (!session.sql().got_data() || ind != soci::i_ok) return std::nullopt;
    return facility;
}

Page<Finding> FindingRepository::list(const FindingFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.district) q.where("district = " + q.bind(*filter.district));
    if (filter.severity) q.where("severity = " + q.bind(domain::toString(*filter.severity)));
    if (filter.status) q.where("status = " + q.bind(domain::toString(*filter.status)));
    if (filter.plugin) q.where("plugin = " + q.bind(*filter.plugin));
    if (filter.rule) q.where("rule = " + q.bind(*filter.rule));
    if (filter.auditId) q.where("audit_id = " + q.bind(*filter.auditId));
    if (filter.subjectType) q.where("subject_type = " + q.bind(domain::toString(*filter.subjectType)));
    if (filter.subjectId) q.where("subject_id = " + q.bind(*filter.subjectId));
    if (filter.facilityId) {
        // Placeholders bound in the order they appear.
        std::string condition = "((subject_type = 'facility' AND subject_id = " + q.bind(*filter.facilityId) + ")";
        condition += " OR (subject_type = 'price' AND subject_id IN (SELECT id FROM price_records WHERE facility_id = " +
                     q.bind(*filter.facilityId) + ")))";
        q.where(condition);
    }
    const int limit = q.paginate(page, "id");
    return makePage(fetchAll(session.sql(), q), limit);
}

Finding FindingRepository::report(const Finding& input) { return report(std::vector<Finding>{input}).front(); }

std::vector<Finding> FindingRepository::report(const std::vector<Finding>& inputs) {
    return retryConflicts([&]() -> std::vector<Finding> {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        std::vector<Finding> out;
        for (const auto& input : inputs) out.push_back(reportIn(sql, input));
        tx.commit();
        return out;
    });
}

void FindingRepository::reportWithRecord(soci::session& sql, const std::vector<Finding>& findings, long long subjectId) {
    for (auto f : findings) {
        f.subjectId = subjectId;
        reportIn(sql, f);
    }
}

Finding FindingRepository::reportIn(soci::session& sql, const Finding& input) {
    SqlQuery q(selectColumns);
    q.where("plugin = " + q.bind(input.plugin));
    q.where("rule = " + q.bind(input.rule));
    q.where("subject_type = " + q.bind(domain::toString(input.subjectType)));
    q.where("subject_id = " + q.bind(static_cast<long long>(input.subjectId)));
    q.append(forUpdate(sql));
    const auto existing = fetchOne(sql, q);
    Finding f = input;
    const std::string now = domain::nowTimestamp();
    const std::string severity = domain::toString(f.severity);
    long long audit = f.auditId.value_or(0);
    soci::indicator auditInd = f.auditId ? soci::i_ok : soci::i_null;
    if (existing) {
        f.id = existing->id;
        f.firstSeenAt = existing->firstSeenAt;
        f.lastSeenAt = now;
        // Reported on a write of the record: the record changed, so a resolved finding and a waiver of
        // the old record are open again. (An audit that merely sees the record again keeps a waiver:
        // store::mergeAuditFindings.)
        const bool reopens = existing->status == domain::FindingStatus::Resolved ||
                             existing->status == domain::FindingStatus::Waived;
        f.status = reopens ? domain::FindingStatus::Open : existing->status;
        f.statusNote = existing->statusNote;
        f.statusBy = existing->statusBy;
        f.version = existing->version + 1;
        const std::string status = domain::toString(f.status);
        sql << "UPDATE findings SET plugin_version = :v, severity = :severity, message = :message, details = :details, "
               "status = :status, last_seen_at = :now, audit_id = :audit, resolved_by_audit_id = NULL, "
               "version = version + 1 WHERE id = :id",
            soci::use(f.pluginVersion), soci::use(severity), soci::use(f.message), soci::use(f.detailsJson),
            soci::use(status), soci::use(now), soci::use(audit, auditInd), soci::use(f.id);
    } else {
        f.firstSeenAt = f.lastSeenAt = now;
        f.status = domain::FindingStatus::Open;
        f.version = 1;
        const std::string subjectType = domain::toString(f.subjectType), status = domain::toString(f.status);
        std::string district = f.district.value_or("");
        soci::indicator districtInd = f.district ? soci::i_ok : soci::i_null;
        long long subjectId = f.subjectId;
        sql << "INSERT INTO findings (plugin, plugin_version, rule, severity, subject_type, subject_id, district, "
               "message, details, status, status_note, status_by, first_seen_at, last_seen_at, audit_id, "
               "resolved_by_audit_id, version) VALUES (:plugin, :v, :rule, :severity, :type, :subject, :district, "
               ":message, :details, :status, '', '', :first, :last, :audit, NULL, 1)",
            soci::use(f.plugin), soci::use(f.pluginVersion), soci::use(f.rule), soci::use(severity),
            soci::use(subjectType), soci::use(subjectId), soci::use(district, districtInd), soci::use(f.message),
            soci::use(f.detailsJson), soci::use(status), soci::use(f.firstSeenAt), soci::use(f.lastSeenAt),
            soci::use(audit, auditInd);
        f.id = Database::lastInsertId(sql, "findings");
    }
    return f;
}

Finding FindingRepository::setStatus(long long id, domain::FindingStatus status, const std::string& note,
                                     const std::string& actor) {
    return retryConflicts([&]() -> Finding {
        auto errors = domain::validateStatusChange(status, note);
        if (!errors.empty()) throw ValidationFailed(std::move(errors));
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        auto f = setStatusIn(sql, id, status, note, actor);
        tx.commit();
        return f;
    });
}

Finding FindingRepository::setStatusIn(soci::session& sql, long long id, domain::FindingStatus status,
                                       const std::string& note, const std::string& actor) {
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    q.append(forUpdate(sql));
    const auto before = fetchOne(sql, q);
    if (!before) throw NotFound("finding " + std::to_string(id) + " does not exist");
    Finding f = *before;
    f.status = status;
    f.statusNote = note;
    f.statusBy = actor;
    f.version = before->version + 1;
    const std::string text = domain::toString(status);
    sql << "UPDATE findings SET status = :status, status_note = :note, status_by = :by, version = version + 1 "
           "WHERE id = :id",
        soci::use(text), soci::use(note), soci::use(actor), soci::use(id);
    ChangeLog::append(sql, actor, "set_status", "finding", id, codec::stringify(codec::toJson(*before)),
                      codec::stringify(codec::toJson(f)));
    return f;
}

} // namespace registry::store
