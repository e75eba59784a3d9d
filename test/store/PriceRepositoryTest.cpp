// Price records: never overwritten. A new price for the same facility and item closes the current one in
// the same transaction, so the whole history stays readable and there is always exactly one current
// record, also when two server instances record prices for the same item at once.

#include "StoreTestSupport.h"

#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/PriceRepository.h"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

using namespace registry;
using namespace registry::test;
using domain::PriceRecord;

namespace {

struct PriceFixture {
    TestDatabase t;
    store::FacilityRepository facilities{t.db()};
    store::PriceRepository prices{t.db()};
    long long facility = facilities.create(sampleFacility("八宝山殡仪馆", "110107"), actor).id;
};

std::vector<long long> ids(const std::vector<PriceRecord>& records) {
    std::vector<long long> out;
    for (const auto& p : records)
        out.push_back(p.id);
    return out;
}

std::vector<PriceRecord> listAll(store::PriceRepository& repo, const store::PriceFilter& filter) {
    std::vector<PriceRecord> out;
    store::PageRequest page{2, 0};
    for (int guard = 0; guard < 1000; ++guard) {
        auto p = repo.list(filter, page);
        out.insert(out.end(), p.items.begin(), p.items.end());
        if (!p.nextAfterId) break;
        page.afterId = *p.nextAfterId;
    }
    return out;
}

/// Checks the history of one facility and item: exactly one current record, every other one closed the
/// day before its successor starts, and the superseded_by chain from the oldest reaches every record.
void checkChain(store::PriceRepository& repo, long long facility, const std::string& item,
                std::size_t expected) {
    const auto history = repo.history(facility, item);
    BOOST_TEST_REQUIRE(history.size() == expected);
    std::map<long long, PriceRecord> byId;
    std::map<long long, long long> predecessor; // successor id -> predecessor id
    int current = 0;
    for (const auto& p : history) {
        byId[p.id] = p;
        if (!p.supersededBy) {
            ++current;
            BOOST_TEST(!p.effectiveTo.has_value());
        } else {
            BOOST_TEST(predecessor.emplace(*p.supersededBy, p.id).second,
                       "two records superseded by " << *p.supersededBy);
        }
    }
    BOOST_TEST(current == 1);
    std::vector<long long> heads;
    for (const auto& p : history)
        if (!predecessor.count(p.id)) heads.push_back(p.id);
    BOOST_TEST_REQUIRE(heads.size() == 1u);
    std::set<long long> visited;
    long long at = heads.front();
    while (true) {
        BOOST_TEST_REQUIRE(visited.insert(at).second, "cycle at " << at);
        const auto& p = byId.at(at);
        if (!p.supersededBy) break;
        BOOST_TEST_REQUIRE(byId.count(*p.supersededBy) == 1u, "dangling superseded_by " << *p.supersededBy);
        const auto& next = byId.at(*p.supersededBy);
        BOOST_TEST(next.effectiveFrom >= p.effectiveFrom);
        BOOST_TEST(p.effectiveTo.value_or("") == domain::addDays(next.effectiveFrom, -1));
        const auto prev = repo.previous(next.id);
        BOOST_TEST_REQUIRE(prev.has_value());
        BOOST_TEST(prev->id == p.id);
        at = next.id;
    }
    BOOST_TEST(visited.size() == expected);
    const auto current2 = listAll(repo, [&] {
        store::PriceFilter f;
        f.facilityId = facility;
        f.item = item;
        f.currentOnly = true;
        return f;
    }());
    BOOST_TEST_REQUIRE(current2.size() == 1u);
    BOOST_TEST(current2.front().id == at);
}

} // namespace

BOOST_AUTO_TEST_SUITE(price_repository)

