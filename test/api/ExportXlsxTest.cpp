// XLSX exports of every list, and rectification notices exported as CSV, XLSX and JSON with the list's
// filters and scope: what an inspector opening the file in Excel, or a district leader's spreadsheet, gets.

#include "api/ApiSupport.h"
#include "support/XlsxRead.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;
using registry::testing::xlsxSheet;

namespace {

const std::string xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The worksheet of an XLSX answer, after checking that it is one.
std::string sheetOf(const Response& r, const std::string& fileName) {
    BOOST_TEST_REQUIRE(r.status == 200, r.describe().substr(0, 300));
    BOOST_TEST(r.contentType == xlsxType);
    BOOST_TEST(r.header("Content-Disposition") == "attachment; filename=\"" + fileName + "\"");
    BOOST_TEST_REQUIRE(r.body.rfind("PK\x03\x04", 0) == 0u); // a zip, as every .xlsx is
    return xlsxSheet(r.body);
}

bool hasText(const std::string& sheet, const std::string& text) {
    return sheet.find("<is><t>" + text + "</t></is>") != std::string::npos;
}

/// A finding about a new facility of `district`, and the facility: Haidian's test plugin flags an
/// undisplayed price, Chaoyang's one with the marker note.
struct Flagged {
    long long facility = 0, finding = 0;
};
Flagged flagged(const std::string& user, const std::string& district, const std::string& name) {
    Flagged out;
    out.facility = createFacility("admin", district, name).id();
    auto body = with(priceBody(out.facility, "goods.urn", 80000, "2024-01-01"), {{"displayed", false}});
    if (district == kOther) body = with(body, {{"note", "permission-matrix"}});
    const auto p = as("admin").post("/api/v1/prices", body);
    BOOST_REQUIRE_MESSAGE(p.status == 201, p.describe());
    const auto findings = as("admin").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(p.id()));
    BOOST_REQUIRE_MESSAGE(!findings.empty(), "no finding for the price in " << district << " as " << user);
    out.finding = findings.front()->getValue<long long>("id");
    return out;
}

