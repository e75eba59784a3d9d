#include "store/AuditRunRepository.h"

#include "domain/Dates.h"
#include "store/SqlQuery.h"

#include <soci/mysql/soci-mysql.h>

namespace registry::store {

using domain::AuditRun;
using domain::AuditStatus;

namespace {

const char* const selectColumns =
    "SELECT id, trigger_kind, district, status, scheduled_for, audit_date, records_total, records_checked, "
    "findings_new, findings_resolved, plugin_errors, requested_by, runner, error, created_at, started_at, "
    "finished_at, summary, cancel_requested, dry_run_plugin, dry_run_version, plugins FROM audit_runs";

// Dry runs are not audits of the records: never "the last audit", nor the one a report compares with.
const char* const realRun = "dry_run_plugin IS NULL";

std::vector<AuditRun> fetchAll(soci::session& sql, SqlQuery& q) {
    AuditRun r;
    std::string trigger, district, status, scheduledFor, startedAt, finishedAt, dryPlugin, dryVersion;
    long long cancel = 0;
    soci::indicator districtInd, scheduledInd, startedInd, finishedInd, dryPluginInd, dryVersionInd;
    soci::statement st(sql);
    st.exchange(soci::into(r.id));
    st.exchange(soci::into(trigger));
    st.exchange(soci::into(district, districtInd));
    st.exchange(soci::into(status));
    st.exchange(soci::into(scheduledFor, scheduledInd));
    st.exchange(soci::into(r.auditDate));
    st.exchange(soci::into(r.recordsTotal));
    st.exchange(soci::into(r.recordsChecked));
    st.exchange(soci::into(r.findingsNew));
    st.exchange(soci::into(r.findingsResolved));
    st.exchange(soci::into(r.pluginErrors));
    st.exchange(soci::into(r.requestedBy));
    st.exchange(soci::into(r.runner));
    st.exchange(soci::into(r.error));
    st.exchange(soci::into(r.createdAt));
    st.exchange(soci::into(startedAt, startedInd));
    st.exchange(soci::into(finishedAt, finishedInd));
    st.exchange(soci::into(r.summaryJson));
    st.exchange(soci::into(cancel));
    st.exchange(soci::into(dryPlugin, dryPluginInd));
    st.exchange(soci::into(dryVersion, dryVersionInd));
    st.exchange(soci::into(r.pluginsJson));
    q.prepareInto(st);
    st.execute();
    std::vector<AuditRun> out;
    auto optional = [](const std::string& value, soci::indicator ind) {
        return ind == soci::i_ok ? std::optional<std::string>(value) : std::nullopt;
    };
    while (st.fetch()) {
        r.trigger = domain::parseEnum<domain::AuditTrigger>(trigger).value_or(domain::AuditTrigger::Manual);
        r.status = domain::parseEnum<AuditStatus>(status).value_or(AuditStatus::Failed);
        r.district = optional(district, districtInd);
        r.scheduledFor = optional(scheduledFor, scheduledInd);
        r.startedAt = optional(startedAt, startedInd);
        r.finishedAt = optional(finishedAt, finishedInd);
        r.cancelRequested = cancel != 0;
        r.dryRunPlugin = optional(dryPlugin, dryPluginInd);
        r.dryRunVersion = optional(dryVersion, dryVersionInd);
        out.push_back(r);
    }
    return out;
}

std::optional<AuditRun> fetchOne(soci::session& sql, SqlQuery& q) { return firstRow(fetchAll(sql, q)); }

std::optional<AuditRun> getIn(soci::session& sql, long long id) {
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    return fetchOne(sql, q);
}

AuditRun insert(soci::session& sql, AuditRun r) {
    r.createdAt = domain::nowTimestamp();
    const std::string trigger = domain::toString(r.trigger), status = domain::toString(r.status);
    std::string district = r.district.value_or(""), slot = r.scheduledFor.value_or("");
    soci::indicator districtInd = r.district ? soci::i_ok : soci::i_null;
    soci::indicator slotInd = r.scheduledFor ? soci::i_ok : soci::i_null;
    std::string dryPlugin = r.dryRunPlugin.value_or(""), dryVersion = r.dryRunVersion.value_or("");
    soci::indicator dryInd = r.dryRunPlugin ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO audit_runs (trigger_kind, district, status, scheduled_for, audit_date, requested_by, "
           "runner, error, created_at, dry_run_plugin, dry_run_version, plugins) VALUES (:trigger, :district, "
           ":status, :slot, :date, :by, :runner, '', :created, :dryPlugin, :dryVersion, '[]')",
        soci::use(trigger), soci::use(district, districtInd), soci::use(status), soci::use(slot, slotInd),
        soci::use(r.auditDate), soci::use(r.requestedBy), soci::use(r.runner), soci::use(r.createdAt),
        soci::use(dryPlugin, dryInd), soci::use(dryVersion, dryInd);
    r.id = Database::lastInsertId(sql, "audit_runs");
    return r;
}

} // namespace

namespace {

AuditRun manualRun(const std::optional<std::string>& district, const std::string& requestedBy,
                   const std::string& auditDate, const std::string& runner) {
    AuditRun r;
    r.runner = runner;
    r.trigger = domain::AuditTrigger::Manual;
    r.district = district;
    r.requestedBy = requestedBy;
    r.auditDate = auditDate;
    return r;
}

} // namespace

AuditRun AuditRunRepository::createManual(const std::optional<std::string>& district, const std::string& requestedBy,
                                          const std::string& auditDate, const std::string& runner) {
    Database::Session session(_db);
    return insert(session.sql(), manualRun(district, requestedBy, auditDate, runner));
}

AuditRun AuditRunRepository::createDryRun(const std::string& plugin, const std::string& version,
                                          const std::optional<std::string>& district, const std::string& requestedBy,
                                          const std::string& auditDate, const std::string& runner) {
    Database::Session session(_db);
    AuditRun r = manualRun(district, requestedBy, auditDate, runner);
    r.dryRunPlugin = plugin;
    r.dryRunVersion = version;
    return insert(session.sql(), r);
}

void AuditRunRepository::setPlugins(long long id, const std::string& pluginsJson) {
    Database::Session session(_db);
    session.sql() << "UPDATE audit_runs SET plugins = :plugins WHERE id = :id", soci::use(pluginsJson), soci::use(id);
}

std::optional<AuditRun> AuditRunRepository::createScheduled(const std::string& slot, const std::string& auditDate,
                                                           const std::string& runner) {
    return retryConflicts([&]() -> std::optional<AuditRun> {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        SqlQuery q(selectColumns);
        q.where("scheduled_for = " + q.bind(slot));
        if (fetchOne(sql, q)) return std::nullopt;
        AuditRun r;
        r.trigger = domain::AuditTrigger::Schedule;
        r.scheduledFor = slot;
        r.auditDate = auditDate;
        r.runner = runner;
        try {
            r = insert(sql, r);
        } catch (const soci::mysql_soci_error& e) {
            // Another instance inserted the same slot after the check (1062: ER_DUP_ENTRY); on SQLite the
            // write transaction is exclusive, so the check above saw it.
            if (e.err_num_ != 1062) throw;
            return std::nullopt;
        }
        tx.commit();
        return r;
    });
}

std::optional<AuditRun> AuditRunRepository::get(long long id) {
    Database::Session session(_db);
    return getIn(session.sql(), id);
}

Page<AuditRun> AuditRunRepository::list(const AuditRunFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.district) {
        const std::string d = q.bind(*filter.district);
        q.where(filter.includeCitywide ? "(district = " + d + " OR district IS NULL)" : "district = " + d);
    }
    const int limit = q.paginate(page, "id");
    return makePage(fetchAll(session.sql(), q), limit);
}

std::optional<AuditRun> AuditRunRepository::latest(const std::optional<std::string>& district) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (district) q.where("(district IS NULL OR district = " + q.bind(*district) + ")");
    q.where(realRun);
    q.append(" ORDER BY id DESC LIMIT 1");
    return fetchOne(session.sql(), q);
}