// The checks' findings of a write go in with the record: one commit in all, each finding about the new
// record's id; and a write the store refuses stores none of them.
BOOST_AUTO_TEST_CASE(a_price_and_its_findings_are_one_commit) {
    PriceFixture f;
    domain::Finding finding;
    finding.plugin = "haidian.test";
    finding.pluginVersion = "1.0.0";
    finding.rule = "price.not_displayed";
    finding.severity = domain::Severity::Violation;
    finding.subjectType = domain::SubjectType::Price;
    finding.district = "110108";
    finding.message = "未公示";
    finding.detailsJson = "{}";
    const auto commits = f.t.db().commits();
    const auto p = f.prices.create(samplePrice(f.facility, "basic.cremation", 60000, "2023-06-01"), actor, {finding});
    BOOST_TEST(f.t.db().commits() == commits + 1);
    store::FindingFilter about;
    about.subjectType = domain::SubjectType::Price;
    about.subjectId = p.id;
    const auto stored = store::FindingRepository(f.t.db()).list(about, {50, 0}).items;
    BOOST_TEST_REQUIRE(stored.size() == 1u);
    BOOST_TEST(stored.front().rule == "price.not_displayed");
    // Dated before the current price: refused, and its finding is not stored either.
    BOOST_CHECK_THROW(f.prices.create(samplePrice(f.facility, "basic.cremation", 60000, "2023-01-01"), actor, {finding}),
                      store::ValidationFailed);
    BOOST_TEST(store::FindingRepository(f.t.db()).list({}, {50, 0}).items.size() == 1u);
}

BOOST_AUTO_TEST_CASE(first_price_is_current) {
    PriceFixture f;
    auto input = samplePrice(f.facility, "basic.cremation", 60000, "2023-01-01");
    input.areaM2 = 0.8;
    input.termYears = 20;
    input.note = "现场公示牌";
    input.source = domain::PriceSource::SelfReport;
    const auto p = f.prices.create(input, "inspector1");
    BOOST_TEST(p.id > 0);
    BOOST_TEST(!p.effectiveTo.has_value());
    BOOST_TEST(!p.supersededBy.has_value());
    BOOST_TEST(p.unit == "per_body"); // the catalogue's unit by default
    BOOST_TEST(p.version == 1);
    BOOST_TEST(p.recordedBy == "inspector1");

    const auto got = f.prices.get(p.id);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->facilityId == f.facility);
    BOOST_TEST(got->item == "basic.cremation");
    BOOST_TEST(got->amountFen == 60000);
    BOOST_TEST(got->unit == "per_body");
    BOOST_TEST(got->effectiveFrom == "2023-01-01");
    BOOST_TEST(!got->effectiveTo.has_value());
    BOOST_TEST(got->displayed);
    BOOST_TEST(!got->bundled);
    BOOST_TEST(got->areaM2.value_or(0) == 0.8);
    BOOST_TEST(got->termYears.value_or(0) == 20);
    BOOST_TEST((got->source == domain::PriceSource::SelfReport));
    BOOST_TEST(got->note == "现场公示牌");
    BOOST_TEST(!got->supersededBy.has_value());
    BOOST_TEST(got->recordedBy == "inspector1");
    BOOST_TEST(got->createdAt == p.createdAt);
    BOOST_TEST(!f.prices.previous(p.id).has_value());
    BOOST_TEST(!f.prices.get(p.id + 100).has_value());

    // An explicit unit and the flags are kept.
    auto bundled = samplePrice(f.facility, "goods.urn", 150000, "2023-01-01");
    bundled.unit = "per_set";
    bundled.displayed = false;
    bundled.bundled = true;
    const auto b = f.prices.get(f.prices.create(bundled, actor).id);
    BOOST_TEST(b->unit == "per_set");
    BOOST_TEST(!b->displayed);
    BOOST_TEST(b->bundled);
    BOOST_TEST(!b->areaM2.has_value());
    BOOST_TEST(!b->termYears.has_value());
}

