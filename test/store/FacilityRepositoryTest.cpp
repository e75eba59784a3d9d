// Facilities as users of the registry see them: server-assigned codes per district, every list filter,
// cursor pagination, every field error at once with nothing stored, optimistic concurrency between two
// server instances, and the change log of every write.

#include "StoreTestSupport.h"

#include "store/ChangeLog.h"
#include "store/FacilityRepository.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

using namespace registry;
using namespace registry::test;
using domain::Facility;
using domain::FacilityKind;
using domain::FacilityStatus;
using domain::PlanAction;

namespace {

std::vector<long long> ids(const std::vector<Facility>& facilities) {
    std::vector<long long> out;
    for (const auto& f : facilities)
        out.push_back(f.id);
    return out;
}

/// Every facility matching `filter`, read through pages of `limit`.
std::vector<Facility> listAll(store::FacilityRepository& repo, const store::FacilityFilter& filter,
                              int limit = 500) {
    std::vector<Facility> out;
    store::PageRequest page{limit, 0};
    for (int guard = 0; guard < 1000; ++guard) {
        auto p = repo.list(filter, page);
        out.insert(out.end(), p.items.begin(), p.items.end());
        if (!p.nextAfterId) break;
        page.afterId = *p.nextAfterId;
    }
    return out;
}

void requireSameFields(const Facility& a, const Facility& b) {
    BOOST_TEST(a.id == b.id);
    BOOST_TEST(a.code == b.code);
    BOOST_TEST(a.name == b.name);
    BOOST_TEST((a.kind == b.kind));
    BOOST_TEST(a.district == b.district);
    BOOST_TEST(a.address == b.address);
    BOOST_TEST(a.operatorName == b.operatorName);
    BOOST_TEST(a.approvalNo == b.approvalNo);
    BOOST_TEST((a.status == b.status));
    BOOST_TEST((a.planAction == b.planAction));
    BOOST_TEST((a.planPhase == b.planPhase));
    BOOST_TEST((a.capacityTotal == b.capacityTotal));
    BOOST_TEST((a.capacityUsed == b.capacityUsed));
    BOOST_TEST((a.areaM2 == b.areaM2));
    BOOST_TEST((a.lat == b.lat));
    BOOST_TEST((a.lon == b.lon));
    BOOST_TEST(a.notes == b.notes);
    BOOST_TEST(a.version == b.version);
    BOOST_TEST(a.createdAt == b.createdAt);
    BOOST_TEST(a.updatedAt == b.updatedAt);
}

} // namespace

BOOST_AUTO_TEST_SUITE(facility_repository)

BOOST_AUTO_TEST_CASE(create_assigns_codes_per_district_and_version_1) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    const auto a = repo.create(sampleFacility("海淀殡仪馆", "110108", FacilityKind::FuneralHome), actor);
    const auto b = repo.create(sampleFacility("海淀公墓", "110108"), actor);
    const auto c = repo.create(sampleFacility("朝阳公墓", "110105"), actor);
    const auto d = repo.create(sampleFacility("海淀骨灰堂", "110108", FacilityKind::Columbarium), actor);
    BOOST_TEST(a.code == "F-110108-0001");
    BOOST_TEST(b.code == "F-110108-0002");
    BOOST_TEST(c.code == "F-110105-0001");
    BOOST_TEST(d.code == "F-110108-0003");
    for (const auto& f : {a, b, c, d}) {
        BOOST_TEST(f.id > 0);
        BOOST_TEST(f.version == 1);
        BOOST_TEST(f.createdAt.size() == 24u, f.createdAt);
        BOOST_TEST(f.updatedAt == f.createdAt);
    }
    BOOST_TEST(std::set<long long>({a.id, b.id, c.id, d.id}).size() == 4u);
}

