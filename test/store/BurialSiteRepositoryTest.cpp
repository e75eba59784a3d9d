// Historical burial sites and scattered graves: codes, the plan-window default target date, forward-only
// status one step at a time, the append-only progress log whose sum is graves_handled, and the overdue list.

#include "StoreTestSupport.h"

#include "store/BurialSiteRepository.h"
#include "store/ChangeLog.h"

#include <algorithm>
#include <atomic>
#include <thread>

using namespace registry;
using namespace registry::test;
using domain::BurialSite;
using domain::BurialSiteStatus;
using domain::ProgressEntry;

namespace {

ProgressEntry entry(long long siteId, const std::string& date, std::int64_t graves,
                    std::optional<BurialSiteStatus> status = std::nullopt, const std::string& note = "") {
    ProgressEntry e;
    e.siteId = siteId;
    e.date = date;
    e.gravesHandled = graves;
    e.status = status;
    e.note = note;
    return e;
}

std::vector<long long> listIds(store::BurialSiteRepository& repo, const store::BurialSiteFilter& filter) {
    std::vector<long long> out;
    store::PageRequest page{2, 0};
    for (int guard = 0; guard < 100; ++guard) {
        auto p = repo.list(filter, page);
        for (const auto& s : p.items)
            out.push_back(s.id);
        if (!p.nextAfterId) break;
        page.afterId = *p.nextAfterId;
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(burial_site_repository)

BOOST_AUTO_TEST_CASE(create_assigns_codes_and_defaults) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    const auto a = repo.create(sampleSite("110108"), actor);
    const auto b = repo.create(sampleSite("110108"), actor);
    const auto c = repo.create(sampleSite("110117"), actor);
    BOOST_TEST(a.code == "B-110108-00001");
    BOOST_TEST(b.code == "B-110108-00002");
    BOOST_TEST(c.code == "B-110117-00001");
    BOOST_TEST(a.version == 1);
    BOOST_TEST((a.status == BurialSiteStatus::Surveyed));
    BOOST_TEST(a.targetDate == "2024-12-31"); // the plan's end by default
    BOOST_TEST(a.gravesHandled == 0);

    const auto got = repo.get(a.id);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->code == a.code);
    BOOST_TEST(got->district == "110108");
    BOOST_TEST(got->township == "温泉镇");
    BOOST_TEST(got->village == "白家疃村");
    BOOST_TEST(got->location == "村北山坡");
    BOOST_TEST(got->lat.value_or(0) == 40.05);
    BOOST_TEST(got->lon.value_or(0) == 116.2);
    BOOST_TEST(got->graveCount == 10);
    BOOST_TEST(got->gravesHandled == 0);
    BOOST_TEST((got->zones == std::vector<domain::Zone>{domain::Zone::Farmland, domain::Zone::WaterSource}));
    BOOST_TEST((got->measure == domain::Measure::Relocate));
    BOOST_TEST(!got->protectedRelic);
    BOOST_TEST((got->kind == domain::BurialSiteKind::ScatteredGraves));
    BOOST_TEST(got->targetDate == "2024-12-31");
    BOOST_TEST(got->responsibleUnit == "温泉镇人民政府");
    BOOST_TEST(got->version == 1);
    BOOST_TEST(got->createdAt == a.createdAt);
    BOOST_TEST(!repo.get(c.id + 100).has_value());

    // A site created at a later status keeps it; an explicit target date is kept; no zones round-trips.
    auto later = sampleSite("110108");
    later.status = BurialSiteStatus::InProgress;
    later.targetDate = "2023-06-30";
    later.zones.clear();
    later.measure.reset();
    later.protectedRelic = true;
    const auto d = repo.get(repo.create(later, actor).id);
    BOOST_TEST((d->status == BurialSiteStatus::InProgress));
    BOOST_TEST(d->targetDate == "2023-06-30");
    BOOST_TEST(d->zones.empty());
    BOOST_TEST(!d->measure.has_value());
    BOOST_TEST(d->protectedRelic);
}

BOOST_AUTO_TEST_CASE(target_date_follows_the_configured_plan_window) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db(), domain::PlanWindow{"2023-01-01", "2025-06-30"});
    BOOST_TEST(repo.create(sampleSite(), actor).targetDate == "2025-06-30");
    auto outside = sampleSite();
    outside.targetDate = "2022-12-31";
    BOOST_TEST(
        hasError(validationErrors([&] { repo.create(outside, actor); }), "target_date", "outside_plan"));
    BOOST_TEST(countRows(t.db(), "burial_sites") == 1);
}

