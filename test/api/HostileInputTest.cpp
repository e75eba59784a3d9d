// What a careless or hostile client may send: broken JSON, wrong types, overlong and invalid text, numbers
// out of range, unknown fields, oversized bodies, wrong content types, and text that looks like SQL or
// HTML. Each is a 4xx problem with a clear message, never a 5xx, and a rejected write leaves the database
// as it was. Text that is merely unusual is stored and returned byte for byte.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;
using Poco::Dynamic::Var;

namespace {

// POSTs `raw` to /api/v1/facilities as the admin and checks that it is refused with `status` (or one of
// two), as a problem with a detail, and stores nothing.
Response rejected(const std::string& what, const std::string& raw, std::initializer_list<int> statuses,
                  const std::string& path = "/api/v1/facilities", const std::string& contentType = "application/json") {
    const auto before = dbState();
    const auto r = as("admin").postRaw(path, raw, contentType);
    bool expected = false;
    for (int s : statuses) expected = expected || r.status == s;
    BOOST_TEST(expected, what << ": " << r.describe());
    BOOST_TEST(r.isProblem(), what << ": " << r.contentType);
    BOOST_TEST(!r.str("detail").empty(), what);
    BOOST_TEST(r.num("status") == r.status, what);
    BOOST_TEST(dbState() == before, what << ": the database changed");
    return r;
}

std::string facilityJsonWith(const std::string& member) {
    return R"({"name":"恶意输入测试","kind":"funeral_home","district":"110108",)" + member + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(HostileInput)

BOOST_AUTO_TEST_CASE(malformed_json_is_400) {
    for (const char* raw : {"", "{", "{\"name\":", "{'name':'x'}", "{\"name\":\"x\",}", "{\"a\":1}}",
                            "{\"name\":\"unterminated}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":Infinity}"}) {
        const auto r = rejected(std::string("malformed JSON ") + raw, raw, {400});
        BOOST_TEST(r.str("title") == "请求有误");
    }
    const auto en = as("admin").english().postRaw("/api/v1/facilities", "{");
    BOOST_TEST(en.status == 400);
    BOOST_TEST(en.str("detail").find("not valid JSON") != std::string::npos, en.describe());
}

// The parser's message may quote a byte of the input (or the end of input as byte 0xFF): what goes back in
// `detail` must still be UTF-8, or the problem document is not JSON text.
BOOST_AUTO_TEST_CASE(parser_messages_keep_the_problem_valid_utf8) {
    for (const char* raw : {"nul", "tru", "{\"a\":fals", "\xEF\xBB\xBF{}" /* a BOM */, "{\"a\":\xFF}", "\xC3"}) {
        const auto r = rejected(std::string("malformed JSON ") + raw, raw, {400});
        BOOST_TEST(!r.json.isEmpty(), "the problem document for " << raw << " is not valid JSON: " << r.body);
    }
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_an_object_is_400) {
    for (const char* raw : {"[]", "[{\"name\":\"x\"}]", "\"text\"", "42", "null", "true"})
        rejected(std::string("non-object body ") + raw, raw, {400});
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_400_not_a_crash) {
    rejected("nested arrays", facilityJsonWith("\"notes\":" + std::string(100000, '[') + std::string(100000, ']')), {400});
    std::string nested;
    for (int i = 0; i < 5000; ++i) nested += "{\"a\":";
    nested += "1" + std::string(5000, '}');
    rejected("nested objects", nested, {400});
    BOOST_TEST(Server::instance().anonymous().get("/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(wrong_types_are_422_for_each_field) {
    const auto r = rejected("wrong types",
                            R"({"name":["x"],"kind":1,"district":110108,"capacity_total":"100","capacity_used":true,)"
                            R"("lat":"39.9","lon":{},"area_m2":false,"notes":null,"status":[]})",
                            {422});
    BOOST_TEST(r.hasError("name", "type"));
    BOOST_TEST(r.hasError("kind", "type"));
    BOOST_TEST(r.hasError("district", "type"));
    BOOST_TEST(r.hasError("capacity_total", "type"));
    BOOST_TEST(r.hasError("capacity_used", "type"));
    BOOST_TEST(r.hasError("lat", "type"));
    BOOST_TEST(r.hasError("lon", "type"));
    BOOST_TEST(r.hasError("area_m2", "type"));
    BOOST_TEST(r.hasError("status", "type"));
    BOOST_TEST(r.errorFields().count("notes") == 0u, "null is the same as absent for an optional field");
    rejected("a fraction for a whole number", facilityJsonWith(R"("capacity_total":10.5)"), {422});
}

BOOST_AUTO_TEST_CASE(overlong_strings_are_422) {
    const auto r = rejected("201-character name", stringify(facilityBody(kOwn, std::string(201, 'n'))), {422});
    BOOST_TEST(r.hasError("name", "too_long"), r.describe());
    BOOST_TEST(r.errors().size() == 1u, r.describe());
    const auto en = as("admin").english().post("/api/v1/facilities", facilityBody(kOwn, std::string(201, 'n')));
    BOOST_TEST(en.message("name") ==
               "name must be at most 200 characters");
    rejected("overlong notes", facilityJsonWith("\"notes\":\"" + std::string(4001, 'x') + "\""), {422});
    rejected("a 600 KiB address", facilityJsonWith("\"address\":\"" + std::string(600 * 1024, 'x') + "\""), {422});
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_control_characters_are_refused) {
    // Raw bytes that are not UTF-8: the body is not JSON text (400) or the field is invalid (422).
    for (const char* bad : {"\xFF\xFE", "\xC3\x28", "\xE2\x82", "\xED\xA0\x80" /* surrogate */,
                            "\xC0\xAF" /* overlong '/' */, "\xF4\x90\x80\x80" /* past U+10FFFF */}) {
        const std::string raw = facilityJsonWith(std::string("\"notes\":\"a") + bad + "b\"");
        rejected("invalid UTF-8 in a string", raw, {400, 422});
    }
    rejected("invalid UTF-8 in a field name", facilityJsonWith("\"\xFF\":1"), {400, 422});
    rejected("a lone surrogate escape", facilityJsonWith(R"("notes":"a\udc00b")"), {400, 422});
    const auto nul = rejected("a NUL character", facilityJsonWith(R"("notes":"a\u0000b")"), {422});
    BOOST_TEST(nul.hasError("notes", "encoding"), nul.describe());
    const auto bell = rejected("a control character", facilityJsonWith(R"("address":"a\u0007b")"), {422});
    BOOST_TEST(bell.hasError("address", "encoding"), bell.describe());
    // Tabs and new lines are text.
    const auto multiline = as("admin").post("/api/v1/facilities", with(facilityBody(kOwn), {{"notes", "第一行\n\t第二行"}}));
    BOOST_TEST(multiline.status == 201, multiline.describe());
    BOOST_TEST(multiline.str("notes") == "第一行\n\t第二行");
}

BOOST_AUTO_TEST_CASE(numbers_out_of_range_are_4xx) {
    // Numbers JSON can write but a double cannot hold, or past 64 bits.
    rejected("1e400", facilityJsonWith(R"("capacity_total":1e400)"), {400, 422});
    rejected("-1e400", facilityJsonWith(R"("lat":-1e400,"lon":116.3)"), {400, 422});
    rejected("twenty nines", facilityJsonWith(R"("capacity_total":99999999999999999999)"), {400, 422});
    const auto u64 = rejected("2^64-1", facilityJsonWith(R"("capacity_total":18446744073709551615)"), {422});
    BOOST_TEST(u64.hasError("capacity_total", "max"), u64.describe());
    const auto big = rejected("past the capacity range", facilityJsonWith(R"("capacity_total":9007199254740993)"), {422});
    BOOST_TEST(big.errorFields().count("capacity_total") == 1u, big.describe());
    const auto negative = rejected("a negative capacity", facilityJsonWith(R"("capacity_total":-5)"), {422});
    BOOST_TEST(negative.hasError("capacity_total", "min"));
    const auto tiny = rejected("1e-400 latitude", facilityJsonWith(R"("lat":1e-400,"lon":116.3)"), {400, 422});
    (void)tiny;

    // Money: negative, past the cap, fractional fen, and too large for 64 bits.
    const auto facility = createFacility("admin", kOwn, "金额边界").id();
    const std::string price = R"({"facility_id":)" + std::to_string(facility) +
                              R"(,"item":"basic.cremation","effective_from":"2024-01-01","displayed":true,)"
                              R"("bundled":false,"source":"inspection","amount_fen":)";
    const auto minus = rejected("a negative amount", price + "-100}", {422}, "/api/v1/prices");
    BOOST_TEST(minus.hasError("amount_fen", "min"));
    rejected("a huge amount", price + "99999999999999999999}", {400, 422}, "/api/v1/prices");
    rejected("an amount of 1e400", price + "1e400}", {400, 422}, "/api/v1/prices");
    const auto i64min = rejected("the smallest int64", price + "-9223372036854775808}", {422}, "/api/v1/prices");
    BOOST_TEST(i64min.hasError("amount_fen", "min"));
    rejected("a grave count past 64 bits", R"({"kind":"scattered_graves","district":"110108","township":"x",)"
                                           R"("grave_count":1e30})",
             {400, 422}, "/api/v1/burial-sites");
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_named) {
    const auto r = rejected("unknown fields", facilityJsonWith(R"("is_admin":true,"__proto__":{},"name ":"x")"), {422});
    BOOST_TEST(r.hasError("is_admin", "unknown"));
    BOOST_TEST(r.hasError("__proto__", "unknown"));
    BOOST_TEST(r.hasError("name ", "unknown"));
    const auto en = as("admin").english().postRaw("/api/v1/facilities", facilityJsonWith(R"("is_admin":true)"));
    BOOST_TEST(en.message("is_admin") == "unknown field: is_admin");
    // A field sent twice is not a way around validation.
    rejected("a duplicated field", R"({"name":"ok","name":"","kind":"funeral_home","district":"110108"})", {400, 422});
}

BOOST_AUTO_TEST_CASE(sql_and_html_metacharacters_are_stored_verbatim) {
    const std::string sql = "'); DROP TABLE facilities;--";
    const std::string html = "<script>alert(1)</script>";
    const std::string mixed = "\" OR 1=1 -- \\ %_ ` ${x} {{x}} \u4e2d &amp; \xF0\x9F\x95\xAF"; // candle emoji
    const auto before = as("admin").count("/api/v1/facilities");
    const auto created = as("admin").post("/api/v1/facilities", with(facilityBody(kOwn, sql), {{"notes", html},
                                                                                               {"address", mixed},
                                                                                               {"operator", html}}));
    BOOST_TEST(created.status == 201, created.describe());
    const auto read = as("admin").get(created.header("Location"));
    BOOST_TEST(read.str("name") == sql);
    BOOST_TEST(read.str("notes") == html);
    BOOST_TEST(read.str("address") == mixed);
    BOOST_TEST(read.str("operator") == html);
    // Answers are JSON, never HTML, so the script is data.
    BOOST_TEST(read.contentType.find("application/json") == 0u);
    BOOST_TEST(as("admin").count("/api/v1/facilities") == before + 1, "the table is still there");

    // A search for the same text finds it and only it (LIKE wildcards are literal).
    const auto found = as("admin").get("/api/v1/facilities?q=%27%29%3B%20DROP%20TABLE%20facilities%3B--");
    BOOST_TEST(found.status == 200);
    BOOST_TEST(found.items()->size() == 1u, found.describe());
    const auto percent = as("admin").get("/api/v1/facilities?q=%25_");
    BOOST_TEST(percent.items()->size() == 1u, percent.describe());
    const auto injection = as("admin").get("/api/v1/facilities?q=x%27%20OR%20%271%27%3D%271");
    BOOST_TEST(injection.status == 200);
    BOOST_TEST(injection.items()->size() == 0u);
    const auto filterInjection = as("admin").get("/api/v1/prices?item=x%27%20OR%20%271%27%3D%271");
    BOOST_TEST(filterInjection.status == 200);
    BOOST_TEST(filterInjection.items()->size() == 0u);

    // The same in other records.
    const auto site = as("admin").post("/api/v1/burial-sites", with(burialSiteBody(kOwn), {{"township", sql},
                                                                                          {"location", html}}));
    BOOST_TEST(site.status == 201, site.describe());
    BOOST_TEST(as("admin").get(site.header("Location")).str("township") == sql);
    const auto inspection = as("admin").post("/api/v1/inspections",
                                             with(inspectionBody("facility", created.id()),
                                                  {{"notes", html}, {"checklist", object({{sql, html}})}}));
    BOOST_TEST(inspection.status == 201, inspection.describe());
    const auto inspected = as("admin").get(inspection.header("Location"));
    BOOST_TEST(inspected.str("notes") == html);
    BOOST_TEST(inspected.obj()->getObject("checklist")->getValue<std::string>(sql) == html);
    const auto price = as("admin").post("/api/v1/prices", with(priceBody(created.id(), "basic.cremation", 1, "2024-01-01"),
                                                               {{"note", sql + html}}));
    BOOST_TEST(price.status == 201, price.describe());
    BOOST_TEST(as("admin").get(price.header("Location")).str("note") == sql + html);
    BOOST_TEST(Server::instance().anonymous().get("/readyz").status == 200);
}

BOOST_AUTO_TEST_CASE(longest_values_in_four_byte_characters_round_trip) {
    // U+20000 (a CJK extension B character) is four bytes in UTF-8: the limits count characters, and the
    // stored text must hold the longest allowed value (utf8mb4 on MariaDB).
    const auto repeat = [](std::size_t n) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i) s += "\xF0\xA0\x80\x80";
        return s;
    };
    const auto admin = as("admin");
    const auto facility = admin.post("/api/v1/facilities", with(facilityBody(kOwn, repeat(200)), {{"address", repeat(500)},
                                                                                                 {"operator", repeat(200)},
                                                                                                 {"approval_no", repeat(100)},
                                                                                                 {"notes", repeat(4000)}}));
    BOOST_TEST(facility.status == 201, facility.describe().substr(0, 300));
    const auto read = admin.get(facility.header("Location"));
    BOOST_TEST(read.str("name") == repeat(200));
    BOOST_TEST(read.str("address") == repeat(500));
    BOOST_TEST(read.str("approval_no") == repeat(100));
    BOOST_TEST(read.str("notes") == repeat(4000));

    const auto site = admin.post("/api/v1/burial-sites", with(burialSiteBody(kOwn), {{"township", repeat(100)},
                                                                                    {"village", repeat(100)},
                                                                                    {"location", repeat(500)},
                                                                                    {"responsible_unit", repeat(200)}}));
    BOOST_TEST(site.status == 201, site.describe().substr(0, 300));
    BOOST_TEST(admin.get(site.header("Location")).str("responsible_unit") == repeat(200));
    const auto progress = admin.post(site.header("Location") + "/progress",
                                     object({{"date", "2024-01-01"}, {"graves_handled", 1}, {"note", repeat(2000)}}));
    BOOST_TEST(progress.status == 201, progress.describe().substr(0, 300));
    const auto price = admin.post("/api/v1/prices", with(priceBody(facility.id(), "basic.cremation", 1, "2024-01-01"),
                                                         {{"note", repeat(2000)}}));
    BOOST_TEST(price.status == 201, price.describe().substr(0, 300));
    BOOST_TEST(admin.get(price.header("Location")).str("note") == repeat(2000));
    const auto inspection = admin.post("/api/v1/inspections", with(inspectionBody("facility", facility.id()),
                                                                   {{"notes", repeat(4000)}}));
    BOOST_TEST(inspection.status == 201, inspection.describe().substr(0, 300));
    const auto reference = admin.post("/api/v1/reference-prices", with(referencePriceBody("goods.urn", 1),
                                                                       {{"basis", repeat(500)}}));
    BOOST_TEST(reference.status == 201, reference.describe().substr(0, 300));
    const auto user = admin.post("/api/v1/users", object({{"username", std::string(64, 'u')},
                                                          {"display_name", repeat(100)},
                                                          {"role", "auditor"},
                                                          {"password", repeat(200)}}));
    BOOST_TEST(user.status == 201, user.describe().substr(0, 300));
    BOOST_TEST(!Server::instance().signIn(std::string(64, 'u'), repeat(200)).empty());
    const auto tooLong = admin.post("/api/v1/users", object({{"username", std::string(65, 'u')},
                                                             {"role", "auditor"},
                                                             {"password", repeat(201)}}));
    BOOST_TEST(tooLong.hasError("username", "format"));
    BOOST_TEST(tooLong.hasError("password", "too_long"));
}

BOOST_AUTO_TEST_CASE(escaped_unicode_is_decoded) {
    const auto r = as("admin").postRaw("/api/v1/facilities",
                                       R"({"name":"\u6d77\u6dc0 \"quoted\" back\\slash \ud83d\udd6f","kind":"columbarium","district":"110108"})");
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.str("name") == "海淀 \"quoted\" back\\slash \xF0\x9F\x95\xAF");
}