BOOST_AUTO_TEST_CASE(later_price_supersedes_and_history_stays_readable) {
    PriceFixture f;
    const auto first =
        f.prices.create(samplePrice(f.facility, "basic.cremation", 60000, "2023-01-01"), actor);
    const auto second =
        f.prices.create(samplePrice(f.facility, "basic.cremation", 65000, "2023-07-01"), actor);

    const auto old = f.prices.get(first.id);
    BOOST_TEST(old->effectiveTo.value_or("") == "2023-06-30");
    BOOST_TEST(old->supersededBy.value_or(0) == second.id);
    BOOST_TEST(old->amountFen == 60000); // the old price itself is untouched
    const auto cur = f.prices.get(second.id);
    BOOST_TEST(!cur->effectiveTo.has_value());
    BOOST_TEST(!cur->supersededBy.has_value());
    BOOST_TEST(cur->amountFen == 65000);

    const auto history = f.prices.history(f.facility, "basic.cremation");
    BOOST_TEST(ids(history) == (std::vector<long long>{first.id, second.id}),
               boost::test_tools::per_element());
    BOOST_TEST(f.prices.previous(second.id)->id == first.id);
    BOOST_TEST(!f.prices.previous(first.id).has_value());

    // Another item of the same facility is not affected.
    const auto urn = f.prices.create(samplePrice(f.facility, "goods.urn", 80000, "2023-02-01"), actor);
    BOOST_TEST(!f.prices.get(urn.id)->supersededBy.has_value());
    BOOST_TEST(!f.prices.get(second.id)->supersededBy.has_value());
    // Nor is the same item at another facility.
    const auto otherFacility = f.facilities.create(sampleFacility("东郊殡仪馆", "110105"), actor).id;
    const auto elsewhere =
        f.prices.create(samplePrice(otherFacility, "basic.cremation", 50000, "2023-08-01"), actor);
    BOOST_TEST(!f.prices.get(second.id)->supersededBy.has_value());
    BOOST_TEST(!f.prices.get(elsewhere.id)->supersededBy.has_value());

    // The change log has the supersession (before and after) and each creation.
    store::ChangeFilter filter;
    filter.entity = "price";
    filter.entityId = first.id;
    const auto entries = store::ChangeLog(f.t.db()).list(filter, {}).items;
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0].action == "create");
    BOOST_TEST(entries[1].action == "supersede");
    const auto before = parseJson(*entries[1].beforeJson);
    const auto after = parseJson(*entries[1].afterJson);
    BOOST_TEST(before->isNull("effective_to"));
    BOOST_TEST(after->getValue<std::string>("effective_to") == "2023-06-30");
    BOOST_TEST(after->getValue<long long>("superseded_by") == second.id);
}

BOOST_AUTO_TEST_CASE(price_before_the_current_one_is_refused) {
    PriceFixture f;
    const auto cur = f.prices.create(samplePrice(f.facility, "basic.cremation", 60000, "2023-07-01"), actor);
    const auto records = countRows(f.t.db(), "price_records");
    const auto changes = countRows(f.t.db(), "change_log");
    auto early = samplePrice(f.facility, "basic.cremation", 50000, "2023-06-30");
    early.note = "补录";
    BOOST_TEST(hasError(validationErrors([&] { f.prices.create(early, actor); }), "effective_from",
                        "before_current"));
    BOOST_TEST(countRows(f.t.db(), "price_records") == records);
    BOOST_TEST(countRows(f.t.db(), "change_log") == changes);
    const auto still = f.prices.get(cur.id);
    BOOST_TEST(!still->effectiveTo.has_value());
    BOOST_TEST(!still->supersededBy.has_value());
    BOOST_TEST(still->version == 1);
}

BOOST_AUTO_TEST_CASE(same_day_correction_needs_a_note) {
    PriceFixture f;
    const auto wrong = f.prices.create(samplePrice(f.facility, "ext.cosmetic", 30000, "2023-07-01"), actor);
    const auto records = countRows(f.t.db(), "price_records");
    auto fix = samplePrice(f.facility, "ext.cosmetic", 3000, "2023-07-01");
    BOOST_TEST(
        hasError(validationErrors([&] { f.prices.create(fix, actor); }), "note", "required_for_correction"));
    BOOST_TEST(countRows(f.t.db(), "price_records") == records);
    BOOST_TEST(!f.prices.get(wrong.id)->supersededBy.has_value());

    fix.note = "更正:录入时多写一个 0";
    const auto corrected = f.prices.create(fix, actor);
    BOOST_TEST(corrected.note == fix.note);
    const auto old = f.prices.get(wrong.id);
    BOOST_TEST(old->supersededBy.value_or(0) == corrected.id);
    BOOST_TEST(old->effectiveTo.has_value());
    BOOST_TEST(!f.prices.get(corrected.id)->supersededBy.has_value());
    BOOST_TEST(f.prices.previous(corrected.id)->id == wrong.id);
    BOOST_TEST(f.prices.history(f.facility, "ext.cosmetic").size() == 2u);
}

