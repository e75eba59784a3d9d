#include "store/DashboardCounts.h"

#include "store/AuditRunRepository.h"
#include "store/SqlQuery.h"

namespace registry::store {
namespace {

std::vector<DistrictSiteProgress> siteProgress(soci::session& sql, const std::optional<std::string>& district) {
    SqlQuery q("SELECT s.district, COUNT(*), SUM(s.grave_count), "
               "SUM(CASE WHEN s.status IN ('completed', 'accepted') THEN 1 ELSE 0 END), "
               "COALESCE(SUM(p.handled), 0) FROM burial_sites s LEFT JOIN (SELECT site_id, SUM(graves_handled) AS "
               "handled FROM burial_site_progress GROUP BY site_id) p ON p.site_id = s.id");
    if (district) q.where("s.district = " + q.bind(*district));
    q.append(" GROUP BY s.district ORDER BY s.district");
    DistrictSiteProgress row;
    soci::statement st(sql);
    st.exchange(soci::into(row.district));
    st.exchange(soci::into(row.sites));
    st.exchange(soci::into(row.graves));
    st.exchange(soci::into(row.sitesDone));
    st.exchange(soci::into(row.handled));
    q.prepareInto(st);
    st.execute();
    std::vector<DistrictSiteProgress> out;
    while (st.fetch()) out.push_back(row);
    return out;
}

std::vector<DistrictNoticeCounts> noticeCounts(soci::session& sql, const std::optional<std::string>& district,
                                               const NoticeDays& days) {
    SqlQuery q("SELECT district, COUNT(*), SUM(CASE WHEN deadline < ");
    q.append(q.bind(days.today) + " THEN 1 ELSE 0 END), SUM(CASE WHEN deadline >= " + q.bind(days.today) +
             " AND deadline < " + q.bind(days.dueBefore) + " THEN 1 ELSE 0 END) FROM notices");
    q.where("status <> 'verified'");
    if (district) q.where("district = " + q.bind(*district));
    q.append(" GROUP BY district ORDER BY district");
    DistrictNoticeCounts row;
    soci::statement st(sql);
    st.exchange(soci::into(row.district));
    st.exchange(soci::into(row.open));
    st.exchange(soci::into(row.overdue));
    st.exchange(soci::into(row.dueSoon));
    q.prepareInto(st);
    st.execute();
    std::vector<DistrictNoticeCounts> out;
    while (st.fetch()) out.push_back(row);
    return out;
}

} // namespace

DashboardTallies DashboardCounts::tallies(const std::optional<std::string>& district, const NoticeDays& days) {
    Database::Session session(_db);
    auto& sql = session.sql();
    DashboardTallies t;
    t.facilityKinds = countBy(sql, "facilities", "kind", "", district);
    t.planActions = countBy(sql, "facilities", "plan_action", "", district);
    t.openSeverities = countBy(sql, "findings", "severity", "status IN ('open', 'acknowledged')", district);
    t.sites = siteProgress(sql, district);
    t.notices = noticeCounts(sql, district, days);
    return t;
}

std::optional<domain::AuditRun> DashboardCounts::lastAudit(const std::optional<std::string>& district) {
    return AuditRunRepository(_db).latest(district);
}

} // namespace registry::store
