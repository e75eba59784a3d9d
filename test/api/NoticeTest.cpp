// Rectification notices (API.md, Rectification notices) over HTTP: issued from a facility's findings with a
// number per district and year, answered by the facility's operator, sent back with a new deadline, answered
// again by an inspector on its behalf, verified (its findings resolved); every step refused where it must be.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timespan.h>

#include <regex>

using namespace registry::apitest;
using Poco::Dynamic::Var;

namespace {

/// A day `days` from today (UTC; the server's today in audit.timezone is at most a day apart).
std::string daysAhead(int days) {
    Poco::DateTime day;
    day += Poco::Timespan(days, 0, 0, 0, 0);
    return Poco::DateTimeFormatter::format(day, "%Y-%m-%d");
}

int counter = 0;
std::string unique(const std::string& prefix) { return prefix + std::to_string(++counter); }

/// A facility of `district` with an undisplayed price: the test plugins make a finding of it in Haidian.
struct Flagged {
    long long facility = 0, price = 0, finding = 0;
};
Flagged flagged(const std::string& name) {
    Flagged out;
    out.facility = createFacility("admin", kOwn, name).id();
    const auto p = as("admin").post("/api/v1/prices", with(priceBody(out.facility, "goods.urn", 80000, "2024-01-01"),
                                                           {{"displayed", false}}));
    BOOST_REQUIRE_MESSAGE(p.status == 201, p.describe());
    out.price = p.id();
    const auto findings = as("admin").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(out.price));
    BOOST_REQUIRE(!findings.empty());
    out.finding = findings.front()->getValue<long long>("id");
    return out;
}

JsonObject noticeBody(long long facility, std::initializer_list<long long> findings, const std::string& deadline = daysAhead(60)) {
    JsonArray ids = new Poco::JSON::Array;
    for (const auto f : findings) ids->add(f);
    return object({{"subject_type", "facility"}, {"subject_id", facility}, {"finding_ids", ids},
                   {"requirements", "限期整改：在服务大厅公示全部收费项目和标准。"}, {"deadline", deadline}});
}

Client operatorOf(long long facility) {
    const auto name = unique("nop");
    const auto r = as("admin").post("/api/v1/users", object({{"username", name}, {"role", "operator"},
                                                            {"facility_id", facility}, {"password", kPassword}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return Client(Server::instance().signIn(name));
}

} // namespace

BOOST_AUTO_TEST_SUITE(Notices)

BOOST_AUTO_TEST_CASE(a_notice_walks_from_issued_to_verified) {
    const auto f = flagged("整改通知殡仪馆");
    const auto insp = as("insp");
    const auto issued = insp.post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_MESSAGE(issued.status == 201, issued.describe());
    BOOST_TEST(issued.header("Location") == pathOf("notices", issued.id()));
    const auto number = issued.str("number");
    BOOST_TEST(std::regex_match(number, std::regex("京民殡整〔20[0-9]{2}〕110108-[0-9]{4}号")), number);
    BOOST_TEST(issued.str("status") == "issued");
    BOOST_TEST(issued.str("district") == kOwn);
    BOOST_TEST(issued.str("issued_by") == "insp");
    BOOST_TEST(!issued.obj()->getValue<bool>("overdue"));
    BOOST_TEST(issued.obj()->getArray("finding_ids")->getElement<long long>(0) == f.finding);
    // The next one of the district and year has the next number.
    const auto second = insp.post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(second.status, 201);
    const auto sequence = [](const std::string& n) { return std::stoi(n.substr(n.find('-') + 1, 4)); };
    BOOST_TEST(sequence(second.str("number")) == sequence(number) + 1);

    // The facility's operator answers.
    const auto op = operatorOf(f.facility);
    const auto path = pathOf("notices", issued.id());
    BOOST_TEST(op.get(path).status == 200, "an operator reads its facility's notice");
    const auto answered = op.post(path + "/response", object({{"text", "已在大厅张贴价目表，照片见附件。"}}));
    BOOST_REQUIRE_MESSAGE(answered.status == 200, answered.describe());
    BOOST_TEST(answered.str("status") == "responded");
    BOOST_TEST(answered.str("response_text") == "已在大厅张贴价目表，照片见附件。");
    const auto twice = op.post(path + "/response", object({{"text", "再次答复"}}));
    BOOST_TEST(twice.status == 409, twice.describe());

    // Re-inspected: not rectified, back to the unit with a new deadline (which it needs).
    const auto noDeadline = insp.post(path + "/verify", object({{"result", "not_rectified"}, {"note", "仍未公示骨灰盒价格"}}));
    BOOST_TEST(noDeadline.status == 422, noDeadline.describe());
    BOOST_TEST(noDeadline.body.find("deadline") != std::string::npos);
    BOOST_TEST(op.post(path + "/verify", object({{"result", "rectified"}})).status == 403, "an operator does not verify");
    const auto rejected = insp.post(path + "/verify", object({{"result", "not_rectified"}, {"note", "仍未公示骨灰盒价格"},
                                                             {"deadline", daysAhead(90)}}));
    BOOST_REQUIRE_MESSAGE(rejected.status == 200, rejected.describe());
    BOOST_TEST(rejected.str("status") == "issued");
    BOOST_TEST(rejected.str("deadline") == daysAhead(90));
    BOOST_TEST(rejected.str("result") == "not_rectified");
    BOOST_TEST(as("admin").get(pathOf("findings", f.finding)).str("status") != "resolved", "not yet");

    // An inspector answers on the unit's behalf; then it is rectified and its finding resolved.
    BOOST_TEST(insp.post(path + "/response", object({{"text", "现场复查：已补齐公示。"}})).status == 200);
    const auto verified = insp.post(path + "/verify", object({{"result", "rectified"}, {"note", "复查合格"}}));
    BOOST_REQUIRE_MESSAGE(verified.status == 200, verified.describe());
    BOOST_TEST(verified.str("status") == "verified");
    BOOST_TEST(verified.str("verified_by") == "insp");
    BOOST_TEST(as("admin").get(pathOf("findings", f.finding)).str("status") == "resolved");
    BOOST_TEST(insp.post(path + "/verify", object({{"result", "rectified"}})).status == 409);
    BOOST_TEST(insp.post(path + "/response", object({{"text", "晚了"}})).status == 409);

    // Every step is in the change log.
    std::vector<std::string> actions;
    for (const auto& c : as("admin").all("/api/v1/changes?entity=notice&entity_id=" + std::to_string(issued.id())))
        actions.push_back(c->getValue<std::string>("action"));
    BOOST_TEST(actions == (std::vector<std::string>{"issue", "respond", "verify", "respond", "verify"}));
}

BOOST_AUTO_TEST_CASE(what_a_notice_names_is_checked) {
    const auto f = flagged("通知校验殡仪馆");
    const auto other = flagged("通知校验邻馆");
    const auto insp = as("insp");
    const auto expectInvalid = [&](const JsonObject& body, const std::string& field) {
        const auto r = insp.post("/api/v1/notices", body);
        BOOST_TEST(r.status == 422, field << ": " << r.describe());
        BOOST_TEST(r.body.find("\"" + field + "\"") != std::string::npos, field << ": " << r.body);
    };
    expectInvalid(noticeBody(f.facility, {}), "finding_ids");
    expectInvalid(noticeBody(f.facility, {other.finding}), "finding_ids");
    expectInvalid(noticeBody(f.facility, {99999999}), "finding_ids");
    expectInvalid(noticeBody(f.facility, {f.finding}, "2020-01-01"), "deadline");
    expectInvalid(noticeBody(f.facility, {f.finding}, "明天"), "deadline");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"requirements", ""}}), "requirements");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"subject_id", 99999999}}), "subject_id");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"subject_type", "burial_site"}}), "subject_id");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"colour", "red"}}), "colour");
    // A resolved finding is not ordered corrected again.
    BOOST_REQUIRE_EQUAL(as("admin").post(pathOf("findings", other.finding) + "/status",
                                         object({{"status", "resolved"}, {"note", "已改"}})).status, 200);
    expectInvalid(noticeBody(other.facility, {other.finding}), "finding_ids");
}