BOOST_AUTO_TEST_CASE(client_sent_code_and_version_are_ignored_on_create) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    auto input = sampleFacility("自编代码", "110105");
    input.code = "F-110105-9999";
    input.version = 42;
    const auto f = repo.create(input, actor);
    BOOST_TEST(f.code == "F-110105-0001");
    BOOST_TEST(f.version == 1);
}

BOOST_AUTO_TEST_CASE(get_returns_every_field_as_stored) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    const auto full = repo.create(sampleFacility("八宝山殡仪馆", "110107", FacilityKind::FuneralHome), actor);
    auto sparseInput = sampleFacility("无坐标的服务站", "110119", FacilityKind::FuneralServiceStation);
    sparseInput.planAction.reset();
    sparseInput.planPhase.reset();
    sparseInput.capacityTotal.reset();
    sparseInput.capacityUsed.reset();
    sparseInput.areaM2.reset();
    sparseInput.lat.reset();
    sparseInput.lon.reset();
    sparseInput.address = sparseInput.operatorName = sparseInput.approvalNo = sparseInput.notes = "";
    const auto sparse = repo.create(sparseInput, actor);

    const auto gotFull = repo.get(full.id);
    BOOST_TEST_REQUIRE(gotFull.has_value());
    requireSameFields(*gotFull, full);
    BOOST_TEST(gotFull->name == "八宝山殡仪馆");
    BOOST_TEST(gotFull->lat.value_or(0) == 39.9);

    const auto gotSparse = repo.get(sparse.id);
    BOOST_TEST_REQUIRE(gotSparse.has_value());
    requireSameFields(*gotSparse, sparse);
    BOOST_TEST(!gotSparse->planAction.has_value());
    BOOST_TEST(!gotSparse->capacityTotal.has_value());
    BOOST_TEST(!gotSparse->lat.has_value());

    BOOST_TEST(!repo.get(sparse.id + 1000).has_value());
}

