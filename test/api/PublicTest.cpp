// Public price disclosure over HTTP, signed out as a family looking for prices is: operating facilities,
// their displayed current prices beside the cap and how those changed, one item compared cheapest first.
// And the other half of the contract: nothing that is not public leaves these routes. Every key of every
// answer is checked against the list of public fields, and the private values planted in the records
// (notes, an undisplayed price, a closed facility, an inspection) are looked for in every body.

#include "ApiSupport.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

using namespace registry::apitest;

namespace {

/// Every key a public answer may hold, at any depth (API.md, Public price disclosure).
const std::set<std::string>& publicKeys() {
    static const std::set<std::string> keys{
        "items",      "next_cursor",    "item",         "id",        "name",          "kind",
        "district",   "address",        "operator",     "lat",       "lon",           "prices",
        "history",    "name_zh",        "name_en",      "amount_fen", "unit",         "effective_from",
        "effective_to", "cap_fen",      "facility_id",  "facility_name", "facility_kind"};
    return keys;
}

/// The keys of `value` (recursively) that are not public.
void privateKeys(const Poco::Dynamic::Var& value, const std::string& at, std::vector<std::string>& out) {
    if (value.type() == typeid(JsonObject)) {
        for (const auto& [key, member] : *value.extract<JsonObject>()) {
            if (!publicKeys().count(key)) out.push_back(at + "." + key);
            privateKeys(member, at + "." + key, out);
        }
    } else if (value.type() == typeid(JsonArray)) {
        const auto list = value.extract<JsonArray>();
        for (std::size_t i = 0; i < list->size(); ++i) privateKeys(list->get(static_cast<unsigned>(i)), at + "[]", out);
    }
}

struct Planted {
    long long open = 0, closed = 0, hiddenPrice = 0;
};

const Planted& planted() {
    static const Planted p = [] {
        Planted out;
        auto facility = with(facilityBody(kOwn, "公示测试殡仪馆"), {{"notes", "LEAK-facility-note"},
                                                                    {"approval_no", "LEAK-approval"}});
        auto r = as("admin").post("/api/v1/facilities", facility);
        BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
        out.open = r.id();
        auto closed = with(facilityBody(kOwn, "LEAK-已关闭殡仪馆"), {{"status", "closed"}});
        r = as("admin").post("/api/v1/facilities", closed);
        BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
        out.closed = r.id();
        const auto price = [](long long facility, const std::string& item, long long fen, const std::string& from,
                              bool displayed, const std::string& note) {
            const auto answer = as("admin").post(
                "/api/v1/prices", with(priceBody(facility, item, fen, from), {{"displayed", displayed}, {"note", note}}));
            BOOST_REQUIRE_MESSAGE(answer.status == 201, answer.describe());
            return answer.id();
        };
        price(out.open, "basic.cremation", 51234, "2026-01-01", true, "LEAK-price-note");
        out.hiddenPrice = price(out.open, "basic.transport", 98765, "2026-01-01", false, "LEAK-hidden-note");
        price(out.open, "goods.urn", 40000, "2026-01-01", true, "");
        price(out.open, "goods.urn", 42000, "2026-06-01", true, "LEAK-change-note");
        price(out.closed, "basic.cremation", 30000, "2026-01-01", true, "");
        // A wreath price corrected the same day: the wrong one was never in force.
        price(out.open, "goods.wreath", 10000, "2026-03-01", true, "");
        price(out.open, "goods.wreath", 11000, "2026-03-01", true, "LEAK-correction-note");
        // A cap on file for a market-priced item (urns at a funeral home): it does not apply there.
        auto urnCap = referencePriceBody("goods.urn", 1000);
        urnCap->set("district", kOwn);
        BOOST_REQUIRE_EQUAL(as("admin").post("/api/v1/reference-prices", urnCap).status, 201);
        auto inspection = with(inspectionBody("facility", out.open), {{"notes", "LEAK-inspection-note"}});
        BOOST_REQUIRE_EQUAL(as("admin").post("/api/v1/inspections", inspection).status, 201);
        return out;
    }();
    return p;
}

/// A signed-out GET.
Response anonymous(const std::string& path) { return Client().get(path); }

void expectPublic(const std::string& path, const Response& r) {
    std::vector<std::string> leaked;
    privateKeys(r.json, "", leaked);
    BOOST_TEST(leaked.empty(), path << " carries fields that are not public: " << [&] {
        std::string s;
        for (const auto& k : leaked) s += k + " ";
        return s;
    }());
    for (const std::string secret : {"LEAK-", "98765", "recorded_by", "finding", "inspection"})
        BOOST_TEST(r.body.find(secret) == std::string::npos, path << " shows " << secret << ": " << r.body.substr(0, 300));
}

std::vector<JsonObject> objectsOf(const JsonArray& list) {
    std::vector<JsonObject> out;
    for (std::size_t i = 0; list && i < list->size(); ++i) out.push_back(list->getObject(static_cast<unsigned>(i)));
    return out;
}

JsonObject priceOf(const JsonArray& list, const std::string& item) {
    for (std::size_t i = 0; list && i < list->size(); ++i)
        if (list->getObject(static_cast<unsigned>(i))->getValue<std::string>("item") == item)
            return list->getObject(static_cast<unsigned>(i));
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(PublicDisclosure)

BOOST_AUTO_TEST_CASE(every_public_answer_holds_public_fields_only) {
    const auto& p = planted();
    const std::string detail = "/api/v1/public/facilities/" + std::to_string(p.open);
    for (const std::string& path : std::vector<std::string>{
             "/api/v1/public/facilities", "/api/v1/public/facilities?district=110108",
          "/api/v1/public/facilities?q=" + WebSession::encode("公示测试"), "/api/v1/public/facilities?kind=funeral_home",
          detail, "/api/v1/public/prices?item=basic.cremation", "/api/v1/public/prices?item=basic.transport",
          "/api/v1/public/prices?item=goods.urn&district=110108"}) {
        const auto r = anonymous(path);
        BOOST_TEST(r.status == 200, path << ": " << r.describe());
        expectPublic(path, r);
    }
    // A facility's code is internal: searching for it finds nothing.
    const auto code = as("admin").get("/api/v1/facilities/" + std::to_string(p.open)).str("code");
    BOOST_TEST(anonymous("/api/v1/public/facilities?q=" + code).obj()->getArray("items")->size() == 0u, code);
    BOOST_TEST(anonymous("/api/v1/public/facilities?q=" + WebSession::encode("公示测试")).obj()->getArray("items")->size() == 1u);
    // Closed facilities are not public; nor, of course, are records that do not exist.
    BOOST_TEST(anonymous("/api/v1/public/facilities/" + std::to_string(p.closed)).status == 404);
    BOOST_TEST(anonymous("/api/v1/public/facilities/99999999").status == 404);
    const auto all = anonymous("/api/v1/public/facilities?q=" + WebSession::encode("殡仪馆") + "&limit=500");
    for (const auto& f : objectsOf(all.obj()->getArray("items")))
        BOOST_TEST(f->getValue<long long>("id") != p.closed);
}

// Open data: every displayed price whole, as CSV for Excel and as JSON, with public columns only.
BOOST_AUTO_TEST_CASE(the_open_data_export_holds_the_public_prices_only) {
    const auto& p = planted();
    const auto csv = anonymous("/api/v1/public/export?format=csv");
    BOOST_REQUIRE_MESSAGE(csv.status == 200, csv.describe().substr(0, 200));
    BOOST_TEST(csv.body.rfind("\xEF\xBB\xBF" "facility_id,facility_name,facility_kind,district,address,operator,lat,lon,item,"
                              "item_name_zh,item_name_en,amount_fen,unit,effective_from,cap_fen\r\n", 0) == 0,
               csv.body.substr(0, 200));
    BOOST_TEST(csv.header("Content-Disposition").find("attachment; filename=\"beijing-funeral-prices-") == 0u);
    BOOST_TEST(csv.body.find(std::to_string(p.open) + ",公示测试殡仪馆,funeral_home,110108,") != std::string::npos);
    const auto json = anonymous("/api/v1/public/export?format=json");
    BOOST_REQUIRE_EQUAL(json.status, 200);
    bool cremation = false;
    const auto rows = json.json.extract<JsonArray>();
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const auto row = rows->getObject(static_cast<unsigned>(i));
        BOOST_TEST(row->getValue<long long>("facility_id") != p.closed);
        if (row->getValue<long long>("facility_id") == p.open && row->getValue<std::string>("item") == "basic.cremation")
            cremation = row->getValue<long long>("amount_fen") == 51234;
    }
    BOOST_TEST(cremation, "the displayed cremation price is exported");
    std::vector<std::string> leaked;
    privateKeys(json.json, "", leaked);
    const std::set<std::string> exportKeys{"facility_id", "facility_name", "facility_kind", "district", "address",
                                           "operator",    "lat",           "lon",           "item",     "item_name_zh",
                                           "item_name_en", "amount_fen",   "unit",          "effective_from", "cap_fen"};
    for (const auto& key : leaked) BOOST_TEST(exportKeys.count(key.substr(key.rfind('.') + 1)) == 1u, key);
    for (const auto* body : {&csv.body, &json.body})
        for (const std::string secret : {"LEAK-", "98765"}) BOOST_TEST(body->find(secret) == std::string::npos, secret);
    BOOST_TEST(anonymous("/api/v1/public/export?format=xml").status == 400);
}

// The pages at /public/ show the same and nothing more: no planted private value reaches them either.
BOOST_AUTO_TEST_CASE(the_public_pages_show_nothing_private) {
    const auto& p = planted();
    for (const std::string& path : std::vector<std::string>{
             "/public/", "/public/?district=110108&q=" + WebSession::encode("公示测试"),
             "/public/facilities/" + std::to_string(p.open), "/public/prices?item=basic.cremation&district=110108",
             "/public/prices?item=basic.transport", "/public/prices?item=goods.urn"}) {
        const auto r = anonymous(path);
        BOOST_TEST(r.status == 200, path << ": " << r.describe().substr(0, 200));
        BOOST_TEST(r.header("Cache-Control") == "public, max-age=300", path);
        for (const std::string secret : {"LEAK-", "987.65", "/login\"", "csrf"})
            BOOST_TEST(r.body.find(secret) == std::string::npos, path << " shows " << secret);
    }
    // Without public.map_tiles_url the finder is the plain list, and Leaflet is not served at all.
    BOOST_TEST(anonymous("/public/").body.find("/static/leaflet") == std::string::npos);
    BOOST_TEST(anonymous("/static/leaflet/leaflet.js").status == 404);
    const auto page = anonymous("/public/facilities/" + std::to_string(p.open));
    BOOST_TEST(page.body.find("¥512.34") != std::string::npos, "the displayed price is there");
    BOOST_TEST(anonymous("/public/facilities/" + std::to_string(p.closed)).status == 404);
    // A signed-in visitor's page is never for a shared cache.
    WebSession web("insp");
    BOOST_TEST(web.get("/public/").header("Cache-Control") == "no-store");
}

BOOST_AUTO_TEST_CASE(a_facility_shows_its_displayed_prices_beside_the_cap_and_their_changes) {
    const auto& p = planted();
    const auto r = anonymous("/api/v1/public/facilities/" + std::to_string(p.open));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.describe());
    const auto body = r.obj();
    BOOST_TEST(body->getValue<std::string>("name") == "公示测试殡仪馆");
    BOOST_TEST(body->getValue<std::string>("operator") == "测试运营单位");
    const auto prices = body->getArray("prices");
    const auto cremation = priceOf(prices, "basic.cremation");
    BOOST_REQUIRE(cremation);
    BOOST_TEST(cremation->getValue<long long>("amount_fen") == 51234);
    BOOST_TEST(cremation->getValue<std::string>("name_zh") == "遗体火化");
    BOOST_TEST(cremation->has("cap_fen"));
    BOOST_TEST(!priceOf(prices, "basic.transport"), "an undisplayed price is not public");
    BOOST_TEST(priceOf(prices, "goods.urn")->getValue<long long>("amount_fen") == 42000);
    // The urn's change this year: both prices, the first ending the day before the second began.
    std::vector<JsonObject> urn;
    for (const auto& h : objectsOf(body->getArray("history")))
        if (h->getValue<std::string>("item") == "goods.urn") urn.push_back(h);
    BOOST_REQUIRE_EQUAL(urn.size(), 2u);
    BOOST_TEST(urn[0]->getValue<long long>("amount_fen") == 40000);
    BOOST_TEST(urn[0]->getValue<std::string>("effective_to") == "2026-05-31");
    BOOST_TEST(urn[1]->isNull("effective_to"));
    BOOST_TEST(priceOf(prices, "goods.urn")->isNull("cap_fen"), "no cap applies to a market-priced item");
    std::vector<long long> wreaths;
    for (const auto& h : objectsOf(body->getArray("history")))
        if (h->getValue<std::string>("item") == "goods.wreath") wreaths.push_back(h->getValue<long long>("amount_fen"));
    BOOST_TEST(wreaths == std::vector<long long>{11000}, "the corrected price was never in force");
}