BOOST_AUTO_TEST_CASE(invalid_site_reports_every_field_and_stores_nothing) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    auto s = sampleSite("000000", 0);
    s.township = "";
    s.targetDate = "2024-02-30";
    s.lat = 39.9;
    s.lon.reset();
    s.zones = {domain::Zone::Forest, domain::Zone::Forest};
    const auto errors = validationErrors([&] { repo.create(s, actor); });
    BOOST_TEST((errorFields(errors) ==
                std::set<std::string>{"district", "township", "grave_count", "target_date", "lon", "zones"}));
    BOOST_TEST(countRows(t.db(), "burial_sites") == 0);
    BOOST_TEST(countRows(t.db(), "change_log") == 0);
}

BOOST_AUTO_TEST_CASE(status_moves_forward_one_step_at_a_time) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    const auto created = repo.create(sampleSite(), actor);

    auto next = created;
    next.status = BurialSiteStatus::Planned;
    next.responsibleUnit = "海淀区民政局";
    const auto planned = repo.update(next, 1, actor);
    BOOST_TEST(planned.version == 2);
    BOOST_TEST((repo.get(created.id)->status == BurialSiteStatus::Planned));
    BOOST_TEST(repo.get(created.id)->responsibleUnit == "海淀区民政局");

    // Same status with other changes is fine.
    auto same = planned;
    same.location = "村北山坡西侧";
    const auto v3 = repo.update(same, 2, actor);
    BOOST_TEST(v3.version == 3);

    const auto changes = countRows(t.db(), "change_log");
    auto skip = v3;
    skip.status = BurialSiteStatus::Completed;
    BOOST_TEST(hasError(validationErrors([&] { repo.update(skip, 3, actor); }), "status", "skip"));
    auto back = v3;
    back.status = BurialSiteStatus::Surveyed;
    BOOST_TEST(hasError(validationErrors([&] { repo.update(back, 3, actor); }), "status", "backward"));

    const auto now = repo.get(created.id);
    BOOST_TEST((now->status == BurialSiteStatus::Planned));
    BOOST_TEST(now->version == 3);
    BOOST_TEST(countRows(t.db(), "change_log") == changes);

    // On to the end, one step at a time.
    auto cur = *now;
    for (auto status :
         {BurialSiteStatus::InProgress, BurialSiteStatus::Completed, BurialSiteStatus::Accepted}) {
        cur.status = status;
        cur = repo.update(cur, cur.version, actor);
    }
    BOOST_TEST((repo.get(created.id)->status == BurialSiteStatus::Accepted));
    BOOST_TEST(repo.get(created.id)->version == 6);
}

BOOST_AUTO_TEST_CASE(update_conflict_and_not_found) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    const auto created = repo.create(sampleSite(), actor);
    auto first = created;
    first.village = "新村";
    repo.update(first, 1, actor);
    auto stale = created;
    stale.village = "旧版本的修改";
    const auto current = conflictCurrent<BurialSite>([&] { repo.update(stale, 1, actor); });
    BOOST_TEST_REQUIRE(current.has_value());
    BOOST_TEST(current->village == "新村");
    BOOST_TEST(current->version == 2);
    BOOST_TEST(repo.get(created.id)->village == "新村");

    auto ghost = created;
    ghost.id = created.id + 999;
    BOOST_CHECK_THROW(repo.update(ghost, 1, actor), store::NotFound);
}