BOOST_AUTO_TEST_CASE(notices_stay_in_their_district_and_facility) {
    const auto f = flagged("通知权限殡仪馆");
    const auto sibling = flagged("通知权限邻馆");
    const auto issued = as("insp").post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(issued.status, 201);
    const auto path = pathOf("notices", issued.id());
    BOOST_TEST(as("insp105").get(path).status == 404, "another district's inspector");
    BOOST_TEST(as("insp105").post("/api/v1/notices", noticeBody(f.facility, {f.finding})).status == 403);
    BOOST_TEST(as("insp105").post(path + "/verify", object({{"result", "rectified"}})).status == 404);
    BOOST_TEST(as("aud").post("/api/v1/notices", noticeBody(f.facility, {f.finding})).status == 403);
    BOOST_TEST(as("aud").get(path).status == 200, "an auditor reads");
    BOOST_TEST(as("it").post(path + "/response", object({{"text", "x"}})).status == 403);
    const auto neighbour = operatorOf(sibling.facility);
    BOOST_TEST(neighbour.get(path).status == 404, "another facility's operator");
    BOOST_TEST(neighbour.post(path + "/response", object({{"text", "x"}})).status == 404);
    BOOST_TEST(neighbour.post("/api/v1/notices", noticeBody(sibling.facility, {sibling.finding})).status == 403,
               "an operator issues nothing");
    for (const auto& n : neighbour.all("/api/v1/notices"))
        BOOST_TEST(n->getValue<long long>("subject_id") == sibling.facility);
    BOOST_TEST(operatorOf(f.facility).all("/api/v1/notices").size() == 1u);

    // Lists: by district, status; none of these is overdue (their deadlines are far ahead).
    bool listed = false;
    for (const auto& n : as("insp").all("/api/v1/notices?status=issued")) {
        BOOST_TEST(n->getValue<std::string>("district") == kOwn);
        listed = listed || n->getValue<long long>("id") == issued.id();
    }
    BOOST_TEST(listed);
    for (const auto& n : as("admin").all("/api/v1/notices?overdue=true"))
        BOOST_TEST(n->getValue<long long>("id") != issued.id());
    BOOST_TEST(as("insp").get("/api/v1/notices?overdue=maybe").status == 400);
    BOOST_TEST(as("insp").get("/api/v1/notices?district=" + std::string(kOther)).status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
