// The dashboard's counts on a small registry: facilities by kind and plan action, open findings by severity,
// burial-site progress per district, rectification notices per district on a given day, and the last audit
// of a scope (citywide runs count for every district).

#include "StoreTestSupport.h"

#include "store/AuditRunRepository.h"
#include "store/BurialSiteRepository.h"
#include "store/DashboardCounts.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/NoticeRepository.h"

using namespace registry;
using namespace registry::test;
using domain::FacilityKind;
using domain::PlanAction;
using domain::Severity;

namespace {

const std::string haidian = "110108", chaoyang = "110105";
/// The day the notice counts are taken on, and the end of its week (7 days, today included).
const store::NoticeDays days{"2026-06-01", "2026-06-08"};

domain::Facility facility(const std::string& district, FacilityKind kind, PlanAction action) {
    auto f = sampleFacility("设施", district, kind);
    f.planAction = action;
    return f;
}

domain::Finding finding(const std::string& rule, Severity severity, long long facilityId, const std::string& district) {
    domain::Finding f;
    f.plugin = "common.test";
    f.pluginVersion = "1";
    f.rule = rule;
    f.severity = severity;
    f.subjectType = domain::SubjectType::Facility;
    f.subjectId = facilityId;
    f.district = district;
    f.message = "测试";
    return f;
}

/// Two Haidian facilities and one in Chaoyang; Haidian: one open violation, one acknowledged warning and
/// one resolved violation (not counted); Chaoyang: one open info. Sites: Haidian 10 graves with 4 handled
/// and 5 graves completed; Chaoyang 7 graves, none handled.
struct Registry {
    explicit Registry(store::Database& db) {
        store::FacilityRepository facilities(db);
        const auto a = facilities.create(facility(haidian, FacilityKind::OperatingCemetery, PlanAction::Retain), actor);
        const auto b = facilities.create(facility(haidian, FacilityKind::Columbarium, PlanAction::Close), actor);
        const auto c = facilities.create(facility(chaoyang, FacilityKind::OperatingCemetery, PlanAction::Retain), actor);

        store::FindingRepository findings(db);
        findings.report(finding("open", Severity::Violation, a.id, haidian));
        const auto acknowledged = findings.report(finding("acknowledged", Severity::Warning, b.id, haidian));
        findings.setStatus(acknowledged.id, domain::FindingStatus::Acknowledged, "", actor);
        const auto resolved = findings.report(finding("resolved", Severity::Violation, b.id, haidian));
        findings.setStatus(resolved.id, domain::FindingStatus::Resolved, "", actor);
        findings.report(finding("open", Severity::Info, c.id, chaoyang));

        store::BurialSiteRepository sites(db);
        const auto inProgress = sites.create(sampleSite(haidian, 10), actor);
        domain::ProgressEntry entry;
        entry.siteId = inProgress.id;
        entry.date = "2023-05-01";
        entry.gravesHandled = 4;
        sites.appendProgress(entry, actor);
        auto completed = sampleSite(haidian, 5);
        completed.status = domain::BurialSiteStatus::Completed;
        sites.create(completed, actor);
        sites.create(sampleSite(chaoyang, 7), actor);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(dashboard_counts)

BOOST_AUTO_TEST_CASE(counts_of_the_city_and_of_one_district) {
    TestDatabase t;
    Registry registry(t.db());
    store::DashboardCounts counts(t.db());

    const auto city = counts.tallies(std::nullopt, days);
    BOOST_TEST((city.facilityKinds == store::CountsByKey{{"operating_cemetery", 2}, {"columbarium", 1}}));
    BOOST_TEST((city.planActions == store::CountsByKey{{"retain", 2}, {"close", 1}}));
    BOOST_TEST((city.openSeverities == store::CountsByKey{{"violation", 1}, {"warning", 1}, {"info", 1}}));
    BOOST_TEST_REQUIRE(city.sites.size() == 2u);
    BOOST_TEST(city.sites[0].district == chaoyang); // district order
    BOOST_TEST(city.sites[0].sites == 1);
    BOOST_TEST(city.sites[0].graves == 7);
    BOOST_TEST(city.sites[0].handled == 0);
    BOOST_TEST(city.sites[0].sitesDone == 0);
    BOOST_TEST(city.sites[1].district == haidian);
    BOOST_TEST(city.sites[1].sites == 2);
    BOOST_TEST(city.sites[1].graves == 15);
    BOOST_TEST(city.sites[1].handled == 4);
    BOOST_TEST(city.sites[1].sitesDone == 1);

    const auto one = counts.tallies(haidian, days);
    BOOST_TEST((one.facilityKinds == store::CountsByKey{{"operating_cemetery", 1}, {"columbarium", 1}}));
    BOOST_TEST((one.planActions == store::CountsByKey{{"retain", 1}, {"close", 1}}));
    BOOST_TEST((one.openSeverities == store::CountsByKey{{"violation", 1}, {"warning", 1}}));
    BOOST_TEST_REQUIRE(one.sites.size() == 1u);
    BOOST_TEST(one.sites[0].district == haidian);
    BOOST_TEST(one.sites[0].handled == 4);

    const auto empty = counts.tallies(std::string("110101"), days);
    BOOST_TEST(empty.facilityKinds.empty());
    BOOST_TEST(empty.openSeverities.empty());
    BOOST_TEST(empty.sites.empty());
}

BOOST_AUTO_TEST_CASE(notices_per_district_open_overdue_and_due_this_week) {
    TestDatabase t;
    store::FacilityRepository facilities(t.db());
    const auto a = facilities.create(facility(haidian, FacilityKind::OperatingCemetery, PlanAction::Retain), actor);
    const auto c = facilities.create(facility(chaoyang, FacilityKind::OperatingCemetery, PlanAction::Retain), actor);
    store::FindingRepository findings(t.db());
    const auto f1 = findings.report(finding("a", Severity::Violation, a.id, haidian));
    const auto f2 = findings.report(finding("b", Severity::Violation, a.id, haidian));
    const auto f3 = findings.report(finding("c", Severity::Violation, c.id, chaoyang));
    store::NoticeRepository notices(t.db());
    const auto issue = [&](long long facility, long long findingId, const std::string& deadline) {
        domain::Notice n;
        n.subjectType = domain::SubjectType::Facility;
        n.subjectId = facility;
        n.findingIds = {findingId};
        n.requirements = "限期整改";
        n.deadline = deadline;
        return notices.issue(n, "2026-01-05", actor); // issued long before the day counted on
    };
    issue(a.id, f1.id, "2026-05-31");                           // overdue by a day
    const auto answered = issue(a.id, f1.id, "2026-06-01");     // due today: not overdue yet
    notices.respond(answered.id, {"已整改", {}}, actor);        // answered, still open
    issue(a.id, f1.id, "2026-06-07");                           // the week's last day
    issue(a.id, f1.id, "2026-06-08");                           // next week: open only
    const auto verified = issue(a.id, f2.id, "2026-05-01");     // past, but verified: counted nowhere
    domain::NoticeVerification done;
    done.result = domain::VerificationResult::Rectified;
    notices.verify(verified.id, done, actor);
    issue(c.id, f3.id, "2026-05-30");

    store::DashboardCounts counts(t.db());
    const auto city = counts.tallies(std::nullopt, days).notices;
    BOOST_TEST_REQUIRE(city.size() == 2u);
    BOOST_TEST(city[0].district == chaoyang);
    BOOST_TEST(city[0].open == 1);
    BOOST_TEST(city[0].overdue == 1);
    BOOST_TEST(city[0].dueSoon == 0);
    BOOST_TEST(city[1].district == haidian);
    BOOST_TEST(city[1].open == 4);
    BOOST_TEST(city[1].overdue == 1);
    BOOST_TEST(city[1].dueSoon == 2);
    const auto one = counts.tallies(haidian, days).notices;
    BOOST_TEST_REQUIRE(one.size() == 1u);
    BOOST_TEST(one[0].district == haidian);
    BOOST_TEST(counts.tallies(std::string("110101"), days).notices.empty());

    // The list's filters select the same notices as the counts.
    store::NoticeFilter overdue;
    overdue.district = haidian;
    overdue.overdueOn = days.today;
    BOOST_TEST(notices.list(overdue, {}).items.size() == 1u);
    store::NoticeFilter dueSoon;
    dueSoon.district = haidian;
    dueSoon.dueFrom = days.today;
    dueSoon.dueBefore = days.dueBefore;
    BOOST_TEST(notices.list(dueSoon, {}).items.size() == 2u);
    store::NoticeFilter open;
    open.openOnly = true;
    BOOST_TEST(notices.list(open, {}).items.size() == 5u);
}

BOOST_AUTO_TEST_CASE(last_audit_of_a_scope) {
    TestDatabase t;
    store::DashboardCounts counts(t.db());
    BOOST_TEST(!counts.lastAudit(std::nullopt).has_value());

    store::AuditRunRepository runs(t.db());
    const auto citywide = runs.createManual(std::nullopt, actor, "2026-11-29", "host:1");
    const auto ofChaoyang = runs.createManual(chaoyang, actor, "2026-11-30", "host:1");
    BOOST_TEST(counts.lastAudit(std::nullopt)->id == ofChaoyang.id);
    BOOST_TEST(counts.lastAudit(chaoyang)->id == ofChaoyang.id);
    // Haidian's last audit is the citywide one; Chaoyang's own run is not Haidian's.
    const auto ofHaidian = counts.lastAudit(haidian);
    BOOST_TEST_REQUIRE(ofHaidian.has_value());
    BOOST_TEST(ofHaidian->id == citywide.id);
    BOOST_TEST(ofHaidian->auditDate == "2026-11-29");
    BOOST_TEST((ofHaidian->status == domain::AuditStatus::Queued));
    BOOST_TEST(!ofHaidian->finishedAt.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
