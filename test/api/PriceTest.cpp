// /api/v1/prices (never updated: a new record supersedes the current one) and /api/v1/reference-prices
// (caps that admins set).

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;
using Poco::Dynamic::Var;

BOOST_AUTO_TEST_SUITE(Prices)

BOOST_AUTO_TEST_CASE(create_answers_the_record_with_checks) {
    const auto facility = createFacility("insp", kOwn, "价格测试殡仪馆").id();
    auto body = priceBody(facility, "basic.cremation", 60000, "2024-01-01");
    body->set("attributes", object({{"area_m2", 1.5}, {"term_years", 20}}));
    body->set("note", "现场检查");
    const auto r = as("insp").post("/api/v1/prices", body);
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.header("Location") == pathOf("prices", r.id()));
    BOOST_TEST(r.etag() == "\"1\"");
    BOOST_TEST(r.num("facility_id") == facility);
    BOOST_TEST(r.str("item") == "basic.cremation");
    BOOST_TEST(r.num("amount_fen") == 60000);
    BOOST_TEST(r.str("unit") == "per_body", "the catalogue's unit when none is given");
    BOOST_TEST(r.str("effective_from") == "2024-01-01");
    BOOST_TEST(r.isNull("effective_to"));
    BOOST_TEST(r.isNull("superseded_by"));
    BOOST_TEST(r.obj()->getValue<bool>("displayed"));
    BOOST_TEST(!r.obj()->getValue<bool>("bundled"));
    BOOST_TEST(r.obj()->getObject("attributes")->getValue<int>("term_years") == 20);
    BOOST_TEST(r.str("source") == "inspection");
    BOOST_TEST(r.str("recorded_by") == "insp");
    BOOST_REQUIRE(r.obj()->has("checks"));
    BOOST_TEST((r.obj()->get("checks").type() == typeid(JsonArray)));

    const auto read = as("insp").get(r.header("Location"));
    BOOST_TEST(read.status == 200);
    BOOST_TEST(read.etag() == "\"1\"");
    BOOST_TEST(read.num("amount_fen") == 60000);
    BOOST_TEST(as("admin").get("/api/v1/prices/999999").status == 404);
}