Response issueNotice(const std::string& user, const Flagged& f, const std::string& deadline,
                     const std::string& requirements) {
    JsonArray ids = new Poco::JSON::Array;
    ids->add(f.finding);
    const auto r = as(user).post("/api/v1/notices",
                                 object({{"subject_type", "facility"}, {"subject_id", f.facility}, {"finding_ids", ids},
                                         {"requirements", requirements}, {"deadline", deadline}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ExportXlsx)

BOOST_AUTO_TEST_CASE(every_list_exports_as_one_worksheet_with_typed_cells) {
    const auto facility = createFacility("insp", kOwn, "表格导出殡仪馆");
    const auto other = createFacility("admin", kOther, "朝阳区表格导出公墓");
    const auto price = as("insp").post("/api/v1/prices", priceBody(facility.id(), "basic.cremation", 61234, "2024-03-01"));
    BOOST_REQUIRE_MESSAGE(price.status == 201, price.describe());
    const auto site = as("insp").post("/api/v1/burial-sites", burialSiteBody(kOwn, 37));
    BOOST_REQUIRE_MESSAGE(site.status == 201, site.describe());

    // Facilities: the header as the CSV's, the name as text, the id a number; no Chaoyang row for Haidian.
    auto sheet = sheetOf(as("insp").get("/api/v1/export/facilities?format=xlsx"), "facilities.xlsx");
    BOOST_TEST(hasText(sheet, "id"));
    BOOST_TEST(hasText(sheet, "capacity_total"));
    BOOST_TEST(hasText(sheet, "表格导出殡仪馆"));
    BOOST_TEST(!hasText(sheet, "朝阳区表格导出公墓"));
    BOOST_TEST(sheet.find("<v>" + std::to_string(facility.id()) + "</v>") != std::string::npos);
    BOOST_TEST(sheet.find("state=\"frozen\"") != std::string::npos);
    BOOST_TEST(sheet.find("<autoFilter ref=\"A1:") != std::string::npos);
    // The auditor sees the city.
    BOOST_TEST(hasText(sheetOf(as("aud").get("/api/v1/export/facilities?format=xlsx"), "facilities.xlsx"),
                       "朝阳区表格导出公墓"));

    // Prices: the amount in fen is a number cell.
    sheet = sheetOf(as("insp").get("/api/v1/export/prices?format=xlsx&facility_id=" + std::to_string(facility.id())),
                    "prices.xlsx");
    BOOST_TEST(hasText(sheet, "amount_fen"));
    BOOST_TEST(sheet.find("<v>61234</v>") != std::string::npos);
    BOOST_TEST(hasText(sheet, "2024-03-01")); // dates as the API writes them, text

    // Burial sites, with the list's own status filter.
    sheet = sheetOf(as("insp").get("/api/v1/export/burial-sites?format=xlsx&status=surveyed"), "burial-sites.xlsx");
    BOOST_TEST(hasText(sheet, "grave_count"));
    BOOST_TEST(hasText(sheet, site.str("code")));

    // Findings.
    const auto f = flagged("insp", kOwn, "问题导出殡仪馆");
    sheet = sheetOf(as("insp").get("/api/v1/export/findings?format=xlsx&status=open"), "findings.xlsx");
    BOOST_TEST(hasText(sheet, "severity"));
    BOOST_TEST(sheet.find("<v>" + std::to_string(f.finding) + "</v>") != std::string::npos);
    (void)other;
}

BOOST_AUTO_TEST_CASE(notices_export_as_csv_xlsx_and_json_scoped_like_their_list) {
    const auto own = flagged("insp", kOwn, "通知导出殡仪馆");
    const auto far = flagged("insp105", kOther, "通知导出朝阳公墓");
    const auto mine = issueNotice("insp", own, daysAhead(40), "导出测试:公示收费标准");
    const auto theirs = issueNotice("insp105", far, daysAhead(40), "导出测试:朝阳区");
    const auto number = mine.str("number"), otherNumber = theirs.str("number");

    // CSV: the list's columns, the district's notices only.
    const auto csv = as("insp").get("/api/v1/export/notices?format=csv");
    BOOST_TEST_REQUIRE(csv.status == 200, csv.describe());
    BOOST_TEST(csv.contentType.rfind("text/csv", 0) == 0u);
    BOOST_TEST(csv.header("Content-Disposition") == "attachment; filename=\"notices.csv\"");
    BOOST_TEST(csv.body.rfind("\xEF\xBB\xBF" "id,number,district,subject_type,subject_id,finding_ids,requirements,deadline,"
                              "status,overdue,", 0) == 0u, csv.body.substr(0, 200));
    BOOST_TEST(csv.body.find(number) != std::string::npos);
    BOOST_TEST(csv.body.find(otherNumber) == std::string::npos);
    BOOST_TEST(csv.body.find("导出测试:朝阳区") == std::string::npos);

    // XLSX: the same scope; the Chaoyang inspector sees the other side.
    auto sheet = sheetOf(as("insp").get("/api/v1/export/notices?format=xlsx"), "notices.xlsx");
    BOOST_TEST(hasText(sheet, "deadline"));
    BOOST_TEST(hasText(sheet, number));
    BOOST_TEST(hasText(sheet, "导出测试:公示收费标准"));
    BOOST_TEST(!hasText(sheet, otherNumber));
    BOOST_TEST(sheet.find("<v>" + std::to_string(mine.id()) + "</v>") != std::string::npos);
    sheet = sheetOf(as("insp105").get("/api/v1/export/notices?format=xlsx"), "notices.xlsx");
    BOOST_TEST(hasText(sheet, otherNumber));
    BOOST_TEST(!hasText(sheet, number));
    // Asking for another district is refused as the list refuses it.
    BOOST_TEST(as("insp").get(std::string("/api/v1/export/notices?format=xlsx&district=") + kOther).status == 403);

    // The list's filters: verified only leaves today's issued notice out; due within the next 60 days keeps it.
    const auto verified = as("aud").get("/api/v1/export/notices?format=json&status=verified");
    BOOST_TEST_REQUIRE(verified.status == 200, verified.describe());
    BOOST_TEST(verified.body.find(number) == std::string::npos);
    const auto due = as("aud").get("/api/v1/export/notices?format=json&due_within_days=60&district=" + std::string(kOwn));
    BOOST_TEST(due.body.find(number) != std::string::npos);
    BOOST_TEST(due.body.find(otherNumber) == std::string::npos);
    const auto soon = as("aud").get("/api/v1/export/notices?format=json&due_within_days=7");
    BOOST_TEST(soon.body.find(number) == std::string::npos); // its deadline is 40 days away

    // An operator gets its own facility's notices, nothing of its neighbours.
    const auto name = std::string("xop") + std::to_string(own.facility);
    const auto made = as("admin").post("/api/v1/users", object({{"username", name}, {"role", "operator"},
                                                               {"facility_id", own.facility}, {"password", kPassword}}));
    BOOST_REQUIRE_MESSAGE(made.status == 201, made.describe());
    const Client op(Server::instance().signIn(name));
    const auto neighbour = flagged("insp", kOwn, "通知导出邻居殡仪馆");
    const auto next = issueNotice("insp", neighbour, daysAhead(40), "导出测试:邻居");
    sheet = sheetOf(op.get("/api/v1/export/notices?format=xlsx"), "notices.xlsx");
    BOOST_TEST(hasText(sheet, number));
    BOOST_TEST(!hasText(sheet, next.str("number")));
    BOOST_TEST(op.get("/api/v1/export/facilities?format=xlsx").status == 403); // other lists stay closed
}

BOOST_AUTO_TEST_CASE(bad_formats_and_lists_are_named_in_the_answer) {
    const auto format = as("aud").get("/api/v1/export/facilities?format=xls");
    BOOST_TEST(format.status == 400, format.describe());
    BOOST_TEST(format.isProblem());
    BOOST_TEST(format.body.find("xlsx") != std::string::npos);
    const auto geo = as("aud").get("/api/v1/export/notices?format=geojson");
    BOOST_TEST(geo.status == 400, geo.describe());
    const auto kind = as("aud").get("/api/v1/export/nothing?format=xlsx");
    BOOST_TEST(kind.status == 404, kind.describe());
    BOOST_TEST(kind.body.find("notices") != std::string::npos);
    const auto days = as("aud").get("/api/v1/export/notices?due_within_days=0");
    BOOST_TEST(days.status == 400, days.describe());
    BOOST_TEST(as("aud").get("/api/v1/notices?due_within_days=abc").status == 400);
    BOOST_TEST(as("aud").get("/api/v1/notices?open=maybe").status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
