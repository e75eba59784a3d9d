// The change log as an auditor reads it (GET /api/v1/changes?entity=&entity_id=): filtered and paged in
// order, and untouched by any write that was refused.

#include "StoreTestSupport.h"

#include "store/BurialSiteRepository.h"
#include "store/ChangeLog.h"
#include "store/FacilityRepository.h"
#include "store/InspectionRepository.h"
#include "store/PriceRepository.h"
#include "store/ReferencePriceRepository.h"
#include "store/UserRepository.h"

#include <map>

using namespace registry;
using namespace registry::test;

namespace {

std::vector<store::ChangeEntry> listAll(store::ChangeLog& log, const store::ChangeFilter& filter, int limit,
                                        int* pages = nullptr) {
    std::vector<store::ChangeEntry> out;
    store::PageRequest page{limit, 0};
    int n = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        auto p = log.list(filter, page);
        ++n;
        out.insert(out.end(), p.items.begin(), p.items.end());
        if (!p.nextAfterId) break;
        page.afterId = *p.nextAfterId;
    }
    if (pages) *pages = n;
    return out;
}

/// Row counts of every table a refused write could have touched.
std::map<std::string, long long> snapshot(store::Database& db) {
    std::map<std::string, long long> out;
    for (const char* table : {"facilities", "burial_sites", "burial_site_progress", "price_records",
                              "reference_prices", "inspections", "users", "auth_tokens", "change_log"})
        out[table] = countRows(db, table);
    // The code counters too: a refused create must not use up a number.
    store::Database::Session session(db);
    long long sum = 0;
    session.sql() << "SELECT SUM(next_value) FROM code_sequences", soci::into(sum);
    out["code_sequences"] = sum;
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(change_log)

BOOST_AUTO_TEST_CASE(filter_by_entity_and_id_with_pagination) {
    TestDatabase t;
    store::FacilityRepository facilities(t.db());
    auto first = facilities.create(sampleFacility("甲设施", "110108"), "alice");
    const auto second = facilities.create(sampleFacility("乙设施", "110105"), "bob");
    for (int i = 0; i < 4; ++i) {
        first.name = "甲设施 v" + std::to_string(i + 2);
        first = facilities.update(first, first.version, "carol");
    }
    store::BurialSiteRepository(t.db()).create(sampleSite("110108"), "alice");

    store::ChangeLog log(t.db());
    store::ChangeFilter filter;
    filter.entity = "facility";
    filter.entityId = first.id;
    int pages = 0;
    const auto entries = listAll(log, filter, 2, &pages);
    BOOST_TEST(pages == 3);
    BOOST_TEST_REQUIRE(entries.size() == 5u);
    BOOST_TEST(entries[0].action == "create");
    BOOST_TEST(entries[0].actor == "alice");
    for (std::size_t i = 1; i < entries.size(); ++i) {
        BOOST_TEST(entries[i].action == "update");
        BOOST_TEST(entries[i].actor == "carol");
        BOOST_TEST(entries[i].id > entries[i - 1].id);
        BOOST_TEST(entries[i].at >= entries[i - 1].at);
        // Each update's "before" is the previous "after".
        BOOST_TEST(*entries[i].beforeJson == *entries[i - 1].afterJson);
        BOOST_TEST(parseJson(*entries[i].afterJson)->getValue<int>("version") == static_cast<int>(i + 1));
    }
    for (const auto& e : entries) {
        BOOST_TEST(e.entity == "facility");
        BOOST_TEST(e.entityId == first.id);
        BOOST_TEST(e.at.size() == 24u, e.at); // RFC 3339 UTC, fixed width
        BOOST_TEST(e.at.back() == 'Z');
    }

    filter.entityId.reset();
    BOOST_TEST(listAll(log, filter, 4).size() == 6u);
    filter.entityId = second.id;
    const auto ofSecond = listAll(log, filter, 50);
    BOOST_TEST_REQUIRE(ofSecond.size() == 1u);
    BOOST_TEST(ofSecond[0].actor == "bob");
    filter.entity = "burial_site";
    filter.entityId.reset();
    BOOST_TEST(listAll(log, filter, 50).size() == 1u);
    filter.entity = "price";
    BOOST_TEST(listAll(log, filter, 50).empty());
    BOOST_TEST(listAll(log, {}, 1).size() == 7u);
}

BOOST_AUTO_TEST_CASE(refused_writes_leave_no_trace) {
    TestDatabase t;
    auto& db = t.db();
    store::FacilityRepository facilities(db);
    store::BurialSiteRepository sites(db);
    store::PriceRepository prices(db);
    store::ReferencePriceRepository references(db);
    store::InspectionRepository inspections(db);
    store::UserRepository users(db);

    const auto facility = facilities.create(sampleFacility("基准设施", "110108"), actor);
    auto facilityV2 = facility;
    facilityV2.notes = "第二版";
    facilityV2 = facilities.update(facilityV2, 1, actor);
    const auto site = sites.create(sampleSite("110108", 5), actor);
    const auto price = prices.create(samplePrice(facility.id, "basic.cremation", 60000, "2023-07-01"), actor);
    domain::ReferencePrice reference;
    reference.item = "basic.cremation";
    reference.capFen = 60000;
    reference.effectiveFrom = "2022-01-01";
    reference.basis = "示例";
    const auto ref = references.create(reference, actor);
    domain::User u;
    u.username = "inspector1";
    users.create(u, "hash", actor);

    const auto before = snapshot(db);

    // ValidationFailed, each kind of write.
    validationErrors([&] { facilities.create(sampleFacility("", "110108"), actor); });
    validationErrors([&] {
        auto bad = facilityV2;
        bad.capacityUsed = 99999;
        facilities.update(bad, facilityV2.version, actor);
    });
    validationErrors([&] { sites.create(sampleSite("110108", 0), actor); });
    validationErrors([&] {
        auto skip = site;
        skip.status = domain::BurialSiteStatus::Completed;
        sites.update(skip, site.version, actor);
    });
    validationErrors([&] {
        domain::ProgressEntry e;
        e.siteId = site.id;
        e.date = "2023-01-01";
        e.gravesHandled = 6;
        sites.appendProgress(e, actor);
    });
    validationErrors(
        [&] { prices.create(samplePrice(facility.id, "basic.cremation", 1, "2023-06-01"), actor); });
    validationErrors(
        [&] { prices.create(samplePrice(facility.id, "basic.cremation", 1, "2023-07-01"), actor); });
    validationErrors(
        [&] { prices.create(samplePrice(facility.id + 99, "basic.cremation", 1, "2023-08-01"), actor); });
    validationErrors([&] {
        auto bad = reference;
        bad.item = "misc.x";
        references.create(bad, actor);
    });
    validationErrors([&] {
        domain::Inspection i;
        i.subjectType = domain::SubjectType::BurialSite;
        i.subjectId = site.id + 99;
        i.date = "2023-01-01";
        inspections.create(i, actor);
    });
    validationErrors([&] { users.create(u, "hash", actor); });

    // Conflicts, each repository that has them.
    conflictCurrent<domain::Facility>([&] { facilities.update(facility, 1, actor); });
    conflictCurrent<domain::BurialSite>([&] { sites.update(site, 7, actor); });
    conflictCurrent<domain::ReferencePrice>([&] { references.update(ref, 3, actor); });
    const auto storedUser = users.findByUsername("inspector1")->user;
    conflictCurrent<domain::User>([&] { users.update(storedUser, 9, actor); });

    // NotFound.
    BOOST_CHECK_THROW(
        [&] {
            auto ghost = facility;
            ghost.id += 1000;
            facilities.update(ghost, 1, actor);
        }(),
        store::NotFound);

    const auto after = snapshot(db);
    for (const auto& [table, count] : before)
        BOOST_TEST(after.at(table) == count, table);
    // The records themselves are as they were.
    BOOST_TEST(facilities.get(facility.id)->notes == "第二版");
    BOOST_TEST(facilities.get(facility.id)->version == 2);
    BOOST_TEST(sites.get(site.id)->version == 1);
    BOOST_TEST(sites.get(site.id)->gravesHandled == 0);
    BOOST_TEST(!prices.get(price.id)->supersededBy.has_value());
    BOOST_TEST(references.get(ref.id)->version == 1);
}

BOOST_AUTO_TEST_SUITE_END()