BOOST_AUTO_TEST_CASE(list_filters) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    auto make = [&](const std::string& name, const std::string& district, FacilityKind kind,
                    FacilityStatus status, std::optional<PlanAction> action,
                    const std::string& address = "") {
        auto f = sampleFacility(name, district, kind);
        f.status = status;
        f.planAction = action;
        if (!address.empty()) f.address = address;
        return repo.create(f, actor);
    };
    const auto home = make("八宝山殡仪馆", "110107", FacilityKind::FuneralHome, FacilityStatus::Operating,
                           PlanAction::Upgrade, "石景山区八宝山路 1 号");
    const auto crem = make("东郊殡仪馆火化场", "110105", FacilityKind::Crematorium, FacilityStatus::Operating,
                           PlanAction::Expand);
    const auto percent = make("收费 100% 透明公墓", "110105", FacilityKind::OperatingCemetery,
                              FacilityStatus::Suspended, PlanAction::Close);
    const auto underscore = make("公墓_二期", "110108", FacilityKind::OperatingCemetery,
                                 FacilityStatus::UnderConstruction, PlanAction::NewBuild);
    const auto rural = make("温泉村公益性墓地", "110108", FacilityKind::RuralPublicWelfareCemetery,
                            FacilityStatus::Planned, std::nullopt, "海淀区温泉镇");
    const auto closed = make("Old Columbarium", "110119", FacilityKind::Columbarium, FacilityStatus::Closed,
                             PlanAction::Close);

    auto found = [&](const store::FacilityFilter& filter) {
        auto v = ids(listAll(repo, filter));
        std::sort(v.begin(), v.end());
        return v;
    };
    auto sorted = [](std::vector<long long> v) {
        std::sort(v.begin(), v.end());
        return v;
    };

    store::FacilityFilter all;
    BOOST_TEST(found(all) == sorted({home.id, crem.id, percent.id, underscore.id, rural.id, closed.id}),
               boost::test_tools::per_element());

    store::FacilityFilter byDistrict;
    byDistrict.district = "110105";
    BOOST_TEST(found(byDistrict) == sorted({crem.id, percent.id}), boost::test_tools::per_element());
    byDistrict.district = "110101";
    BOOST_TEST(found(byDistrict).empty());

    store::FacilityFilter byKind;
    byKind.kind = FacilityKind::OperatingCemetery;
    BOOST_TEST(found(byKind) == sorted({percent.id, underscore.id}), boost::test_tools::per_element());

    store::FacilityFilter byStatus;
    byStatus.status = FacilityStatus::Operating;
    BOOST_TEST(found(byStatus) == sorted({home.id, crem.id}), boost::test_tools::per_element());

    store::FacilityFilter byAction;
    byAction.planAction = PlanAction::Close;
    BOOST_TEST(found(byAction) == sorted({percent.id, closed.id}), boost::test_tools::per_element());

    store::FacilityFilter combined;
    combined.district = "110105";
    combined.status = FacilityStatus::Suspended;
    combined.planAction = PlanAction::Close;
    combined.kind = FacilityKind::OperatingCemetery;
    BOOST_TEST(found(combined) == std::vector<long long>{percent.id}, boost::test_tools::per_element());

    // q: a substring of name, code or address; Chinese works, LIKE wildcards are literal.
    store::FacilityFilter q;
    q.q = "殡仪馆";
    BOOST_TEST(found(q) == sorted({home.id, crem.id}), boost::test_tools::per_element());
    q.q = "公墓";
    BOOST_TEST(found(q) == sorted({percent.id, underscore.id}), boost::test_tools::per_element());
    q.q = "%";
    BOOST_TEST(found(q) == std::vector<long long>{percent.id}, boost::test_tools::per_element());
    q.q = "100%";
    BOOST_TEST(found(q) == std::vector<long long>{percent.id}, boost::test_tools::per_element());
    q.q = "_";
    BOOST_TEST(found(q) == std::vector<long long>{underscore.id}, boost::test_tools::per_element());
    q.q = "!";
    BOOST_TEST(found(q).empty());
    q.q = "温泉镇"; // address only
    BOOST_TEST(found(q) == std::vector<long long>{rural.id}, boost::test_tools::per_element());
    q.q = "F-110108-"; // code
    BOOST_TEST(found(q) == sorted({underscore.id, rural.id}), boost::test_tools::per_element());
    q.q = "old columbarium"; // case-insensitive on both backends for ASCII
    const auto caseInsensitive = found(q);
    BOOST_TEST(caseInsensitive == std::vector<long long>{closed.id}, boost::test_tools::per_element());
    q.q = "'; DROP TABLE facilities; --"; // just text
    BOOST_TEST(found(q).empty());
    q.q = "不存在的名字";
    BOOST_TEST(found(q).empty());

    q.q = "公墓";
    q.district = "110108";
    BOOST_TEST(found(q) == std::vector<long long>{underscore.id}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cursor_pagination_visits_every_row_once) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    std::vector<long long> created;
    for (int i = 0; i < 7; ++i)
        created.push_back(
            repo.create(sampleFacility("设施" + std::to_string(i), i % 2 ? "110108" : "110105"), actor).id);

    std::vector<long long> seen;
    store::PageRequest page{2, 0};
    int pages = 0;
    while (true) {
        auto p = repo.list({}, page);
        ++pages;
        BOOST_TEST(p.items.size() <= 2u);
        for (const auto& f : p.items)
            seen.push_back(f.id);
        if (!p.nextAfterId) break;
        BOOST_TEST(*p.nextAfterId == p.items.back().id);
        page.afterId = *p.nextAfterId;
        BOOST_TEST_REQUIRE(pages < 20);
    }
    BOOST_TEST(pages == 4);
    BOOST_TEST(seen == created, boost::test_tools::per_element());

    // An exact multiple of the page size ends without an empty extra page.
    store::FacilityFilter district;
    district.district = "110105"; // 4 rows
    auto first = repo.list(district, {2, 0});
    BOOST_TEST_REQUIRE(first.nextAfterId.has_value());
    auto second = repo.list(district, {2, *first.nextAfterId});
    BOOST_TEST(second.items.size() == 2u);
    BOOST_TEST(!second.nextAfterId.has_value());

    // Limits are clamped to 1..500.
    BOOST_TEST(repo.list({}, {0, 0}).items.size() == 1u);
    BOOST_TEST(repo.list({}, {100000, 0}).items.size() == 7u);
}