BOOST_AUTO_TEST_CASE(one_item_compared_cheapest_first_across_operating_facilities) {
    const auto& p = planted();
    const auto r = anonymous("/api/v1/public/prices?item=basic.cremation&district=110108");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.describe());
    long long previous = -1;
    bool listed = false;
    for (const auto& row : objectsOf(r.obj()->getArray("items"))) {
        BOOST_TEST(row->getValue<std::string>("district") == kOwn);
        BOOST_TEST(row->getValue<long long>("amount_fen") >= previous, "cheapest first");
        previous = row->getValue<long long>("amount_fen");
        BOOST_TEST(row->getValue<long long>("facility_id") != p.closed, "a closed facility is not compared");
        listed = listed || row->getValue<long long>("facility_id") == p.open;
    }
    BOOST_TEST(listed);
    // Nobody's undisplayed price is compared.
    for (const auto& row : objectsOf(anonymous("/api/v1/public/prices?item=basic.transport").obj()->getArray("items")))
        BOOST_TEST(row->getValue<long long>("facility_id") != p.open);
}

// "Current" is what is in force today: a price filed to begin later is not shown before it begins, and
// the one it replaces is, on the facility's page, in the comparison and in the open data.
BOOST_AUTO_TEST_CASE(a_price_filed_to_begin_later_is_not_shown_before_it_begins) {
    const auto facility = createFacility("admin", kOther, "远期调价殡仪馆").id();
    for (const auto& [fen, from] : std::vector<std::pair<long long, std::string>>{{50000, "2025-01-01"}, {70000, "2099-01-01"}}) {
        const auto r = as("admin").post("/api/v1/prices", priceBody(facility, "basic.cremation", fen, from));
        BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    }
    const auto page = anonymous("/api/v1/public/facilities/" + std::to_string(facility));
    BOOST_REQUIRE_EQUAL(page.status, 200);
    const auto cremation = priceOf(page.obj()->getArray("prices"), "basic.cremation");
    BOOST_REQUIRE(cremation);
    BOOST_TEST(cremation->getValue<long long>("amount_fen") == 50000);
    for (const auto& h : objectsOf(page.obj()->getArray("history")))
        BOOST_TEST(h->getValue<std::string>("effective_from") != "2099-01-01", "not in force yet");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100)); // public.cache_seconds=2 in these tests
    bool compared = false;
    for (const auto& row : objectsOf(anonymous("/api/v1/public/prices?item=basic.cremation&district=" + std::string(kOther))
                                         .obj()->getArray("items")))
        if (row->getValue<long long>("facility_id") == facility) {
            compared = true;
            BOOST_TEST(row->getValue<long long>("amount_fen") == 50000);
        }
    BOOST_TEST(compared);
    const auto open = anonymous("/api/v1/public/export?format=json");
    BOOST_REQUIRE_EQUAL(open.status, 200);
    const auto rows = Poco::JSON::Parser().parse(open.body).extract<JsonArray>();
    int listed = 0;
    for (const auto& row : objectsOf(rows))
        if (row->getValue<long long>("facility_id") == facility) {
            ++listed;
            BOOST_TEST(row->getValue<long long>("amount_fen") == 50000);
        }
    BOOST_TEST(listed == 1);
}

