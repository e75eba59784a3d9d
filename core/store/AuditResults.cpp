#include "store/AuditResults.h"

#include "domain/Dates.h"
#include "domain/District.h"
#include "store/SqlQuery.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <set>
#include <sstream>
#include <tuple>

namespace registry::store {

namespace {

// The join of a staged row r with the finding f of the same (plugin, rule, subject).
const char* const sameFinding = "f.plugin = r.plugin AND f.rule = r.rule AND f.subject_type = r.subject_type AND "
                                "f.subject_id = r.subject_id";
// A staged row that opens a finding: none yet, a resolved one, or a waiver of an older version of the rule.
const char* const opensFinding = "(f.id IS NULL OR f.status = 'resolved' OR (f.status = 'waived' AND "
                                 "f.plugin_version <> r.plugin_version))";

// The findings an audit resolves: in scope, open or acknowledged, not seen since it started (neither by the
// audit nor by a write meanwhile), and not of a plugin that failed on that record or was skipped.
void whereResolved(SqlQuery& q, const AuditMerge& merge) {
    q.where("status IN ('open', 'acknowledged')");
    q.where("last_seen_at < " + q.bind(merge.run.startedAt.value_or("")));
    if (merge.run.district) q.where("district = " + q.bind(*merge.run.district));
    const std::string audit = q.bind(static_cast<long long>(merge.run.id));
    q.where("NOT EXISTS (SELECT 1 FROM audit_results r WHERE r.audit_id = " + audit +
            " AND r.plugin = findings.plugin AND r.rule = findings.rule AND r.subject_type = findings.subject_type "
            "AND r.subject_id = findings.subject_id)");
    q.where("NOT EXISTS (SELECT 1 FROM audit_results e WHERE e.audit_id = " + audit +
            " AND e.severity = 'error' AND e.plugin = findings.plugin AND e.subject_type = findings.subject_type "
            "AND e.subject_id = findings.subject_id)");
    if (!merge.skippedPlugins.empty()) {
        std::string list;
        for (const auto& p : merge.skippedPlugins) list += (list.empty() ? "" : ", ") + q.bind(p);
        q.where("plugin NOT IN (" + list + ")");
    }
}

struct RuleCount {
    std::string plugin, rule, severity;
    long long count = 0;
};

std::map<std::string, std::vector<RuleCount>> rulesByDistrict(soci::session& sql, long long auditId) {
    SqlQuery q("SELECT COALESCE(district, ''), plugin, rule, severity, COUNT(*) FROM audit_results");
    q.where("audit_id = " + q.bind(auditId));
    q.append(" GROUP BY COALESCE(district, ''), plugin, rule, severity ORDER BY 1, 2, 3, 4");
    std::string district;
    RuleCount row;
    soci::statement st(sql);
    st.exchange(soci::into(district));
    st.exchange(soci::into(row.plugin));
    st.exchange(soci::into(row.rule));
    st.exchange(soci::into(row.severity));
    st.exchange(soci::into(row.count));
    q.prepareInto(st);
    st.execute();
    std::map<std::string, std::vector<RuleCount>> out;
    while (st.fetch()) out[district].push_back(row);
    return out;
}

long long get(const std::map<std::string, long long>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

Poco::JSON::Object::Ptr summaryObject(const AuditMerge& merge, const std::map<std::string, long long>& opened,
                                      const std::map<std::string, long long>& stillOpen,
                                      const std::map<std::string, long long>& resolved,
                                      const std::map<std::string, std::vector<RuleCount>>& rules, AuditCounts& totals) {
    std::set<std::string> districts;
    for (const auto& [d, n] : merge.recordsPerDistrict) districts.insert(d);
    for (const auto* m : {&opened, &stillOpen, &resolved})
        for (const auto& [d, n] : *m) districts.insert(d);
    for (const auto& [d, r] : rules) districts.insert(d);

    Poco::JSON::Object::Ptr root = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("audit_id", merge.run.id);
    root->set("district", merge.run.district ? Poco::Dynamic::Var(*merge.run.district) : Poco::Dynamic::Var());
    root->set("audit_date", merge.run.auditDate);
    root->set("previous_audit_id",
              merge.previousAuditId ? Poco::Dynamic::Var(*merge.previousAuditId) : Poco::Dynamic::Var());
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    long long records = 0, stillOpenTotal = 0;
    for (const auto& code : districts) {
        Poco::JSON::Object::Ptr d = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        const auto* known = domain::findDistrict(code);
        d->set("district", code.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(code));
        d->set("district_name", known ? known->nameZh : code);
        d->set("records_checked", get(merge.recordsPerDistrict, code));
        d->set("findings_new", get(opened, code));
        d->set("findings_still_open", get(stillOpen, code));
        d->set("findings_resolved", get(resolved, code));
        Poco::JSON::Array::Ptr byRule = new Poco::JSON::Array;
        long long errors = 0, reported = 0;
        if (const auto it = rules.find(code); it != rules.end())
            for (const auto& r : it->second) {
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                o->set("plugin", r.plugin);
                o->set("rule", r.rule);
                o->set("severity", r.severity);
                o->set("count", r.count);
                byRule->add(o);
                reported += r.count;
                if (r.severity == "error") errors += r.count;
            }
        d->set("findings_reported", reported);
        d->set("plugin_errors", errors);
        d->set("by_rule", byRule);
        list->add(d);
        records += get(merge.recordsPerDistrict, code);
        stillOpenTotal += get(stillOpen, code);
        totals.findingsNew += get(opened, code);
        totals.findingsResolved += get(resolved, code);
        totals.pluginErrors += errors;
    }
    Poco::JSON::Object::Ptr total = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    total->set("records_checked", records);
    total->set("findings_new", totals.findingsNew);
    total->set("findings_still_open", stillOpenTotal);
    total->set("findings_resolved", totals.findingsResolved);
    total->set("plugin_errors", totals.pluginErrors);
    root->set("totals", total);
    root->set("districts", list);
    return root;
}

std::string stringify(const Poco::JSON::Object::Ptr& o) {
    std::ostringstream out;
    o->stringify(out);
    return out.str();
}

/// Per district, the staged rows of `auditId` that open a finding, and those that match one still open.
std::pair<std::map<std::string, long long>, std::map<std::string, long long>> openedAndStillOpen(soci::session& sql,
                                                                                             long long auditId) {
    SqlQuery openedQ(std::string("SELECT COALESCE(r.district, ''), COUNT(*) FROM audit_results r LEFT JOIN findings f ON ") +
                     sameFinding);
    openedQ.where("r.audit_id = " + openedQ.bind(auditId));
    openedQ.where(opensFinding);
    openedQ.append(" GROUP BY COALESCE(r.district, '')");
    auto opened = fetchCounts(sql, openedQ);

    SqlQuery stillQ(std::string("SELECT COALESCE(r.district, ''), COUNT(*) FROM audit_results r JOIN findings f ON ") +
                    sameFinding);
    stillQ.where("r.audit_id = " + stillQ.bind(auditId));
    stillQ.where("f.status IN ('open', 'acknowledged')");
    stillQ.append(" GROUP BY COALESCE(r.district, '')");
    return {std::move(opened), fetchCounts(sql, stillQ)};
}

/// Marks the run succeeded with its counts and summary, unless a cancel was asked for; whether it did.
bool markSucceeded(soci::session& sql, long long auditId, const AuditCounts& counts, const std::string& summary,
                   const std::string& now) {
    soci::statement done = (sql.prepare << "UPDATE audit_runs SET status = 'succeeded', findings_new = :new, "
                                           "findings_resolved = :resolved, plugin_errors = :errors, summary = :summary, "
                                           "finished_at = :now, heartbeat_at = :now2 WHERE id = :id AND "
                                           "cancel_requested = 0",
                            soci::use(counts.findingsNew), soci::use(counts.findingsResolved),
                            soci::use(counts.pluginErrors), soci::use(summary), soci::use(now), soci::use(now),
                            soci::use(auditId));
    done.execute(true);
    return done.get_affected_rows() == 1;
}

// The open findings of a dry run's plugin, in its scope, that the dry run did not report again (nor failed
// on): what the version would no longer report.
void whereGone(SqlQuery& q, const DryRunEnd& end) {
    q.where("f.plugin = " + q.bind(end.plugin));
    q.where("f.status IN ('open', 'acknowledged')");
    if (end.run.district) q.where("f.district = " + q.bind(*end.run.district));
    const std::string audit = q.bind(static_cast<long long>(end.run.id));
    q.where("NOT EXISTS (SELECT 1 FROM audit_results r WHERE r.audit_id = " + audit + " AND " + sameFinding + ")");
    q.where("NOT EXISTS (SELECT 1 FROM audit_results e WHERE e.audit_id = " + audit +
            " AND e.severity = 'error' AND e.plugin = f.plugin AND e.subject_type = f.subject_type "
            "AND e.subject_id = f.subject_id)");
}

/// At most `limit` changes of one kind, from `q` (rule, severity, subject_type, subject_id, district,
/// message, finding id or NULL); true when there were more.
bool fetchChanges(soci::session& sql, SqlQuery& q, const char* change, std::size_t limit, Poco::JSON::Array& out) {
    std::string rule, severity, subjectType, district, message;
    long long subjectId = 0, findingId = 0;
    soci::indicator findingInd = soci::i_null;
    soci::statement st(sql);
    st.exchange(soci::into(rule));
    st.exchange(soci::into(severity));
    st.exchange(soci::into(subjectType));
    st.exchange(soci::into(subjectId));
    st.exchange(soci::into(district));
    st.exchange(soci::into(message));
    st.exchange(soci::into(findingId, findingInd));
    q.append(" ORDER BY 1, 3, 4 LIMIT " + std::to_string(limit + 1));
    q.prepareInto(st);
    st.execute();
    std::size_t n = 0;
    while (st.fetch()) {
        if (++n > limit) return true;
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("change", change);
        o->set("rule", rule);
        o->set("severity", severity);
        o->set("subject_type", subjectType);
        o->set("subject_id", subjectId);
        o->set("district", district.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(district));
        o->set("message", message);
        o->set("finding_id", findingInd == soci::i_ok ? Poco::Dynamic::Var(findingId) : Poco::Dynamic::Var());
        out.add(o);
    }
    return false;
}

} // namespace

void stageAuditFindings(Database& db, BulkStrategy strategy, long long auditId,
                        const std::vector<domain::Finding>& findings) {
    if (findings.empty()) return;
    auto writer = BulkWriter::open(db, strategy);
    writer->setTable("audit_results", {{"audit_id", ColumnType::Integer},
                                       {"plugin", ColumnType::Text},
                                       {"plugin_version", ColumnType::Text},
                                       {"rule", ColumnType::Text},
                                       {"severity", ColumnType::Text},
                                       {"subject_type", ColumnType::Text},
                                       {"subject_id", ColumnType::Integer},
                                       {"district", ColumnType::Text},
                                       {"message", ColumnType::Text},
                                       {"details", ColumnType::Text}});
    for (const auto& f : findings) {
        writer->addRow({auditId, f.plugin, f.pluginVersion, f.rule, std::string(domain::toString(f.severity)),
                        std::string(domain::toString(f.subjectType)), static_cast<long long>(f.subjectId),
                        f.district ? BulkValue(*f.district) : BulkValue(std::monostate{}), f.message, f.detailsJson});
    }
    writer->commit();
}

long long countAuditSubjects(Database& db, const std::optional<std::string>& district) {
    Database::Session session(db);
    auto& sql = session.sql();
    long long prices = 0, facilities = 0, sites = 0;
    if (district) {
        sql << "SELECT COUNT(*) FROM price_records p JOIN facilities f ON f.id = p.facility_id WHERE "
               "p.superseded_by IS NULL AND f.district = :d",
            soci::use(*district), soci::into(prices);
        sql << "SELECT COUNT(*) FROM facilities WHERE district = :d", soci::use(*district), soci::into(facilities);
        sql << "SELECT COUNT(*) FROM burial_sites WHERE district = :d", soci::use(*district), soci::into(sites);
    } else {
        sql << "SELECT COUNT(*) FROM price_records WHERE superseded_by IS NULL", soci::into(prices);
        sql << "SELECT COUNT(*) FROM facilities", soci::into(facilities);
        sql << "SELECT COUNT(*) FROM burial_sites", soci::into(sites);
    }
    return prices + facilities + sites;
}

void discardAuditFindings(Database& db, long long auditId) {
    Database::Session session(db);
    session.sql() << "DELETE FROM audit_results WHERE audit_id = :id", soci::use(auditId);
}

std::optional<AuditCounts> mergeAuditFindings(Database& db, const AuditMerge& merge) {
    return retryConflicts([&]() -> std::optional<AuditCounts> {
        Database::Session session(db);
        auto& sql = session.sql();
        Transaction tx(session);
        const long long auditId = merge.run.id;
        const bool mysql = session.backend() == Backend::MySql;

        // The report first, from the findings as they were before this audit.
        const auto [opened, stillOpen] = openedAndStillOpen(sql, auditId);

        SqlQuery resolvedQ("SELECT COALESCE(district, ''), COUNT(*) FROM findings");
        whereResolved(resolvedQ, merge);
        resolvedQ.append(" GROUP BY COALESCE(district, '')");
        const auto resolved = fetchCounts(sql, resolvedQ);

        AuditCounts counts;
        const std::string summary =
            stringify(summaryObject(merge, opened, stillOpen, resolved, rulesByDistrict(sql, auditId), counts));
        const std::string now = domain::nowTimestamp();

        // The violations this audit opens, per district, for the alerts (counted before they are inserted).
        std::map<std::string, long long> newViolations;
        if (merge.alert) {
            SqlQuery q(std::string("SELECT COALESCE(r.district, ''), COUNT(*) FROM audit_results r LEFT JOIN findings f ON ") +
                       sameFinding);
            q.where("r.audit_id = " + q.bind(auditId));
            q.where("r.severity = 'violation'");
            q.where(opensFinding);
            q.append(" GROUP BY COALESCE(r.district, '')");
            newViolations = fetchCounts(sql, q);
        }

        // Findings reported again. `status` is assigned first: MySQL evaluates SET left to right with the
        // values already assigned, SQLite with the old ones; first, both see the old plugin_version. SQLite's
        // UPDATE ... FROM cannot alias its target, so there `findings` stands where MySQL has f.
        if (mysql) {
            sql << "UPDATE findings f JOIN audit_results r ON f.plugin = r.plugin AND f.rule = r.rule AND "
                   "f.subject_type = r.subject_type AND f.subject_id = r.subject_id SET "
                   "f.status = CASE WHEN f.status = 'resolved' OR (f.status = 'waived' AND "
                   "f.plugin_version <> r.plugin_version) THEN 'open' ELSE f.status END, "
                   "f.resolved_by_audit_id = CASE WHEN f.status = 'open' THEN NULL ELSE f.resolved_by_audit_id END, "
                   "f.plugin_version = r.plugin_version, f.severity = r.severity, f.district = r.district, "
                   "f.message = r.message, f.details = r.details, f.last_seen_at = :now, f.audit_id = :audit, "
                   "f.version = f.version + 1 WHERE r.audit_id = :audit2",
                soci::use(now), soci::use(auditId), soci::use(auditId);
        } else {
            sql << "UPDATE findings SET "
                   "status = CASE WHEN findings.status = 'resolved' OR (findings.status = 'waived' AND "
                   "findings.plugin_version <> r.plugin_version) THEN 'open' ELSE findings.status END, "
                   "resolved_by_audit_id = CASE WHEN findings.status = 'resolved' THEN NULL "
                   "ELSE findings.resolved_by_audit_id END, "
                   "plugin_version = r.plugin_version, severity = r.severity, district = r.district, "
                   "message = r.message, details = r.details, last_seen_at = :now, audit_id = :audit, "
                   "version = findings.version + 1 FROM audit_results r WHERE r.audit_id = :audit2 AND "
                   "findings.plugin = r.plugin AND findings.rule = r.rule AND findings.subject_type = r.subject_type "
                   "AND findings.subject_id = r.subject_id",
                soci::use(now), soci::use(auditId), soci::use(auditId);
        }

        // New (plugin, rule, subject)s.
        sql << std::string("INSERT INTO findings (plugin, plugin_version, rule, severity, subject_type, subject_id, "
                           "district, message, details, status, status_note, status_by, first_seen_at, last_seen_at, "
                           "audit_id, resolved_by_audit_id, version) SELECT r.plugin, r.plugin_version, r.rule, "
                           "r.severity, r.subject_type, r.subject_id, r.district, r.message, r.details, 'open', '', '', "
                           ":first, :last, :audit, NULL, 1 FROM audit_results r WHERE r.audit_id = :audit2 AND NOT "
                           "EXISTS (SELECT 1 FROM findings f WHERE ") +
                   sameFinding + ")",
            soci::use(now), soci::use(now), soci::use(auditId), soci::use(auditId);

        // What was not reported again.
        SqlQuery resolveQ("UPDATE findings SET status = 'resolved', resolved_by_audit_id = " +
                          std::to_string(auditId) + ", version = version + 1");
        whereResolved(resolveQ, merge);
        {
            soci::statement st(sql);
            resolveQ.prepareInto(st);
            st.execute(true);
        }

        sql << "DELETE FROM audit_results WHERE audit_id = :id", soci::use(auditId);
        for (const auto& [district, count] : newViolations)
            if (!district.empty() && count > 0) MailOutbox::enqueueIn(sql, merge.alert(district, count));
        // Last, so that a cancel request racing with the merge either comes first (and is seen here: the
        // transaction is dropped) or finds the run succeeded (and is refused with 409).
        if (!markSucceeded(sql, auditId, counts, summary, now)) return std::nullopt; // rolled back by tx
        tx.commit();
        return counts;
    });
}

std::optional<AuditCounts> finishDryRun(Database& db, const DryRunEnd& end) {
    return retryConflicts([&]() -> std::optional<AuditCounts> {
        Database::Session session(db);
        auto& sql = session.sql();
        Transaction tx(session);
        const long long auditId = end.run.id;

        const auto [opened, stillOpen] = openedAndStillOpen(sql, auditId);

        // A plugin skipped for failing too often proves nothing about what it no longer reports.
        std::map<std::string, long long> gone;
        if (!end.skipped) {
            SqlQuery goneQ("SELECT COALESCE(f.district, ''), COUNT(*) FROM findings f");
            whereGone(goneQ, end);
            goneQ.append(" GROUP BY COALESCE(f.district, '')");
            gone = fetchCounts(sql, goneQ);
        }

        AuditMerge merge;
        merge.run = end.run;
        merge.recordsPerDistrict = end.recordsPerDistrict;
        AuditCounts counts;
        auto summary = summaryObject(merge, opened, stillOpen, gone, rulesByDistrict(sql, auditId), counts);

        Poco::JSON::Object::Ptr dry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        dry->set("plugin", end.plugin);
        dry->set("version", end.version);
        dry->set("replaces", end.activeVersion ? Poco::Dynamic::Var(*end.activeVersion) : Poco::Dynamic::Var());
        dry->set("skipped", end.skipped);
        summary->set("dry_run", dry);
        Poco::JSON::Array::Ptr changes = new Poco::JSON::Array;
        SqlQuery newQ(std::string("SELECT r.rule, r.severity, r.subject_type, r.subject_id, COALESCE(r.district, ''), "
                                  "r.message, f.id FROM audit_results r LEFT JOIN findings f ON ") +
                      sameFinding);
        newQ.where("r.audit_id = " + newQ.bind(auditId));
        newQ.where(opensFinding);
        bool truncated = fetchChanges(sql, newQ, "new", end.maxChanges, *changes);
        if (!end.skipped) {
            SqlQuery goneQ("SELECT f.rule, f.severity, f.subject_type, f.subject_id, COALESCE(f.district, ''), f.message, "
                           "f.id FROM findings f");
            whereGone(goneQ, end);
            truncated = fetchChanges(sql, goneQ, "gone", end.maxChanges, *changes) || truncated;
        }
        summary->set("changes", changes);
        summary->set("changes_truncated", truncated);

        sql << "DELETE FROM audit_results WHERE audit_id = :id", soci::use(auditId);
        if (!markSucceeded(sql, auditId, counts, stringify(summary), domain::nowTimestamp())) return std::nullopt;
        tx.commit();
        return counts;
    });
}

} // namespace registry::store