BOOST_AUTO_TEST_CASE(invalid_facility_reports_every_field_and_stores_nothing) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    const auto changesBefore = countRows(t.db(), "change_log");
    auto f = sampleFacility("", "999999");
    f.capacityTotal = 5;
    f.capacityUsed = 10;
    f.lat = 10.0;
    f.lon = 10.0;
    f.areaM2 = -1.0;
    const auto errors = validationErrors([&] { repo.create(f, actor); });
    BOOST_TEST(hasError(errors, "name", "required"));
    BOOST_TEST(hasError(errors, "district", "enum"));
    BOOST_TEST(hasError(errors, "capacity_used", "exceeds_total"));
    BOOST_TEST(hasError(errors, "lat", "outside_beijing"));
    BOOST_TEST(hasError(errors, "lon", "outside_beijing"));
    BOOST_TEST(hasError(errors, "area_m2", "min"));
    BOOST_TEST(errors.size() == 6u);

    BOOST_TEST(countRows(t.db(), "facilities") == 0);
    BOOST_TEST(countRows(t.db(), "change_log") == changesBefore);
    BOOST_TEST(repo.list({}, {}).items.empty());
    // No code was used up by the refused write.
    BOOST_TEST(repo.create(sampleFacility("有效设施", "110108"), actor).code == "F-110108-0001");
}

BOOST_AUTO_TEST_CASE(update_with_the_current_version_logs_before_and_after) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    const auto created = repo.create(sampleFacility("旧名称", "110108"), actor);
    auto changed = created;
    changed.name = "新名称";
    changed.status = FacilityStatus::Suspended;
    changed.capacityUsed = 300;
    changed.code = "F-999999-0001"; // the code is server-assigned and stays
    const auto updated = repo.update(changed, 1, "editor");
    BOOST_TEST(updated.version == 2);
    BOOST_TEST(updated.code == created.code);
    BOOST_TEST(updated.createdAt == created.createdAt);
    BOOST_TEST(updated.updatedAt >= created.updatedAt);

    const auto got = repo.get(created.id);
    BOOST_TEST_REQUIRE(got.has_value());
    requireSameFields(*got, updated);
    BOOST_TEST(got->name == "新名称");
    BOOST_TEST((got->status == FacilityStatus::Suspended));
    BOOST_TEST(got->capacityUsed.value_or(0) == 300);

    store::ChangeLog log(t.db());
    store::ChangeFilter filter;
    filter.entity = "facility";
    filter.entityId = created.id;
    const auto entries = log.list(filter, {}).items;
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0].action == "create");
    BOOST_TEST(entries[0].actor == actor);
    BOOST_TEST(!entries[0].beforeJson.has_value());
    BOOST_TEST_REQUIRE(entries[0].afterJson.has_value());
    BOOST_TEST(parseJson(*entries[0].afterJson)->getValue<std::string>("name") == "旧名称");

    BOOST_TEST(entries[1].action == "update");
    BOOST_TEST(entries[1].actor == "editor");
    BOOST_TEST_REQUIRE(entries[1].beforeJson.has_value());
    BOOST_TEST_REQUIRE(entries[1].afterJson.has_value());
    const auto before = parseJson(*entries[1].beforeJson);
    const auto after = parseJson(*entries[1].afterJson);
    BOOST_TEST(before->getValue<std::string>("name") == "旧名称");
    BOOST_TEST(before->getValue<int>("version") == 1);
    BOOST_TEST(before->getValue<std::string>("status") == "operating");
    BOOST_TEST(after->getValue<std::string>("name") == "新名称");
    BOOST_TEST(after->getValue<int>("version") == 2);
    BOOST_TEST(after->getValue<std::string>("status") == "suspended");
    BOOST_TEST(after->getValue<std::string>("code") == created.code);
}

