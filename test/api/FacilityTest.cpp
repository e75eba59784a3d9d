// /api/v1/facilities: create, read, edit with ETag/If-Match, the list with its filters and cursor paging,
// and every validation error at once.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <regex>

using namespace registry::apitest;
using Poco::Dynamic::Var;

BOOST_AUTO_TEST_SUITE(Facilities)

BOOST_AUTO_TEST_CASE(create_answers_201_with_location_etag_and_a_code) {
    const auto r = as("insp").post("/api/v1/facilities", facilityBody(kOwn, "海淀殡仪馆"));
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.header("Location") == pathOf("facilities", r.id()));
    BOOST_TEST(r.etag() == "\"1\"");
    BOOST_TEST(r.num("version") == 1);
    BOOST_TEST(std::regex_match(r.str("code"), std::regex("F-110108-[0-9]{4}")), r.str("code"));
    BOOST_TEST(r.str("name") == "海淀殡仪馆");
    BOOST_TEST(r.str("kind") == "funeral_home");
    BOOST_TEST(r.str("district") == "110108");
    BOOST_TEST(r.str("plan_phase") == "2021-2025");
    BOOST_TEST(r.num("capacity_total") == 1000);
    BOOST_TEST(r.num("capacity_used") == 100);
    BOOST_TEST(r.obj()->getValue<double>("lat") == 39.96);
    BOOST_TEST(r.str("created_at").back() == 'Z');
    BOOST_TEST(r.str("created_at") == r.str("updated_at"));
    BOOST_TEST(r.contentType.find("application/json") == 0u, r.contentType);

    const auto read = as("insp").get(r.header("Location"));
    BOOST_TEST(read.status == 200);
    BOOST_TEST(read.etag() == "\"1\"");
    BOOST_TEST(read.record() == r.record());
}

BOOST_AUTO_TEST_CASE(codes_count_per_district) {
    const auto a = createFacility("admin", "110101");
    const auto b = createFacility("admin", "110101");
    BOOST_TEST(a.str("code").rfind("F-110101-", 0) == 0u, a.str("code"));
    BOOST_TEST(a.str("code") != b.str("code"));
}

BOOST_AUTO_TEST_CASE(put_needs_the_current_version) {
    const auto created = createFacility("insp", kOwn, "版本测试");
    const auto path = created.header("Location");
    const auto admin = as("admin");
    const auto changed = with(facilityBody(kOwn, "版本测试(改)"), {{"capacity_used", 200}});

    const auto noMatch = admin.put(path, changed, "");
    BOOST_TEST(noMatch.status == 428, noMatch.describe());
    BOOST_TEST(noMatch.isProblem());
    BOOST_TEST(noMatch.str("title") == "缺少版本号");
    BOOST_TEST(admin.english().put(path, changed, "").str("title") == "Precondition required");

    const auto badMatch = admin.put(path, changed, "yesterday");
    BOOST_TEST(badMatch.status == 400, badMatch.describe());

    const auto ok = admin.put(path, changed, created.etag());
    BOOST_TEST(ok.status == 200, ok.describe());
    BOOST_TEST(ok.etag() == "\"2\"");
    BOOST_TEST(ok.num("version") == 2);
    BOOST_TEST(ok.str("name") == "版本测试(改)");
    BOOST_TEST(ok.num("capacity_used") == 200);
    BOOST_TEST(ok.str("code") == created.str("code"));
    BOOST_TEST(ok.str("created_at") == created.str("created_at"));
    BOOST_TEST(ok.str("updated_at") >= created.str("updated_at"));

    // The same (now stale) version again: 409 with the record as it is now.
    const auto stale = admin.put(path, with(changed, {{"name", "覆盖他人修改"}}), created.etag());
    BOOST_TEST(stale.status == 409, stale.describe());
    BOOST_TEST(stale.isProblem());
    const auto current = stale.obj()->getObject("current");
    BOOST_REQUIRE(current);
    BOOST_TEST(current->getValue<int>("version") == 2);
    BOOST_TEST(current->getValue<std::string>("name") == "版本测试(改)");
    BOOST_TEST(admin.get(path).str("name") == "版本测试(改)");

    // A weak ETag and an unquoted number name the same version.
    const auto weak = admin.put(path, with(changed, {{"notes", "weak etag"}}), "W/\"2\"");
    BOOST_TEST(weak.status == 200, weak.describe());
    const auto bare = admin.put(path, with(changed, {{"notes", "bare"}}), "3");
    BOOST_TEST(bare.status == 200, bare.describe());

    // Echoing back a GET, read-only fields included, is accepted.
    const auto read = admin.get(path);
    const auto echo = admin.put(path, with(read.obj(), {{"notes", "echo"}}), read.etag());
    BOOST_TEST(echo.status == 200, echo.describe());
    BOOST_TEST(echo.num("id") == created.id());
}