BOOST_AUTO_TEST_CASE(progress_sums_moves_status_and_never_exceeds_grave_count) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    auto input = sampleSite("110108", 10);
    input.status = BurialSiteStatus::Planned;
    const auto site = repo.create(input, actor);

    const auto [e1, s1] = repo.appendProgress(
        entry(site.id, "2023-03-01", 4, BurialSiteStatus::InProgress, "开始迁移"), "inspector1");
    BOOST_TEST(e1.id > 0);
    BOOST_TEST(e1.recordedBy == "inspector1");
    BOOST_TEST(s1.gravesHandled == 4);
    BOOST_TEST((s1.status == BurialSiteStatus::InProgress));
    BOOST_TEST(s1.version == 2);

    const auto [e2, s2] = repo.appendProgress(entry(site.id, "2023-04-01", 5), "inspector2");
    BOOST_TEST(s2.gravesHandled == 9);
    BOOST_TEST((s2.status == BurialSiteStatus::InProgress));
    BOOST_TEST(s2.version == 2); // no status change, no new version
    BOOST_TEST(repo.get(site.id)->gravesHandled == 9);

    // 9 + 2 > 10: refused, nothing stored.
    const auto changes = countRows(t.db(), "change_log");
    BOOST_TEST(
        hasError(validationErrors([&] { repo.appendProgress(entry(site.id, "2023-05-01", 2), actor); }),
                 "graves_handled", "exceeds_total"));
    // A skipped status is refused too, and its graves are not counted.
    BOOST_TEST(hasError(validationErrors([&] {
                            repo.appendProgress(entry(site.id, "2023-05-01", 1, BurialSiteStatus::Accepted),
                                                actor);
                        }),
                        "status", "skip"));
    BOOST_TEST(countRows(t.db(), "burial_site_progress") == 2);
    BOOST_TEST(countRows(t.db(), "change_log") == changes);
    BOOST_TEST(repo.get(site.id)->gravesHandled == 9);
    BOOST_TEST((repo.get(site.id)->status == BurialSiteStatus::InProgress));

    const auto [e3, s3] = repo.appendProgress(
        entry(site.id, "2023-06-01", 1, BurialSiteStatus::Completed, "全部迁入公益性公墓"), "inspector1");
    BOOST_TEST(s3.gravesHandled == 10);
    BOOST_TEST((s3.status == BurialSiteStatus::Completed));
    const auto got = repo.get(site.id);
    BOOST_TEST(got->gravesHandled == 10);
    BOOST_TEST((got->status == BurialSiteStatus::Completed));
    BOOST_TEST(got->version == 3);

    // The log, in order.
    const auto log = repo.progress(site.id);
    BOOST_TEST_REQUIRE(log.size() == 3u);
    BOOST_TEST(log[0].id == e1.id);
    BOOST_TEST(log[1].id == e2.id);
    BOOST_TEST(log[2].id == e3.id);
    BOOST_TEST(log[0].date == "2023-03-01");
    BOOST_TEST(log[0].gravesHandled == 4);
    BOOST_TEST((log[0].status == BurialSiteStatus::InProgress));
    BOOST_TEST(log[0].note == "开始迁移");
    BOOST_TEST(log[0].recordedBy == "inspector1");
    BOOST_TEST(log[1].date == "2023-04-01");
    BOOST_TEST(!log[1].status.has_value());
    BOOST_TEST(log[1].recordedBy == "inspector2");
    BOOST_TEST((log[2].status == BurialSiteStatus::Completed));
    BOOST_TEST(log[2].note == "全部迁入公益性公墓");
    for (const auto& e : log)
        BOOST_TEST(e.siteId == site.id);

    // grave_count cannot drop below what is already handled.
    auto shrink = *got;
    shrink.graveCount = 8;
    BOOST_TEST(hasError(validationErrors([&] { repo.update(shrink, got->version, actor); }), "grave_count"));

    // Another site's log is its own; a missing site is NotFound.
    const auto other = repo.create(sampleSite("110108", 3), actor);
    BOOST_TEST(repo.progress(other.id).empty());
    BOOST_CHECK_THROW(repo.appendProgress(entry(other.id + 100, "2023-06-01", 1), actor), store::NotFound);

    // Each append is in the change log with the site before and after.
    store::ChangeFilter filter;
    filter.entity = "burial_site";
    filter.entityId = site.id;
    const auto entries = store::ChangeLog(t.db()).list(filter, {}).items;
    BOOST_TEST_REQUIRE(entries.size() == 4u); // create + 3 appends
    BOOST_TEST(entries[3].action == "append_progress");
    BOOST_TEST(parseJson(*entries[3].beforeJson)->getValue<int>("graves_handled") == 9);
    BOOST_TEST(parseJson(*entries[3].afterJson)->getValue<int>("graves_handled") == 10);
}

BOOST_AUTO_TEST_CASE(two_instances_appending_at_once_never_exceed_grave_count) {
    TestDatabase t;
    auto other = t.openAnother();
    store::BurialSiteRepository repoA(t.db());
    store::BurialSiteRepository repoB(*other);
    const auto site = repoA.create(sampleSite("110108", 10), actor);
    constexpr int perThread = 8;
    std::atomic<int> stored{0}, refused{0};
    std::mutex m;
    std::vector<std::string> failures;
    StartLine start(2);
    auto writer = [&](store::BurialSiteRepository& repo, const std::string& who) {
        start.arriveAndWait();
        for (int i = 0; i < perThread; ++i) {
            try {
                repo.appendProgress(entry(site.id, "2023-05-01", 1, std::nullopt, who), who);
                ++stored;
            } catch (const store::ValidationFailed& e) {
                ++refused;
                if (!hasError(e.errors(), "graves_handled", "exceeds_total")) {
                    std::lock_guard<std::mutex> lock(m);
                    failures.push_back("refused for another reason");
                }
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(m);
                failures.push_back(e.what()); // Boost.Test is not thread-safe: reported after join
            }
        }
    };
    std::thread a(writer, std::ref(repoA), "甲");
    std::thread b(writer, std::ref(repoB), "乙");
    a.join();
    b.join();
    for (const auto& message : failures)
        BOOST_ERROR("unexpected failure: " << message);
    BOOST_TEST(stored.load() == 10);
    BOOST_TEST(refused.load() == 2 * perThread - 10);
    BOOST_TEST(repoA.get(site.id)->gravesHandled == 10);
    BOOST_TEST(repoB.progress(site.id).size() == 10u);
}

