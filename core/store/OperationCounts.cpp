#include "store/OperationCounts.h"

#include "store/SqlQuery.h"

namespace registry::store {
OperationTallies OperationCounts::tallies(const std::string& today) {
    Database::Session session(_db);
    auto& sql = session.sql();
    OperationTallies t;
    t.openFindings = countBy(sql, "findings", "severity", "status IN ('open', 'acknowledged')");
    t.notices = countBy(sql, "notices", "status", "");
    {
        SqlQuery q("SELECT COUNT(*) FROM notices");
        q.where("status <> 'verified'");
        q.where("deadline < " + q.bind(today));
        soci::statement st(sql);
        st.exchange(soci::into(t.noticesOverdue));
        q.prepareInto(st);
        st.execute(true);
    }
    t.auditRuns = countBy(sql, "audit_runs", "status", "");
    {
        std::string trigger, finished;
        soci::statement st = (sql.prepare << "SELECT trigger_kind, MAX(finished_at) FROM audit_runs "
                                             "WHERE status = 'succeeded' AND dry_run_plugin IS NULL GROUP BY trigger_kind",
                              soci::into(trigger), soci::into(finished));
        st.execute();
        while (st.fetch()) t.lastSucceeded[trigger] = finished;
    }
    sql << "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL",
        soci::into(t.mailQueued);
    sql << "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at IS NULL",
        soci::into(t.mailGivenUp);
    return t;
}

} // namespace registry::store