BOOST_AUTO_TEST_CASE(wrong_content_types_are_415) {
    const std::string body = facilityJsonWith(R"("notes":"")");
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                             "text/csv", "application/xml", "json"}) {
        const auto r = rejected(std::string("Content-Type ") + type, body, {415}, "/api/v1/facilities", type);
        BOOST_TEST(r.str("title") == "不支持的内容类型");
    }
    rejected("no Content-Type", body, {415}, "/api/v1/facilities", "");
    // Parameters and case do not matter.
    const auto charset = as("admin").postRaw("/api/v1/facilities", body, "Application/JSON; charset=utf-8");
    BOOST_TEST(charset.status == 201, charset.describe());
    const auto en = as("admin").english().postRaw("/api/v1/facilities", body, "text/plain");
    BOOST_TEST(en.str("title") == "Unsupported media type");
}

// Media types that merely begin like application/json are other types.
BOOST_AUTO_TEST_CASE(json_lookalike_media_types_are_415) {
    const std::string body = facilityJsonWith(R"("notes":"")");
    for (const char* type : {"application/jsonp", "application/json-patch+json", "application/jsonlines"})
        rejected(std::string("Content-Type ") + type, body, {415}, "/api/v1/facilities", type);
}

BOOST_AUTO_TEST_CASE(bodies_over_one_mebibyte_are_413) {
    const auto before = dbState();
    // A string member just past the limit, with Content-Length: refused before it is read.
    const std::string padding(1024 * 1024, 'x');
    const std::string big = facilityJsonWith("\"notes\":\"" + padding + "\"");
    Request whole;
    whole.method = "POST";
    whole.path = "/api/v1/facilities";
    whole.body = big;
    whole.headers = {{"Authorization", "Bearer " + as("admin").token()}};
    const auto r = sendOverSocket(whole);
    BOOST_TEST(r.status == 413, r.describe());
    BOOST_TEST(r.isProblem());
    BOOST_TEST(r.str("detail").find("1048576") != std::string::npos, r.describe());
    BOOST_TEST(r.str("title") == "请求内容过大");

    // Only the headers: the answer comes without waiting for the body.
    Request claim;
    claim.method = "POST";
    claim.path = "/api/v1/facilities";
    claim.body = "";
    claim.claimedLength = 50LL * 1024 * 1024;
    const auto claimed = as("admin").english().send(claim);
    BOOST_TEST(claimed.status == 413, claimed.describe());
    BOOST_TEST(claimed.str("title") == "Request body too large");

    // Chunked, so the size is known only while reading.
    Request chunked;
    chunked.method = "POST";
    chunked.path = "/api/v1/facilities";
    chunked.body = big;
    chunked.chunked = true;
    const auto streamed = as("admin").send(chunked);
    BOOST_TEST(streamed.status == 413, streamed.describe());

    // Exactly at the limit is not too large (it is a 422 for the overlong notes).
    std::string atLimit = facilityJsonWith("\"notes\":\"\"");
    atLimit.insert(atLimit.size() - 2, std::string(1024 * 1024 - atLimit.size(), 'x'));
    BOOST_REQUIRE_EQUAL(atLimit.size(), 1024u * 1024u);
    const auto edge = as("admin").postRaw("/api/v1/facilities", atLimit);
    BOOST_TEST(edge.status == 422, edge.describe());

    BOOST_TEST(dbState() == before);
    BOOST_TEST(Server::instance().anonymous().get("/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(hostile_paths_and_queries_are_4xx) {
    const auto admin = as("admin");
    for (const char* path : {"/api/v1/facilities/1%27%20OR%201=1", "/api/v1/facilities/1;DROP",
                             "/api/v1/facilities/%00", "/api/v1/facilities/1e3", "/api/v1/facilities/0x10",
                             "/api/v1/facilities/../users", "/api/v1/burial-sites/%ZZ"}) {
        const auto r = admin.get(path);
        BOOST_TEST((r.status == 404 || r.status == 400), path << ": " << r.describe());
        BOOST_TEST(r.isProblem(), path);
    }
    for (const char* query : {"limit=%ZZ", "limit=99999999999999999999", "cursor=%00", "q=%FF%FE", "district=%27"}) {
        const auto r = admin.get(std::string("/api/v1/facilities?") + query);
        BOOST_TEST((r.status == 400 || r.status == 200), query << ": " << r.describe());
        BOOST_TEST(r.status < 500, query);
    }
    const auto longQuery = admin.get("/api/v1/facilities?q=" + std::string(5000, 'a'));
    BOOST_TEST(longQuery.status < 500, longQuery.describe());
}

BOOST_AUTO_TEST_CASE(oversized_headers_are_refused_and_the_server_stays_up) {
    // Poco's header limits answer these before any handler runs: a problem document like every other error,
    // read by the client (the rest of the request is drained by a lingering close, not reset).
    const auto refused = [](const std::string& what, Request request) {
        const auto r = send(request);
        BOOST_TEST((r.status == 400 || r.status == 414 || r.status == 431), what << ": " << r.describe());
        if (r.status == 400) BOOST_TEST(r.isProblem(), what << ": " << r.describe());
    };
    Request longHeader;
    longHeader.path = "/api/v1/me";
    longHeader.headers = {{"Authorization", "Bearer " + std::string(20000, 'a')}};
    refused("a 20 kB header", longHeader);
    Request many;
    many.path = "/healthz";
    for (int i = 0; i < 150; ++i) many.headers.emplace_back("X-Filler-" + std::to_string(i), "v");
    refused("150 headers", many);
    Request longUri;
    longUri.path = "/api/v1/facilities?";
    for (int i = 0; i < 5000; ++i) longUri.path += "a" + std::to_string(i) + "=1&";
    refused("a 40 kB URI", longUri);
    BOOST_TEST(Server::instance().anonymous().get("/healthz").status == 200);
    BOOST_TEST(as("admin").get("/api/v1/me").status == 200);
}

BOOST_AUTO_TEST_CASE(thousands_of_unknown_fields_are_one_422) {
    std::string raw = "{";
    for (int i = 0; i < 20000; ++i) raw += "\"k" + std::to_string(i) + "\":1,";
    raw += R"("name":"x","kind":"funeral_home","district":"110108"})";
    const auto r = rejected("20000 unknown fields", raw, {422});
    BOOST_TEST(r.errors().size() == 20000u);
}

BOOST_AUTO_TEST_CASE(rejected_writes_of_every_kind_leave_no_trace) {
    const auto facility = createFacility("admin", kOwn, "拒绝写入").id();
    const auto site = createBurialSite("admin", kOwn, 5).id();
    const auto facilityNow = as("admin").get(pathOf("facilities", facility));
    const auto siteNow = as("admin").get(pathOf("burial-sites", site));
    const auto before = dbState();
    const auto admin = as("admin");
    std::vector<Response> answers{
        admin.put(pathOf("facilities", facility), with(facilityNow.obj(), {{"lat", 91.0}}), facilityNow.etag()),
        admin.putRaw(pathOf("facilities", facility), "{\"name\":", facilityNow.etag()),
        admin.put(pathOf("burial-sites", site), with(siteNow.obj(), {{"grave_count", -1}}), siteNow.etag()),
        admin.post(pathOf("burial-sites", site) + "/progress",
                   object({{"date", "2024-01-01"}, {"graves_handled", 6}, {"note", ""}})),
        admin.post("/api/v1/prices", priceBody(facility, "basic.cremation", -1, "2024-01-01")),
        admin.post("/api/v1/inspections", with(inspectionBody("facility", facility), {{"result", "perfect"}})),
        admin.post("/api/v1/reference-prices", referencePriceBody("basic.cremation", -5)),
        admin.post("/api/v1/users", object({{"username", "x"}})),
    };
    for (const auto& a : answers) {
        BOOST_TEST(a.status >= 400, a.describe());
        BOOST_TEST(a.status < 500, a.describe());
    }
    BOOST_TEST(dbState() == before);
    BOOST_TEST(as("admin").get(pathOf("facilities", facility)).record() == facilityNow.record());
    BOOST_TEST(as("admin").get(pathOf("burial-sites", site)).record() == siteNow.record());
}

BOOST_AUTO_TEST_SUITE_END()