BOOST_AUTO_TEST_CASE(invalid_progress_entry_is_refused) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    const auto site = repo.create(sampleSite("110108", 5), actor);
    const auto errors =
        validationErrors([&] { repo.appendProgress(entry(site.id, "2023-13-01", -1), actor); });
    BOOST_TEST(hasError(errors, "date"));
    BOOST_TEST(hasError(errors, "graves_handled", "min"));
    BOOST_TEST(
        hasError(validationErrors([&] { repo.appendProgress(entry(site.id, "2999-01-01", 1), actor); }),
                 "date", "future"));
    BOOST_TEST(countRows(t.db(), "burial_site_progress") == 0);
}

BOOST_AUTO_TEST_CASE(list_filters_and_overdue) {
    TestDatabase t;
    store::BurialSiteRepository repo(t.db());
    auto make = [&](const std::string& district, BurialSiteStatus status, const std::string& target,
                    domain::BurialSiteKind kind, std::optional<domain::Measure> measure) {
        auto s = sampleSite(district);
        s.status = status;
        s.targetDate = target;
        s.kind = kind;
        s.measure = measure;
        return repo.create(s, actor).id;
    };
    using K = domain::BurialSiteKind;
    using M = domain::Measure;
    const auto lateSurveyed =
        make("110108", BurialSiteStatus::Surveyed, "2022-06-30", K::ScatteredGraves, M::Relocate);
    const auto lateInProgress = make("110117", BurialSiteStatus::InProgress, "2022-12-31",
                                     K::HistoricalBurialPoint, M::DeepBuryNoMound);
    const auto lateCompleted =
        make("110108", BurialSiteStatus::Completed, "2022-06-30", K::ScatteredGraves, M::GreeningScreen);
    const auto lateAccepted =
        make("110108", BurialSiteStatus::Accepted, "2022-01-01", K::ScatteredGraves, M::Relocate);
    const auto dueToday =
        make("110117", BurialSiteStatus::Planned, "2023-01-01", K::ScatteredGraves, std::nullopt);
    const auto future =
        make("110108", BurialSiteStatus::Planned, "2024-12-31", K::HistoricalBurialPoint, M::Relocate);

    store::BurialSiteFilter overdue;
    overdue.overdueOnly = true;
    overdue.today = "2023-01-01";
    BOOST_TEST(listIds(repo, overdue) == (std::vector<long long>{lateSurveyed, lateInProgress}),
               boost::test_tools::per_element());
    overdue.today = "2025-01-01";
    BOOST_TEST(listIds(repo, overdue) ==
                   (std::vector<long long>{lateSurveyed, lateInProgress, dueToday, future}),
               boost::test_tools::per_element());
    overdue.district = "110117";
    BOOST_TEST(listIds(repo, overdue) == (std::vector<long long>{lateInProgress, dueToday}),
               boost::test_tools::per_element());
    // Without an explicit day, today (UTC) is used: every target here is in the past.
    store::BurialSiteFilter overdueNow;
    overdueNow.overdueOnly = true;
    BOOST_TEST(listIds(repo, overdueNow).size() == 4u);

    store::BurialSiteFilter f;
    BOOST_TEST(listIds(repo, f).size() == 6u);
    f.district = "110108";
    BOOST_TEST(listIds(repo, f) ==
                   (std::vector<long long>{lateSurveyed, lateCompleted, lateAccepted, future}),
               boost::test_tools::per_element());
    f = {};
    f.kind = K::HistoricalBurialPoint;
    BOOST_TEST(listIds(repo, f) == (std::vector<long long>{lateInProgress, future}),
               boost::test_tools::per_element());
    f = {};
    f.status = BurialSiteStatus::Planned;
    BOOST_TEST(listIds(repo, f) == (std::vector<long long>{dueToday, future}),
               boost::test_tools::per_element());
    f = {};
    f.measure = M::Relocate;
    BOOST_TEST(listIds(repo, f) == (std::vector<long long>{lateSurveyed, lateAccepted, future}),
               boost::test_tools::per_element());
    f.district = "110108";
    f.status = BurialSiteStatus::Accepted;
    BOOST_TEST(listIds(repo, f) == std::vector<long long>{lateAccepted}, boost::test_tools::per_element());

    // Listed sites carry graves_handled like get() does.
    repo.appendProgress(entry(lateSurveyed, "2022-05-01", 3), actor);
    store::BurialSiteFilter one;
    one.measure = M::Relocate;
    one.status = BurialSiteStatus::Surveyed;
    const auto page = repo.list(one, {});
    BOOST_TEST_REQUIRE(page.items.size() == 1u);
    BOOST_TEST(page.items[0].gravesHandled == 3);
}

BOOST_AUTO_TEST_SUITE_END()