BOOST_AUTO_TEST_CASE(stale_version_is_a_conflict_carrying_the_current_record) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    const auto created = repo.create(sampleFacility("原名", "110108"), actor);
    auto first = created;
    first.name = "第一次修改";
    const auto winner = repo.update(first, 1, actor);
    const auto changes = countRows(t.db(), "change_log");

    auto stale = created;
    stale.name = "基于旧版本的修改";
    const auto current = conflictCurrent<Facility>([&] { repo.update(stale, 1, actor); });
    BOOST_TEST_REQUIRE(current.has_value());
    BOOST_TEST(current->version == 2);
    BOOST_TEST(current->name == "第一次修改");
    requireSameFields(*current, winner);

    // A version from the future is just as stale.
    BOOST_TEST(conflictCurrent<Facility>([&] { repo.update(stale, 7, actor); }).has_value());

    BOOST_TEST(repo.get(created.id)->name == "第一次修改");
    BOOST_TEST(repo.get(created.id)->version == 2);
    BOOST_TEST(countRows(t.db(), "change_log") == changes);
}

// A facility read keeps its prepared statement on the connection (store::KeptStatement). On SQLite a kept
// statement that was not reset would keep its read transaction open, and every later query on that
// connection would read the old snapshot: with one connection, a change made by another instance must be
// seen at once, by the kept read and by any other query, and the read again after a failed one.
BOOST_AUTO_TEST_CASE(kept_reads_see_another_instances_writes_at_once) {
    TestDatabase t;
    auto single = t.openAnother(1);
    store::FacilityRepository reader(*single);
    store::FacilityRepository writer(t.db());
    auto f = writer.create(sampleFacility("保留语句设施", "110108"), actor);
    for (int round = 0; round < 3; ++round) {
        BOOST_TEST_REQUIRE(reader.get(f.id)->name == f.name); // kept, and left with its row fetched
        f.name = "另一实例改名" + std::to_string(round);
        f = writer.update(f, f.version, actor);
        BOOST_TEST(listAll(reader, {}).front().name == f.name); // another query on the same connection
        BOOST_TEST(reader.get(f.id)->name == f.name);
        BOOST_TEST(reader.get(f.id)->version == f.version);
    }
    BOOST_TEST(!reader.get(f.id + 1000).has_value()); // a miss, then a hit, on the same kept statement
    BOOST_TEST(reader.get(f.id)->name == f.name);
}

BOOST_AUTO_TEST_CASE(two_instances_updating_the_same_version_one_wins) {
    TestDatabase t;
    auto other = t.openAnother();
    store::FacilityRepository repoA(t.db());
    store::FacilityRepository repoB(*other);
    const auto created = repoA.create(sampleFacility("并发设施", "110108"), actor);

    // Several rounds, each from the version both writers read.
    long long version = 1;
    for (int round = 0; round < 5; ++round) {
        auto base = repoB.get(created.id);
        BOOST_TEST_REQUIRE(base.has_value());
        BOOST_TEST_REQUIRE(base->version == version);
        StartLine start(2);
        std::atomic<int> wins{0}, conflicts{0};
        std::string winnerName;
        std::optional<Facility> conflictRecord;
        std::mutex m;
        auto writer = [&](store::FacilityRepository& repo, const std::string& name) {
            auto changed = *base;
            changed.name = name;
            start.arriveAndWait();
            try {
                auto f = repo.update(changed, version, name);
                std::lock_guard<std::mutex> lock(m);
                ++wins;
                winnerName = f.name;
            } catch (const store::Conflict<Facility>& e) {
                std::lock_guard<std::mutex> lock(m);
                ++conflicts;
                conflictRecord = e.current();
            }
        };
        const std::string nameA = "甲写入" + std::to_string(round), nameB = "乙写入" + std::to_string(round);
        std::thread a(writer, std::ref(repoA), nameA);
        std::thread b(writer, std::ref(repoB), nameB);
        a.join();
        b.join();
        BOOST_TEST(wins.load() == 1);
        BOOST_TEST(conflicts.load() == 1);
        BOOST_TEST_REQUIRE(conflictRecord.has_value());
        BOOST_TEST(conflictRecord->version == version + 1);
        BOOST_TEST(conflictRecord->name == winnerName);
        // The winner's data is what both instances read now.
        for (auto* repo : {&repoA, &repoB}) {
            const auto now = repo->get(created.id);
            BOOST_TEST(now->name == winnerName);
            BOOST_TEST(now->version == version + 1);
        }
        ++version;
    }
    // One create and exactly one update per round in the log.
    BOOST_TEST(countRows(t.db(), "change_log", "entity = 'facility' AND action = 'update'") == 5);
}