BOOST_AUTO_TEST_CASE(unknown_facility_and_invalid_fields_are_refused) {
    PriceFixture f;
    const auto changes = countRows(f.t.db(), "change_log");
    BOOST_TEST(hasError(validationErrors([&] {
                            f.prices.create(samplePrice(f.facility + 999, "basic.cremation", 1, "2023-01-01"),
                                            actor);
                        }),
                        "facility_id", "not_found"));

    auto bad = samplePrice(0, "Basic Cremation!", -5, "2023-02-30");
    bad.unit = "Per Body";
    bad.areaM2 = 0.0;
    bad.termYears = 0;
    const auto errors = validationErrors([&] { f.prices.create(bad, actor); });
    BOOST_TEST((errorFields(errors) == std::set<std::string>{"facility_id", "item", "amount_fen", "unit",
                                                             "effective_from", "attributes.area_m2", "attributes.term_years"}));
    BOOST_TEST(hasError(errors, "facility_id", "required"));
    BOOST_TEST(hasError(errors, "amount_fen", "min"));

    auto tooMuch = samplePrice(f.facility, "basic.cremation", domain::maxAmountFen + 1, "2023-01-01");
    BOOST_TEST(hasError(validationErrors([&] { f.prices.create(tooMuch, actor); }), "amount_fen", "max"));

    BOOST_TEST(countRows(f.t.db(), "price_records") == 0);
    BOOST_TEST(countRows(f.t.db(), "change_log") == changes);
}

BOOST_AUTO_TEST_CASE(items_outside_the_catalogue_are_accepted) {
    PriceFixture f;
    const auto p = f.prices.create(samplePrice(f.facility, "misc.parking_fee", 2000, "2023-01-01"), actor);
    const auto got = f.prices.get(p.id);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->item == "misc.parking_fee");
    BOOST_TEST(got->unit == "per_item");
    // They supersede like any other item.
    const auto later =
        f.prices.create(samplePrice(f.facility, "misc.parking_fee", 2500, "2024-01-01"), actor);
    BOOST_TEST(f.prices.get(p.id)->supersededBy.value_or(0) == later.id);
}

BOOST_AUTO_TEST_CASE(list_filters_and_current_records) {
    PriceFixture f;
    const auto haidian = f.facilities.create(sampleFacility("海淀公墓", "110108"), actor).id;
    const auto a1 =
        f.prices.create(samplePrice(f.facility, "basic.cremation", 60000, "2023-01-01"), actor).id;
    const auto a2 =
        f.prices.create(samplePrice(f.facility, "basic.cremation", 62000, "2023-06-01"), actor).id;
    const auto a3 = f.prices.create(samplePrice(f.facility, "goods.urn", 80000, "2023-01-01"), actor).id;
    const auto a4 =
        f.prices.create(samplePrice(f.facility, "basic.transport", 30000, "2023-01-01"), actor).id;
    const auto h1 = f.prices.create(samplePrice(haidian, "cemetery.plot", 5000000, "2023-01-01"), actor).id;
    const auto h2 = f.prices.create(samplePrice(haidian, "basic.cremation", 55000, "2023-03-01"), actor).id;
    const auto h3 = f.prices.create(samplePrice(haidian, "cemetery.plot", 5500000, "2024-01-01"), actor).id;
    using V = std::vector<long long>;

    BOOST_TEST(ids(listAll(f.prices, {})) == (V{a1, a2, a3, a4, h1, h2, h3}),
               boost::test_tools::per_element());
    store::PriceFilter filter;
    filter.facilityId = f.facility;
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{a1, a2, a3, a4}), boost::test_tools::per_element());
    filter = {};
    filter.item = "basic.cremation";
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{a1, a2, h2}), boost::test_tools::per_element());
    filter.currentOnly = true;
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{a2, h2}), boost::test_tools::per_element());
    filter = {};
    filter.district = "110108";
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{h1, h2, h3}), boost::test_tools::per_element());
    filter.currentOnly = true;
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{h2, h3}), boost::test_tools::per_element());
    filter.item = "cemetery.plot";
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{h3}), boost::test_tools::per_element());
    filter = {};
    filter.district = "110101";
    BOOST_TEST(listAll(f.prices, filter).empty());
    filter = {};
    filter.currentOnly = true;
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{a2, a3, a4, h2, h3}), boost::test_tools::per_element());
    filter.facilityId = haidian;
    filter.item = "cemetery.plot";
    filter.district = "110108";
    BOOST_TEST(ids(listAll(f.prices, filter)) == (V{h3}), boost::test_tools::per_element());

    // Every current record of a facility, by item.
    const auto current = f.prices.currentForFacility(f.facility);
    BOOST_TEST_REQUIRE(current.size() == 3u);
    BOOST_TEST(current[0].item == "basic.cremation");
    BOOST_TEST(current[0].id == a2);
    BOOST_TEST(current[1].item == "basic.transport");
    BOOST_TEST(current[2].item == "goods.urn");
    BOOST_TEST(f.prices.currentForFacility(h3 + 1000).empty());
}