// Cheapest first among prices of one unit: a price per square metre is not cheaper than one per plot.
BOOST_AUTO_TEST_CASE(a_comparison_ranks_prices_of_one_unit_together) {
    const std::string district = "110109"; // Mentougou: only this test's cemeteries
    const auto plot = createFacility("admin", district, "按穴计价公墓").id();
    const auto area = createFacility("admin", district, "按面积计价公墓").id();
    auto perPlot = priceBody(plot, "cemetery.plot", 3000000, "2025-01-01");
    auto perArea = with(priceBody(area, "cemetery.plot", 800000, "2025-01-01"), {{"unit", "per_m2"}});
    for (const auto& body : {perPlot, perArea}) {
        const auto r = as("admin").post("/api/v1/prices", body);
        BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    }
    const auto r = anonymous("/api/v1/public/prices?item=cemetery.plot&district=" + district);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    std::vector<std::string> units;
    for (const auto& row : objectsOf(r.obj()->getArray("items"))) units.push_back(row->getValue<std::string>("unit"));
    BOOST_TEST(units == (std::vector<std::string>{"per_plot", "per_m2"}), "the catalogue's unit first");
}

BOOST_AUTO_TEST_CASE(public_answers_are_cacheable_and_mistakes_are_clear) {
    const auto& p = planted();
    const std::string path = "/api/v1/public/facilities/" + std::to_string(p.open);
    const auto first = anonymous(path);
    BOOST_TEST(first.header("Cache-Control") == "public, max-age=300");
    BOOST_REQUIRE(!first.etag().empty());
    Request again;
    again.path = path;
    again.headers.emplace_back("If-None-Match", first.etag());
    const auto unchanged = send(again);
    BOOST_TEST(unchanged.status == 304);
    BOOST_TEST(unchanged.body.empty());
    // A new price changes the answer, and its tag, once the kept answer is older than public.cache_seconds
    // (2 s for these tests; until then every signed-out caller gets the kept one).
    const auto before = std::chrono::steady_clock::now();
    BOOST_REQUIRE_EQUAL(as("admin").post("/api/v1/prices", priceBody(p.open, "basic.ash_storage", 9000, "2026-02-01")).status, 201);
    const auto kept = send(again);
    if (std::chrono::steady_clock::now() - before < std::chrono::milliseconds(1500))
        BOOST_TEST(kept.status == 304, "within the interval the kept answer is served");
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    const auto changed = send(again);
    BOOST_TEST(changed.status == 200);
    BOOST_TEST(changed.etag() != first.etag());
    BOOST_TEST(changed.body.find("\"basic.ash_storage\"") != std::string::npos);

    const auto noItem = anonymous("/api/v1/public/prices");
    BOOST_TEST(noItem.status == 400);
    BOOST_TEST(noItem.body.find("item") != std::string::npos);
    BOOST_TEST(anonymous("/api/v1/public/prices?item=basic.nothing").status == 422);
    BOOST_TEST(anonymous("/api/v1/public/facilities?district=999999").status == 400);
    BOOST_TEST(anonymous("/api/v1/public/facilities?kind=castle").status == 400);
    BOOST_TEST(anonymous("/api/v1/public/facilities/abc").status == 404);
}

