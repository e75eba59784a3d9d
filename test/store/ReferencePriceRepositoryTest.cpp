// Reference prices (caps set by the price authority): admin writes with optimistic concurrency, and the
// cap in force for an item in a district on a day, the district's own winning over the citywide one.

#include "StoreTestSupport.h"

#include "store/ChangeLog.h"
#include "store/ReferencePriceRepository.h"

using namespace registry;
using namespace registry::test;
using domain::ReferencePrice;

namespace {

ReferencePrice cap(const std::string& item, std::optional<std::string> district, std::int64_t capFen,
                   const std::string& from, std::optional<std::string> to = std::nullopt) {
    ReferencePrice r;
    r.item = item;
    r.district = std::move(district);
    r.capFen = capFen;
    r.effectiveFrom = from;
    r.effectiveTo = std::move(to);
    r.basis = "示例限价(非官方)";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reference_price_repository)

BOOST_AUTO_TEST_CASE(create_get_and_list) {
    TestDatabase t;
    store::ReferencePriceRepository repo(t.db());
    const auto city = repo.create(cap("basic.cremation", std::nullopt, 60000, "2022-01-01"), actor);
    const auto haidian = repo.create(
        cap("basic.cremation", std::string("110108"), 50000, "2023-01-01", std::string("2023-12-31")), actor);
    const auto urn = repo.create(cap("goods.urn", std::string("110108"), 100000, "2022-01-01"), actor);
    BOOST_TEST(city.version == 1);
    BOOST_TEST(city.id > 0);

    const auto got = repo.get(haidian.id);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->item == "basic.cremation");
    BOOST_TEST(got->district.value_or("") == "110108");
    BOOST_TEST(got->capFen == 50000);
    BOOST_TEST(got->effectiveFrom == "2023-01-01");
    BOOST_TEST(got->effectiveTo.value_or("") == "2023-12-31");
    BOOST_TEST(got->basis == "示例限价(非官方)");
    BOOST_TEST(got->version == 1);
    const auto gotCity = repo.get(city.id);
    BOOST_TEST(!gotCity->district.has_value());
    BOOST_TEST(!gotCity->effectiveTo.has_value());
    BOOST_TEST(!repo.get(urn.id + 10).has_value());

    store::ReferencePriceFilter filter;
    BOOST_TEST(repo.list(filter, {}).items.size() == 3u);
    filter.item = "basic.cremation";
    BOOST_TEST(repo.list(filter, {}).items.size() == 2u);
    filter.district = "110108";
    const auto both = repo.list(filter, {}).items;
    BOOST_TEST_REQUIRE(both.size() == 1u);
    BOOST_TEST(both[0].id == haidian.id);
    filter.item.reset();
    BOOST_TEST(repo.list(filter, {}).items.size() == 2u);
    const auto page1 = repo.list({}, {2, 0});
    BOOST_TEST(page1.items.size() == 2u);
    BOOST_TEST_REQUIRE(page1.nextAfterId.has_value());
    const auto page2 = repo.list({}, {2, *page1.nextAfterId});
    BOOST_TEST_REQUIRE(page2.items.size() == 1u);
    BOOST_TEST(page2.items[0].id == urn.id);
    BOOST_TEST(!page2.nextAfterId.has_value());
}

BOOST_AUTO_TEST_CASE(invalid_reference_prices_are_refused) {
    TestDatabase t;
    store::ReferencePriceRepository repo(t.db());
    auto bad =
        cap("misc.not_in_catalogue", std::string("123456"), -1, "2023-05-01", std::string("2023-04-30"));
    bad.basis = "";
    const auto errors = validationErrors([&] { repo.create(bad, actor); });
    BOOST_TEST((errorFields(errors) ==
                std::set<std::string>{"item", "district", "cap_fen", "effective_to", "basis"}));
    BOOST_TEST(countRows(t.db(), "reference_prices") == 0);
    BOOST_TEST(countRows(t.db(), "change_log") == 0);
}