BOOST_AUTO_TEST_CASE(missing_records_are_404) {
    const auto admin = as("admin");
    for (const char* path : {"/api/v1/facilities/999999", "/api/v1/facilities/0", "/api/v1/facilities/-1",
                             "/api/v1/facilities/abc", "/api/v1/facilities/99999999999999999999"}) {
        const auto r = admin.get(path);
        BOOST_TEST(r.status == 404, path << ": " << r.describe());
        BOOST_TEST(r.isProblem());
    }
    BOOST_TEST(admin.put("/api/v1/facilities/999999", facilityBody(kOwn), "\"1\"").status == 404);
}

BOOST_AUTO_TEST_CASE(every_invalid_field_is_listed_at_once) {
    const auto state = dbState();
    const auto body = object({{"name", ""},
                              {"kind", "spaceport"},
                              {"district", "120101"},
                              {"address", std::string(501, 'a')},
                              {"status", "demolished"},
                              {"plan_action", "burn"},
                              {"plan_phase", "2040-2045"},
                              {"capacity_total", 10},
                              {"capacity_used", 11},
                              {"area_m2", -5},
                              {"lat", 31.23},
                              {"lon", 121.47},
                              {"notes", 5},
                              {"colour", "red"}});
    const auto zh = as("admin").post("/api/v1/facilities", body);
    BOOST_TEST(zh.status == 422, zh.describe());
    BOOST_TEST(zh.isProblem());
    BOOST_TEST(zh.str("title") == "数据校验未通过");
    BOOST_TEST(zh.hasError("name", "required"));
    BOOST_TEST(zh.hasError("kind", "enum"));
    BOOST_TEST(zh.hasError("district", "enum"));
    BOOST_TEST(zh.hasError("address", "too_long"));
    BOOST_TEST(zh.hasError("status", "enum"));
    BOOST_TEST(zh.hasError("plan_action", "enum"));
    BOOST_TEST(zh.hasError("plan_phase", "enum"));
    BOOST_TEST(zh.hasError("capacity_used", "exceeds_total"));
    BOOST_TEST(zh.hasError("area_m2", "min"));
    BOOST_TEST(zh.hasError("lat", "outside_beijing"));
    BOOST_TEST(zh.hasError("lon", "outside_beijing"));
    BOOST_TEST(zh.hasError("notes", "type"));
    BOOST_TEST(zh.hasError("colour", "unknown"));
    BOOST_TEST(zh.errors().size() == 13u, zh.describe());
    BOOST_TEST(zh.num("status") == 422);
    // Each error has a message, Chinese by default...
    BOOST_TEST(zh.message("name") == "名称不能为空", zh.describe());
    BOOST_TEST(zh.message("capacity_used") == "已用容量不能超过总容量");

    // ...and English on request.
    const auto en = as("admin").english().post("/api/v1/facilities", body);
    BOOST_TEST(en.status == 422);
    BOOST_TEST(en.str("title") == "Invalid fields");
    BOOST_TEST(en.str("detail").find("13 field(s) are invalid") != std::string::npos, en.describe());
    BOOST_TEST((en.errors() == zh.errors()));
    BOOST_TEST(en.message("name") == "name is required", en.describe());
    BOOST_TEST(en.message("capacity_used") == "capacity_used must not exceed capacity_total");
    // A quality value or region does not hide the choice.
    BOOST_TEST(Client(as("admin").token(), "en-US,en;q=0.9,zh;q=0.5").post("/api/v1/facilities", body).str("title") ==
               "Invalid fields");
    BOOST_TEST(Client(as("admin").token(), "zh-CN,zh;q=0.9,en;q=0.5").post("/api/v1/facilities", body).str("title") ==
               "数据校验未通过");

    const auto missing = as("admin").post("/api/v1/facilities", object({}));
    BOOST_TEST(missing.status == 422);
    BOOST_TEST(missing.hasError("name", "required"));
    BOOST_TEST(missing.hasError("kind", "required"));
    BOOST_TEST(missing.hasError("district", "required"));

    const auto usedWithoutTotal = as("admin").post("/api/v1/facilities",
                                                   without(facilityBody(kOwn), {"capacity_total"}));
    BOOST_TEST(usedWithoutTotal.hasError("capacity_total", "required"), usedWithoutTotal.describe());
    const auto latOnly = as("admin").post("/api/v1/facilities", without(facilityBody(kOwn), {"lon"}));
    BOOST_TEST(latOnly.hasError("lon", "required"), latOnly.describe());

    BOOST_TEST(dbState() == state);
}

BOOST_AUTO_TEST_CASE(an_invalid_put_changes_nothing) {
    const auto created = createFacility("insp", kOwn, "不变测试");
    const auto state = dbState();
    const auto bad = as("insp").put(created.header("Location"),
                                    with(facilityBody(kOwn), {{"name", std::string(201, 'x')}, {"capacity_used", -1}}),
                                    created.etag());
    BOOST_TEST(bad.status == 422, bad.describe());
    BOOST_TEST(bad.hasError("name", "too_long"));
    BOOST_TEST(bad.hasError("capacity_used", "min"));
    BOOST_TEST(dbState() == state);
    const auto after = as("insp").get(created.header("Location"));
    BOOST_TEST(after.record() == created.record());
}