// public.requests_per_minute (120 by default) per client address: a client that spends them gets 429 with
// Retry-After, and another address is not held back by it.
BOOST_AUTO_TEST_CASE(a_client_that_asks_too_often_is_told_when_to_come_back) {
    Request flood;
    flood.path = "/api/v1/public/facilities?limit=1";
    flood.sourceAddress = "127.0.0.3";
    Response last;
    int ok = 0;
    for (int i = 0; i < 200 && last.status != 429; ++i) {
        last = send(flood);
        ok += last.status == 200;
    }
    BOOST_TEST(last.status == 429, last.describe());
    BOOST_TEST(ok >= 100, "about a minute's worth was allowed first: " << ok);
    BOOST_TEST(last.isProblem());
    BOOST_TEST(std::stoi(last.header("Retry-After")) >= 1);
    BOOST_TEST(anonymous("/api/v1/public/facilities?limit=1").status == 200, "another address is served");
    BOOST_TEST(as("insp").get("/api/v1/facilities?limit=1").status == 200, "the signed-in API is not limited");
}

// Behind a reverse proxy (http.trusted_proxies) each client is the address the proxy forwards; a client
// that is not the proxy cannot pick its address by sending X-Forwarded-For itself.
BOOST_AUTO_TEST_CASE(behind_a_trusted_proxy_the_forwarded_client_is_limited_not_the_proxy) {
    const auto flood = [](const std::string& from, const std::string& forwarded) {
        Request r;
        r.path = "/api/v1/public/facilities?limit=1";
        r.sourceAddress = from;
        if (!forwarded.empty()) r.headers.emplace_back("X-Forwarded-For", forwarded);
        return r;
    };
    Response last;
    for (int i = 0; i < 200 && last.status != 429; ++i) last = send(flood("127.0.0.5", "198.51.100.7, 127.0.0.5"));
    BOOST_TEST(last.status == 429, "the forwarded client spent its requests");
    BOOST_TEST(send(flood("127.0.0.5", "198.51.100.8")).status == 200, "another client behind the same proxy is served");
    // A client's own X-Forwarded-For line before the proxy's changes nothing either.
    Request twoLines = flood("127.0.0.5", "203.0.113.250");
    twoLines.headers.emplace_back("X-Forwarded-For", "198.51.100.7");
    BOOST_TEST(send(twoLines).status == 429, "the proxy's line names the client");
    // Not the proxy: the header changes nothing, the peer is the client.
    int refused = 0;
    for (int i = 0; i < 200 && refused == 0; ++i)
        refused += send(flood("127.0.0.6", "203.0.113." + std::to_string(i % 250))).status == 429;
    BOOST_TEST(refused == 1, "a client that forges X-Forwarded-For is limited all the same");
}

BOOST_AUTO_TEST_SUITE_END()
