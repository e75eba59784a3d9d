// The dashboard's rectification notices as a district leader sees them in the browser: per district the
// open ones, the overdue ones and those due within a week, each count a link to exactly those notices.
// (Overdue ones need a date past a deadline: test/store/DashboardCountsTest counts them on a fixed day.)

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <regex>

using namespace registry::apitest;

namespace {

struct NoticeRow {
    long long open = -1, overdue = -1, dueSoon = -1;
    bool found = false;
};

/// The notice counts of `districtName` on the dashboard page.
NoticeRow noticeRow(const std::string& html, const std::string& districtName) {
    NoticeRow row;
    const auto table = html.find("<table id=\"notice-counts\">");
    if (table == std::string::npos) return row;
    const auto end = html.find("</table>", table);
    const std::string part = html.substr(table, end - table);
    const std::regex re("<th scope=\"row\">" + districtName +
                        "</th><td class=\"num\"><a href=\"[^\"]*\">([0-9]+)</a></td><td class=\"num\"><a href=\"[^\"]*\"[^>]*>"
                        "([0-9]+)</a></td><td class=\"num\"><a href=\"[^\"]*\">([0-9]+)</a></td>");
    std::smatch m;
    if (!std::regex_search(part, m, re)) return row;
    row.found = true;
    row.open = std::stoll(m[1]);
    row.overdue = std::stoll(m[2]);
    row.dueSoon = std::stoll(m[3]);
    return row;
}

long long issueFor(const std::string& name, const std::string& deadline) {
    const auto facility = createFacility("admin", kOwn, name).id();
    const auto p = as("admin").post("/api/v1/prices", with(priceBody(facility, "goods.urn", 80000, "2024-01-01"),
                                                           {{"displayed", false}}));
    BOOST_REQUIRE_MESSAGE(p.status == 201, p.describe());
    const auto findings = as("admin").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(p.id()));
    BOOST_REQUIRE(!findings.empty());
    JsonArray ids = new Poco::JSON::Array;
    ids->add(findings.front()->getValue<long long>("id"));
    const auto r = as("insp").post("/api/v1/notices", object({{"subject_type", "facility"}, {"subject_id", facility},
                                                              {"finding_ids", ids}, {"requirements", "限期公示价格"},
                                                              {"deadline", deadline}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r.id();
}

} // namespace

BOOST_AUTO_TEST_SUITE(Dashboard)

BOOST_AUTO_TEST_CASE(notice_counts_per_district_link_to_their_lists) {
    const auto leader = webSignIn("aud", kPassword);
    BOOST_REQUIRE(!leader.session.empty());
    const auto before = noticeRow(webGet(leader.session).body, "海淀区");
    BOOST_TEST_REQUIRE(before.found);

    // Due in 3 days (this week, whatever the server's time zone), and in 60 (open only).
    const auto soon = issueFor("仪表盘本周到期殡仪馆", daysAhead(3));
    issueFor("仪表盘远期殡仪馆", daysAhead(60));

    const auto page = webGet(leader.session);
    BOOST_TEST_REQUIRE(page.status == 200);
    const auto after = noticeRow(page.body, "海淀区");
    BOOST_TEST(after.open == before.open + 2);
    BOOST_TEST(after.dueSoon == before.dueSoon + 1);
    BOOST_TEST(after.overdue == before.overdue);
    BOOST_TEST(noticeRow(page.body, "朝阳区").found); // the city: every district
    // (The template escapes "/" as &#x2f; and "&" as &amp;, which a browser reads back as / and &.)
    BOOST_TEST(page.body.find("notices?district=110108&amp;due_within_days=7\"") != std::string::npos);
    BOOST_TEST(page.body.find("notices?district=110108&amp;overdue=true\"") != std::string::npos);
    BOOST_TEST(page.body.find("notices?district=110108&amp;open=true\"") != std::string::npos);

    // The link's list shows the notice due this week, and the API's list agrees.
    const auto number = as("aud").get(pathOf("notices", soon)).str("number");
    const auto list = webGet(leader.session, "/notices?district=110108&due_within_days=7");
    BOOST_TEST_REQUIRE(list.status == 200, list.body.substr(0, 300));
    BOOST_TEST(list.body.find(number) != std::string::npos);
    BOOST_TEST(list.body.find("notices?format=xlsx&amp;district=110108&amp;due_within_days=7") != std::string::npos);
    const auto api = as("aud").all("/api/v1/notices?district=110108&due_within_days=7");
    BOOST_TEST(static_cast<long long>(api.size()) == after.dueSoon);
    BOOST_TEST(as("aud").count("/api/v1/notices?district=110108&open=true") == after.open);

    // The web export of that list is the spreadsheet of it.
    const auto xlsx = webGet(leader.session, "/exports/notices?format=xlsx&district=110108&due_within_days=7");
    BOOST_TEST(xlsx.status == 200);
    BOOST_TEST(xlsx.body.rfind("PK\x03\x04", 0) == 0u);

    // A district user's dashboard has its district only.
    const auto district = webSignIn("insp", kPassword);
    const auto own = webGet(district.session);
    BOOST_TEST(noticeRow(own.body, "海淀区").open == after.open);
    BOOST_TEST(!noticeRow(own.body, "朝阳区").found);
}

BOOST_AUTO_TEST_SUITE_END()