BOOST_AUTO_TEST_CASE(a_new_price_supersedes_the_current_one) {
    const auto admin = as("admin");
    const auto facility = createFacility("admin", kOwn, "价格替代测试").id();
    const auto old = admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", 50000, "2024-01-01"));
    BOOST_REQUIRE_EQUAL(old.status, 201);
    const auto other = admin.post("/api/v1/prices", priceBody(facility, "basic.storage", 3000, "2024-01-01"));
    BOOST_REQUIRE_EQUAL(other.status, 201);
    const auto changesBefore = admin.count("/api/v1/changes?entity=price");

    const auto fresh = admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", 60000, "2024-06-01"));
    BOOST_REQUIRE_EQUAL(fresh.status, 201);
    BOOST_TEST(fresh.isNull("effective_to"));

    const auto closed = admin.get(pathOf("prices", old.id()));
    BOOST_TEST(closed.str("effective_to") == "2024-05-31");
    BOOST_TEST(closed.num("superseded_by") == fresh.id());
    BOOST_TEST(closed.num("amount_fen") == 50000, "the old amount stays as it was");
    // Another item of the same facility is untouched.
    BOOST_TEST(admin.get(pathOf("prices", other.id())).isNull("superseded_by"));

    // One supersede entry and one create entry in the change log.
    BOOST_TEST(admin.count("/api/v1/changes?entity=price") == changesBefore + 2);
    const auto oldLog = admin.all("/api/v1/changes?entity=price&entity_id=" + std::to_string(old.id()));
    BOOST_REQUIRE_EQUAL(oldLog.size(), 2u);
    BOOST_TEST(oldLog[1]->getValue<std::string>("action") == "supersede");

    const std::string list = "/api/v1/prices?facility_id=" + std::to_string(facility);
    BOOST_TEST(admin.get(list).items()->size() == 3u);
    const auto current = admin.get(list + "&current=true");
    BOOST_TEST(current.items()->size() == 2u);
    for (const auto& p : *current.items()) BOOST_TEST(p.extract<JsonObject>()->getValue<long long>("id") != old.id());
    const auto cremation = admin.get(list + "&item=basic.cremation&current=true");
    BOOST_REQUIRE_EQUAL(cremation.items()->size(), 1u);
    BOOST_TEST(cremation.items()->getObject(0)->getValue<long long>("id") == fresh.id());
    BOOST_TEST(admin.get(list + "&item=basic.cremation&current=false").items()->size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_price_may_not_start_before_the_current_one) {
    const auto admin = as("admin");
    const auto facility = createFacility("admin", kOwn, "生效日期测试").id();
    const auto current = admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", 50000, "2024-06-01"));
    BOOST_REQUIRE_EQUAL(current.status, 201);
    const auto state = dbState();
    const auto before = admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", 40000, "2024-03-01"));
    BOOST_TEST(before.status == 422, before.describe());
    BOOST_TEST(before.hasError("effective_from", "before_current"));
    const auto sameDay = admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", 40000, "2024-06-01"));
    BOOST_TEST(sameDay.status == 422, sameDay.describe());
    BOOST_TEST(sameDay.hasError("note", "required_for_correction"));
    BOOST_TEST(dbState() == state);
    BOOST_TEST(admin.get(pathOf("prices", current.id())).isNull("superseded_by"));

    // A correction on the same day with a note replaces it.
    const auto correction = admin.post("/api/v1/prices", with(priceBody(facility, "basic.cremation", 45000, "2024-06-01"),
                                                              {{"note", "更正录入错误"}}));
    BOOST_TEST(correction.status == 201, correction.describe());
    const auto replaced = admin.get(pathOf("prices", current.id()));
    BOOST_TEST(replaced.num("superseded_by") == correction.id());
    BOOST_TEST(replaced.str("effective_to") == "2024-05-31");
}

BOOST_AUTO_TEST_CASE(every_invalid_field_is_listed_at_once) {
    const auto admin = as("admin");
    const auto state = dbState();
    const auto r = admin.post("/api/v1/prices", object({{"facility_id", "seven"},
                                                        {"item", "Basic Cremation"},
                                                        {"amount_fen", -1},
                                                        {"unit", "Per Body"},
                                                        {"effective_from", "2024-13-01"},
                                                        {"displayed", "yes"},
                                                        {"attributes", object({{"area_m2", 0}, {"colour", "x"}})},
                                                        {"source", "rumour"},
                                                        {"note", std::string(2001, 'n')},
                                                        {"discount", 5}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("facility_id", "type"));
    BOOST_TEST(r.hasError("item", "format"));
    BOOST_TEST(r.hasError("amount_fen", "min"));
    BOOST_TEST(r.hasError("unit", "format"));
    BOOST_TEST(r.hasError("effective_from", "date"));
    BOOST_TEST(r.hasError("displayed", "type"));
    BOOST_TEST(r.hasError("bundled", "required"));
    BOOST_TEST(r.hasError("attributes.colour", "unknown"));
    BOOST_TEST(r.errorFields().count("attributes.area_m2") + r.errorFields().count("area_m2") == 1u);
    BOOST_TEST(r.hasError("source", "enum"));
    BOOST_TEST(r.hasError("note", "too_long"));
    BOOST_TEST(r.hasError("discount", "unknown"));

    const auto tooMuch = admin.post("/api/v1/prices", priceBody(1, "basic.cremation", 10'000'000'001LL, "2024-01-01"));
    BOOST_TEST(tooMuch.hasError("amount_fen", "max"), tooMuch.describe());
    const auto fraction = admin.post("/api/v1/prices", with(priceBody(1, "basic.cremation", 0, "2024-01-01"),
                                                            {{"amount_fen", 12.5}}));
    BOOST_TEST(fraction.hasError("amount_fen", "type"), fraction.describe());
    BOOST_TEST(dbState() == state);
}

// Errors inside `attributes` name the nested field, whether of value or of type.
BOOST_AUTO_TEST_CASE(errors_inside_attributes_name_the_nested_field) {
    const auto facility = createFacility("admin", kOwn, "嵌套字段").id();
    const auto r = as("admin").post("/api/v1/prices", with(priceBody(facility, "cemetery.plot", 100, "2024-01-01"),
                                                           {{"attributes", object({{"area_m2", 0}, {"term_years", 0}})}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("attributes.area_m2", "min"), r.describe());
    BOOST_TEST(r.hasError("attributes.term_years", "min"), r.describe());
    const auto types = as("admin").post("/api/v1/prices", with(priceBody(facility, "cemetery.plot", 100, "2024-01-01"),
                                                               {{"attributes", object({{"term_years", "ten"}})}}));
    BOOST_TEST(types.hasError("attributes.term_years", "type"), types.describe());
}

BOOST_AUTO_TEST_CASE(an_unknown_facility_is_422) {
    const auto state = dbState();
    const auto r = as("admin").post("/api/v1/prices", priceBody(999999, "basic.cremation", 50000, "2024-01-01"));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("facility_id", "not_found"));
    BOOST_TEST(as("admin").post("/api/v1/prices", priceBody(0, "basic.cremation", 1, "2024-01-01"))
                   .hasError("facility_id", "required"));
    BOOST_TEST(dbState() == state);
}

BOOST_AUTO_TEST_CASE(items_outside_the_catalogue_are_stored_as_charged) {
    const auto facility = createFacility("admin", kOwn, "目录外收费").id();
    const auto r = as("admin").post("/api/v1/prices", priceBody(facility, "extra.vip_hall_fee", 880000, "2024-01-01"));
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.str("item") == "extra.vip_hall_fee");
    BOOST_TEST(r.str("unit") == "per_item");
}

BOOST_AUTO_TEST_CASE(price_lists_filter_and_check_their_queries) {
    const auto admin = as("admin");
    for (const char* q : {"facility_id=abc", "current=maybe", "district=1", "limit=0", "cursor=abc"})
        BOOST_TEST(admin.get(std::string("/api/v1/prices?") + q).status == 400, q);
    const auto facility = createFacility("admin", "110111", "房山价格").id(); // Fangshan: this test only
    BOOST_REQUIRE_EQUAL(admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", 1, "2024-01-01")).status, 201);
    const auto byDistrict = admin.get("/api/v1/prices?district=110111");
    BOOST_TEST(byDistrict.items()->size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// ------------------------------------------------------------------------------------- reference prices

BOOST_AUTO_TEST_SUITE(ReferencePrices)

BOOST_AUTO_TEST_CASE(admins_write_reference_prices_and_everyone_reads_them) {
    const auto admin = as("admin");
    const auto created = admin.post("/api/v1/reference-prices", referencePriceBody("basic.cremation", 48000));
    BOOST_TEST(created.status == 201, created.describe());
    BOOST_TEST(created.header("Location") == pathOf("reference-prices", created.id()));
    BOOST_TEST(created.etag() == "\"1\"");
    BOOST_TEST(created.isNull("district"));
    BOOST_TEST(created.num("cap_fen") == 48000);
    BOOST_TEST(created.str("basis") == "京发改〔2024〕测试号");

    for (const char* user : {"insp", "inspcity", "it", "aud", "insp105"}) {
        const auto list = as(user).get("/api/v1/reference-prices");
        BOOST_TEST(list.status == 200, user);
        BOOST_TEST(list.items()->size() >= 1u, user);
        BOOST_TEST(as(user).get(created.header("Location")).status == 200, user);
    }

    const auto changed = with(referencePriceBody("basic.cremation", 50000), {{"district", "110108"},
                                                                              {"effective_to", "2025-12-31"}});
    const auto put = admin.put(created.header("Location"), changed, created.etag());
    BOOST_TEST(put.status == 200, put.describe());
    BOOST_TEST(put.etag() == "\"2\"");
    BOOST_TEST(put.str("district") == "110108");
    BOOST_TEST(put.str("effective_to") == "2025-12-31");
    BOOST_TEST(admin.put(created.header("Location"), changed, "").status == 428);
    const auto stale = admin.put(created.header("Location"), changed, created.etag());
    BOOST_TEST(stale.status == 409);
    BOOST_TEST(stale.obj()->getObject("current")->getValue<long long>("cap_fen") == 50000);
    BOOST_TEST(admin.put("/api/v1/reference-prices/999999", changed, "\"1\"").status == 404);
    BOOST_TEST(admin.get("/api/v1/reference-prices/999999").status == 404);

    const auto filtered = admin.get("/api/v1/reference-prices?item=basic.cremation&district=110108");
    BOOST_TEST(filtered.status == 200);
    BOOST_TEST(filtered.items()->size() >= 1u);
    BOOST_TEST(admin.get("/api/v1/reference-prices?district=abc").status == 400);
}

BOOST_AUTO_TEST_CASE(only_admins_write_reference_prices) {
    const auto created = as("admin").post("/api/v1/reference-prices", referencePriceBody("basic.storage", 2000));
    BOOST_REQUIRE_EQUAL(created.status, 201);
    const auto state = dbState();
    for (const char* user : {"insp", "inspcity", "it", "aud"}) {
        const auto post = as(user).post("/api/v1/reference-prices", referencePriceBody("basic.cremation", 1));
        BOOST_TEST(post.status == 403, user << ": " << post.describe());
        BOOST_TEST(post.isProblem());
        const auto put = as(user).put(created.header("Location"), referencePriceBody("basic.storage", 1),
                                      created.etag());
        BOOST_TEST(put.status == 403, user << ": " << put.describe());
    }
    BOOST_TEST(dbState() == state);
    BOOST_TEST(as("admin").get(created.header("Location")).num("cap_fen") == 2000);
}

// Known bug: as for users, "district": "" passes validation and fails on the foreign key: 500, not 422.
// core/domain/Price.cpp, validate(ReferencePrice): `if (r.district) v.district("district", *r.district, false)`.
BOOST_AUTO_TEST_CASE(an_empty_district_is_422_not_500) {
    const auto state = dbState();
    const auto r = as("admin").post("/api/v1/reference-prices", with(referencePriceBody("goods.urn", 100), {{"district", ""}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.errorFields().count("district") == 1u, r.describe());
    BOOST_TEST(dbState() == state);
}

BOOST_AUTO_TEST_CASE(reference_price_fields_are_checked_all_at_once) {
    const auto state = dbState();
    const auto r = as("admin").post("/api/v1/reference-prices", object({{"item", "not.in.catalogue"},
                                                                        {"district", "000000"},
                                                                        {"cap_fen", -100},
                                                                        {"effective_from", "2024-06-01"},
                                                                        {"effective_to", "2024-01-01"},
                                                                        {"basis", ""},
                                                                        {"source", "x"}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("item", "enum"));
    BOOST_TEST(r.hasError("district", "enum"));
    BOOST_TEST(r.hasError("cap_fen", "min"));
    BOOST_TEST(r.hasError("effective_to", "before_start"));
    BOOST_TEST(r.hasError("basis", "required"));
    BOOST_TEST(r.hasError("source", "unknown"));
    BOOST_TEST(dbState() == state);
}

BOOST_AUTO_TEST_SUITE_END()