BOOST_AUTO_TEST_CASE(name_length_counts_characters_not_bytes) {
    // 200 Chinese characters (600 bytes) fit; 201 do not.
    std::string name200;
    for (int i = 0; i < 200; ++i) name200 += "殡";
    const auto ok = as("admin").post("/api/v1/facilities", facilityBody(kOwn, name200));
    BOOST_TEST(ok.status == 201, ok.describe());
    BOOST_TEST(ok.str("name") == name200);
    const auto tooLong = as("admin").post("/api/v1/facilities", facilityBody(kOwn, name200 + "馆"));
    BOOST_TEST(tooLong.status == 422);
    BOOST_TEST(tooLong.hasError("name", "too_long"));
}

BOOST_AUTO_TEST_CASE(lists_filter_and_page_with_next_cursor) {
    const auto admin = as("admin");
    // A district of their own so that counts are exact.
    const std::string district = "110116"; // Huairou
    std::vector<long long> ids;
    for (int i = 0; i < 5; ++i) {
        auto body = facilityBody(district, "怀柔公墓 " + std::to_string(i));
        body->set("kind", i % 2 ? "operating_cemetery" : "columbarium");
        body->set("status", i == 4 ? "closed" : "operating");
        body->set("plan_action", i == 3 ? "relocate" : "retain");
        const auto r = admin.post("/api/v1/facilities", body);
        BOOST_REQUIRE_EQUAL(r.status, 201);
        ids.push_back(r.id());
    }
    const std::string base = "/api/v1/facilities?district=" + district;
    const auto firstPage = admin.get(base + "&limit=2");
    BOOST_TEST(firstPage.status == 200);
    BOOST_TEST(firstPage.items()->size() == 2u);
    BOOST_TEST(!firstPage.isNull("next_cursor"));
    std::vector<long long> seen;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        const auto r = admin.get(base + "&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        BOOST_REQUIRE_EQUAL(r.status, 200);
        BOOST_TEST(r.items()->size() <= 2u);
        for (const auto& item : *r.items()) seen.push_back(item.extract<JsonObject>()->getValue<long long>("id"));
        if (r.isNull("next_cursor")) break;
        cursor = r.str("next_cursor");
    }
    BOOST_TEST((seen == ids), "paging returns every record once, in id order");

    // The default page, and a page that is exactly the rest.
    const auto all = admin.get(base);
    BOOST_TEST(all.items()->size() == 5u);
    BOOST_TEST(all.isNull("next_cursor"));
    BOOST_TEST(all.obj()->has("next_cursor"));
    BOOST_TEST(admin.get(base + "&limit=5").isNull("next_cursor"));

    BOOST_TEST(admin.get(base + "&kind=columbarium").items()->size() == 3u);
    BOOST_TEST(admin.get(base + "&status=closed").items()->size() == 1u);
    BOOST_TEST(admin.get(base + "&plan_action=relocate").items()->size() == 1u);
    BOOST_TEST(admin.get(base + "&kind=columbarium&status=operating").items()->size() == 2u);
    const auto q = admin.get(base + "&q=" + "%E6%80%80%E6%9F%94%E5%85%AC%E5%A2%93%203"); // 怀柔公墓 3
    BOOST_TEST(q.items()->size() == 1u, q.describe());
    if (q.items()->size() == 1u) BOOST_TEST(q.items()->getObject(0)->getValue<long long>("id") == ids[3]);
    BOOST_TEST(admin.get(base + "&q=nothing-like-this").items()->size() == 0u);
}

BOOST_AUTO_TEST_CASE(bad_query_parameters_are_400) {
    const auto admin = as("admin");
    for (const char* query : {"limit=0", "limit=501", "limit=-1", "limit=abc", "limit=1.5", "cursor=garbage",
                              "cursor=YWZ0ZXI6LTE", "kind=spaceport", "status=gone", "plan_action=burn",
                              "district=999999", "district=haidian"}) {
        const auto r = admin.get(std::string("/api/v1/facilities?") + query);
        BOOST_TEST(r.status == 400, query << ": " << r.describe());
        BOOST_TEST(r.isProblem(), query);
        BOOST_TEST(!r.str("detail").empty(), query);
    }
    const auto en = admin.english().get("/api/v1/facilities?limit=0");
    BOOST_TEST(en.str("detail") == "limit must be a whole number from 1 to 500", en.describe());
    const auto kind = admin.english().get("/api/v1/facilities?kind=spaceport");
    BOOST_TEST(kind.str("detail").find("funeral_home") != std::string::npos, kind.describe());
    BOOST_TEST(admin.get("/api/v1/facilities?limit=500").status == 200);
    BOOST_TEST(admin.get("/api/v1/facilities?limit=1").items()->size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