BOOST_AUTO_TEST_CASE(update_conflict_and_not_found) {
    TestDatabase t;
    store::ReferencePriceRepository repo(t.db());
    const auto created = repo.create(cap("basic.transport", std::nullopt, 30000, "2022-01-01"), actor);
    auto changed = created;
    changed.effectiveTo = "2023-12-31";
    changed.capFen = 32000;
    const auto updated = repo.update(changed, 1, "admin");
    BOOST_TEST(updated.version == 2);
    const auto got = repo.get(created.id);
    BOOST_TEST(got->capFen == 32000);
    BOOST_TEST(got->effectiveTo.value_or("") == "2023-12-31");
    BOOST_TEST(got->version == 2);
    BOOST_TEST(got->createdAt == created.createdAt);

    auto stale = created;
    stale.capFen = 1;
    const auto current = conflictCurrent<ReferencePrice>([&] { repo.update(stale, 1, "admin"); });
    BOOST_TEST_REQUIRE(current.has_value());
    BOOST_TEST(current->capFen == 32000);
    BOOST_TEST(current->version == 2);
    BOOST_TEST(repo.get(created.id)->capFen == 32000);

    auto invalid = *got;
    invalid.capFen = -3;
    BOOST_TEST(hasError(validationErrors([&] { repo.update(invalid, 2, "admin"); }), "cap_fen", "min"));
    BOOST_TEST(repo.get(created.id)->capFen == 32000);

    auto ghost = created;
    ghost.id = created.id + 100;
    BOOST_CHECK_THROW(repo.update(ghost, 1, "admin"), store::NotFound);

    store::ChangeFilter filter;
    filter.entity = "reference_price";
    filter.entityId = created.id;
    const auto entries = store::ChangeLog(t.db()).list(filter, {}).items;
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[1].action == "update");
    BOOST_TEST(entries[1].actor == "admin");
    BOOST_TEST(parseJson(*entries[1].beforeJson)->getValue<long long>("cap_fen") == 30000);
    BOOST_TEST(parseJson(*entries[1].afterJson)->getValue<long long>("cap_fen") == 32000);
}

BOOST_AUTO_TEST_CASE(cap_prefers_the_district_and_respects_dates) {
    TestDatabase t;
    store::ReferencePriceRepository repo(t.db());
    const std::string item = "basic.cremation";
    const auto city2022 =
        repo.create(cap(item, std::nullopt, 60000, "2022-01-01", std::string("2023-12-31")), actor);
    const auto city2024 = repo.create(cap(item, std::nullopt, 65000, "2024-01-01"), actor);
    const auto haidian =
        repo.create(cap(item, std::string("110108"), 50000, "2023-01-01", std::string("2023-12-31")), actor);
    const auto pinggu = repo.create(cap(item, std::string("110117"), 40000, "2022-06-01"), actor);
    repo.create(cap("goods.urn", std::nullopt, 100000, "2022-01-01"), actor);

    auto capId = [&](const std::optional<std::string>& district, const std::string& date) -> long long {
        const auto c = repo.capFor(item, district, date);
        return c ? c->id : 0;
    };
    const std::optional<std::string> citywide;
    const auto hd = std::optional<std::string>("110108");
    const auto pg = std::optional<std::string>("110117");
    const auto cy = std::optional<std::string>("110105");

    BOOST_TEST(capId(citywide, "2021-12-31") == 0); // before any cap
    BOOST_TEST(capId(citywide, "2022-01-01") == city2022.id);
    BOOST_TEST(capId(citywide, "2023-12-31") == city2022.id);
    BOOST_TEST(capId(citywide, "2024-01-01") == city2024.id);

    BOOST_TEST(capId(hd, "2022-06-01") == city2022.id); // district cap not yet in force
    BOOST_TEST(capId(hd, "2023-01-01") == haidian.id);
    BOOST_TEST(capId(hd, "2023-12-31") == haidian.id);
    BOOST_TEST(capId(hd, "2024-01-01") == city2024.id); // district cap expired
    BOOST_TEST(capId(pg, "2022-05-31") == city2022.id);
    BOOST_TEST(capId(pg, "2022-06-01") == pinggu.id);
    BOOST_TEST(capId(pg, "2030-01-01") == pinggu.id);
    BOOST_TEST(capId(cy, "2023-06-01") == city2022.id); // no cap of its own
    BOOST_TEST(capId(cy, "2025-06-01") == city2024.id);

    const auto found = repo.capFor(item, hd, "2023-06-15");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->capFen == 50000);
    BOOST_TEST(!repo.capFor("basic.storage", hd, "2023-06-15").has_value());
    BOOST_TEST(!repo.capFor("misc.unknown", std::nullopt, "2023-06-15").has_value());

    // Overlapping caps: the one that took effect latest wins.
    const auto newer = repo.create(cap(item, std::string("110108"), 48000, "2023-07-01"), actor);
    BOOST_TEST(capId(hd, "2023-06-30") == haidian.id);
    BOOST_TEST(capId(hd, "2023-07-01") == newer.id);
    BOOST_TEST(capId(hd, "2026-01-01") == newer.id);
}

BOOST_AUTO_TEST_SUITE_END()