BOOST_AUTO_TEST_CASE(two_instances_creating_at_once_never_share_a_code) {
    TestDatabase t;
    auto other = t.openAnother();
    store::FacilityRepository repoA(t.db());
    store::FacilityRepository repoB(*other);
    constexpr int perThread = 10;
    std::mutex m;
    std::vector<std::string> codes, failures;
    StartLine start(2);
    auto writer = [&](store::FacilityRepository& repo, const std::string& who) {
        start.arriveAndWait();
        for (int i = 0; i < perThread; ++i) {
            try {
                auto f = repo.create(sampleFacility(who + std::to_string(i), "110108"), who);
                std::lock_guard<std::mutex> lock(m);
                codes.push_back(f.code);
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
    std::sort(codes.begin(), codes.end());
    std::vector<std::string> expected;
    for (int i = 1; i <= 2 * perThread; ++i) {
        char code[32];
        std::snprintf(code, sizeof code, "F-110108-%04d", i);
        expected.push_back(code);
    }
    BOOST_TEST(codes == expected, boost::test_tools::per_element());
    BOOST_TEST(countRows(t.db(), "facilities") == 2 * perThread);
}

BOOST_AUTO_TEST_CASE(names_are_counted_in_characters) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    std::string longest;
    for (int i = 0; i < 200; ++i)
        longest += "墓";
    const auto f = repo.create(sampleFacility(longest, "110108"), actor);
    BOOST_TEST(repo.get(f.id)->name == longest);
    BOOST_TEST(
        hasError(validationErrors([&] { repo.create(sampleFacility(longest + "园", "110108"), actor); }),
                 "name", "too_long"));
    BOOST_TEST(
        hasError(validationErrors([&] { repo.create(sampleFacility("bad\x01name", "110108"), actor); }),
                 "name", "encoding"));
    BOOST_TEST(countRows(t.db(), "facilities") == 1);
}

BOOST_AUTO_TEST_CASE(update_of_a_missing_facility_is_not_found) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    auto ghost = sampleFacility("不存在", "110108");
    ghost.id = 424242;
    BOOST_CHECK_THROW(repo.update(ghost, 1, actor), store::NotFound);
    BOOST_TEST(countRows(t.db(), "facilities") == 0);
    BOOST_TEST(countRows(t.db(), "change_log") == 0);
}

BOOST_AUTO_TEST_CASE(invalid_update_changes_nothing) {
    TestDatabase t;
    store::FacilityRepository repo(t.db());
    const auto created = repo.create(sampleFacility("有效", "110108"), actor);
    auto bad = created;
    bad.name = "";
    bad.district = "110100";
    bad.capacityUsed = 5000;
    const auto errors = validationErrors([&] { repo.update(bad, 1, actor); });
    BOOST_TEST((errorFields(errors) == std::set<std::string>{"name", "district", "capacity_used"}));
    const auto got = repo.get(created.id);
    requireSameFields(*got, created);
    BOOST_TEST(countRows(t.db(), "change_log") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