BOOST_AUTO_TEST_CASE(many_supersessions_keep_one_current_record) {
    PriceFixture f;
    for (int i = 0; i < 30; ++i)
        f.prices.create(samplePrice(f.facility, "cemetery.maintenance", 10000 + i * 100,
                                    domain::addDays("2022-01-01", i * 17)),
                        actor);
    checkChain(f.prices, f.facility, "cemetery.maintenance", 30);
    BOOST_TEST(countRows(f.t.db(), "price_records", "superseded_by IS NULL") == 1);
}

BOOST_AUTO_TEST_CASE(two_instances_recording_prices_at_once_keep_one_chain) {
    PriceFixture f;
    auto other = f.t.openAnother();
    store::PriceRepository repoB(*other);
    const std::string item = "basic.storage";
    constexpr int perThread = 20;

    std::atomic<int> stored{0}, refused{0}, failed{0};
    std::mutex m;
    std::vector<PriceRecord> created;
    std::vector<std::string> failures;
    StartLine start(2);
    auto writer = [&](store::PriceRepository& repo, int offset) {
        start.arriveAndWait();
        for (int i = 0; i < perThread; ++i) {
            // Each thread's dates increase; across threads they interleave.
            auto p = samplePrice(f.facility, item, 1000 + i * 10 + offset,
                                 domain::addDays("2023-01-01", 2 * i + offset));
            try {
                auto r = repo.create(p, offset ? "writer-b" : "writer-a");
                std::lock_guard<std::mutex> lock(m);
                created.push_back(r);
                ++stored;
            } catch (const store::ValidationFailed&) {
                ++refused; // out of order behind the other writer's newer price
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(m);
                failures.push_back(e.what()); // Boost.Test is not thread-safe: reported after join
                ++failed;
            }
            // A pause lets the other instance in between (SQLite's busy handler otherwise lets one writer
            // run far ahead).
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
        }
    };
    std::thread a(writer, std::ref(f.prices), 0);
    std::thread b(writer, std::ref(repoB), 1);
    a.join();
    b.join();
    BOOST_TEST(failed.load() == 0);
    for (const auto& message : failures)
        BOOST_ERROR("unexpected failure: " << message);
    BOOST_TEST(stored.load() + refused.load() == 2 * perThread);
    BOOST_TEST_MESSAGE("concurrent prices: " << stored.load() << " stored, " << refused.load() << " refused");
    // Whoever stored last stored its newest price, which nothing can refuse: the current record is the
    // last price of one of the two writers.
    const auto currentNow = f.prices.currentForFacility(f.facility);
    BOOST_TEST_REQUIRE(currentNow.size() == 1u);
    const auto lastA = domain::addDays("2023-01-01", 2 * (perThread - 1));
    const auto lastB = domain::addDays("2023-01-01", 2 * (perThread - 1) + 1);
    BOOST_TEST((currentNow[0].effectiveFrom == lastA || currentNow[0].effectiveFrom == lastB),
               currentNow[0].effectiveFrom);
    BOOST_TEST(countRows(f.t.db(), "price_records") == stored.load());
    BOOST_TEST(countRows(f.t.db(), "price_records", "superseded_by IS NULL") == 1);
    checkChain(f.prices, f.facility, item, static_cast<std::size_t>(stored.load()));

    // Every creation in the change log is a stored price with the amount it was stored with.
    std::map<long long, PriceRecord> byId;
    for (const auto& p : created)
        byId[p.id] = p;
    store::ChangeFilter filter;
    filter.entity = "price";
    store::ChangeLog log(f.t.db());
    int creates = 0, supersedes = 0;
    store::PageRequest page{500, 0};
    while (true) {
        auto p = log.list(filter, page);
        for (const auto& e : p.items) {
            if (e.action == "supersede") {
                ++supersedes;
                continue;
            }
            BOOST_TEST(e.action == "create");
            ++creates;
            BOOST_TEST_REQUIRE(byId.count(e.entityId) == 1u, "change_log names price " << e.entityId);
            const auto record = f.prices.get(e.entityId);
            BOOST_TEST_REQUIRE(record.has_value());
            const auto after = parseJson(*e.afterJson);
            BOOST_TEST(after->getValue<long long>("amount_fen") == record->amountFen);
            BOOST_TEST(after->getValue<std::string>("effective_from") == record->effectiveFrom);
        }
        if (!p.nextAfterId) break;
        page.afterId = *p.nextAfterId;
    }
    BOOST_TEST(creates == stored.load());
    BOOST_TEST(supersedes == stored.load() - 1);
}

BOOST_AUTO_TEST_SUITE_END()