std::optional<AuditRun> AuditRunRepository::latestSucceeded() {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("status = 'succeeded'");
    q.where(realRun);
    q.append(" ORDER BY id DESC LIMIT 1");
    return fetchOne(session.sql(), q);
}

std::optional<AuditRun> AuditRunRepository::previousSucceeded(const AuditRun& run) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("status = 'succeeded'");
    q.where("id < " + q.bind(static_cast<long long>(run.id)));
    q.where(realRun);
    q.where(run.district ? "district = " + q.bind(*run.district) : std::string("district IS NULL"));
    q.append(" ORDER BY id DESC LIMIT 1");
    return fetchOne(session.sql(), q);
}

std::vector<long long> AuditRunRepository::queuedFor(const std::string& runner) {
    Database::Session session(_db);
    std::vector<long long> ids(100);
    session.sql() << "SELECT id FROM audit_runs WHERE status = 'queued' AND runner = :runner ORDER BY id",
        soci::use(runner), soci::into(ids);
    return ids;
}

bool AuditRunRepository::start(long long id, const std::string& runner, long long recordsTotal) {
    Database::Session session(_db);
    const std::string now = domain::nowTimestamp();
    soci::statement st = (session.sql().prepare
                              << "UPDATE audit_runs SET status = 'running', runner = :runner, records_total = :total, "
                                 "started_at = :now, heartbeat_at = :now2 WHERE id = :id AND status = 'queued' "
                                 "AND cancel_requested = 0",
                          soci::use(runner), soci::use(recordsTotal), soci::use(now), soci::use(now), soci::use(id));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

bool AuditRunRepository::progress(long long id, long long recordsChecked) {
    Database::Session session(_db);
    auto& sql = session.sql();
    const std::string now = domain::nowTimestamp();
    sql << "UPDATE audit_runs SET records_checked = :checked, heartbeat_at = :now WHERE id = :id",
        soci::use(recordsChecked), soci::use(now), soci::use(id);
    long long cancel = 0;
    sql << "SELECT cancel_requested FROM audit_runs WHERE id = :id", soci::use(id), soci::into(cancel);
    return cancel != 0;
}

bool AuditRunRepository::requestCancel(long long id) {
    return retryConflicts([&]() -> bool {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        const std::string now = domain::nowTimestamp();
        // Each count is read right after its statement: MySQL reports the connection's last statement only.
        soci::statement queued = (sql.prepare << "UPDATE audit_runs SET status = 'cancelled', cancel_requested = 1, "
                                                 "finished_at = :now WHERE id = :id AND status = 'queued'",
                                  soci::use(now), soci::use(id));
        queued.execute(true);
        long long changed = queued.get_affected_rows();
        soci::statement running = (sql.prepare << "UPDATE audit_runs SET cancel_requested = 1 WHERE id = :id AND "
                                                  "status = 'running'",
                                   soci::use(id));
        running.execute(true);
        changed += running.get_affected_rows();
        tx.commit();
        return changed > 0;
    });
}

void AuditRunRepository::finish(long long id, AuditStatus status, const AuditCounts& counts,
                                const std::string& summaryJson, const std::string& error) {
    Database::Session session(_db);
    const std::string now = domain::nowTimestamp(), text = domain::toString(status);
    session.sql() << "UPDATE audit_runs SET status = :status, findings_new = :new, findings_resolved = :resolved, "
                     "plugin_errors = :errors, summary = :summary, error = :error, finished_at = :now, "
                     "heartbeat_at = :now2 WHERE id = :id",
        soci::use(text), soci::use(counts.findingsNew), soci::use(counts.findingsResolved),
        soci::use(counts.pluginErrors), soci::use(summaryJson), soci::use(error), soci::use(now), soci::use(now),
        soci::use(id);
}

int AuditRunRepository::failAbandoned(const std::optional<std::string>& runner, const std::string& staleBefore) {
    return retryConflicts([&]() -> int {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        std::vector<long long> ids(1000);
        std::string mine = runner.value_or("");
        soci::indicator mineInd = runner ? soci::i_ok : soci::i_null;
        sql << "SELECT id FROM audit_runs WHERE (status IN ('queued', 'running') AND runner = :runner) "
               "OR (status = 'running' AND heartbeat_at < :stale) ORDER BY id",
            soci::use(mine, mineInd), soci::use(staleBefore), soci::into(ids);
        const std::string now = domain::nowTimestamp();
        const std::string why = "the server running this audit stopped before it finished; nothing of it was kept";
        for (long long id : ids) {
            sql << "DELETE FROM audit_results WHERE audit_id = :id", soci::use(id);
            sql << "UPDATE audit_runs SET status = 'failed', error = :why, finished_at = :now WHERE id = :id",
                soci::use(why), soci::use(now), soci::use(id);
        }
        tx.commit();
        return static_cast<int>(ids.size());
    });
}

} // namespace registry::store
