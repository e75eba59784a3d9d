// Overdue rectification notices on a fixed clock (clock.today): one server on the real date issues a notice,
// a second server on the same database, whose today is past the deadline, shows it overdue until it is
// verified, and refuses a deadline that is already past for it.
#include "fault/FaultSupport.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timespan.h>

#include <boost/test/unit_test.hpp>

using namespace registry::faulttest;

namespace {

bool listed(int port, const std::string& token, const std::string& path, long long id) {
    for (const auto& n : listAll(port, token, path))
        if (n->getValue<long long>("id") == id) return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(NoticeClock)

BOOST_AUTO_TEST_CASE(a_notice_past_its_deadline_is_overdue_until_verified) {
    Registry registry;
    const std::vector<std::string> common{"plugins.dir=" REGISTRY_SOURCE_DIR "/plugins", "plugins.watch_interval_ms=0"};
    auto later = common;
    later.push_back("clock.today=" + daysAhead(45));
    ServerProcess now(registry, common), after(registry, later);
    now.start();
    after.start();
    const auto admin = registry.token("admin"), insp = registry.token("insp");

    // An undisplayed price: common.price-display's violation, the finding the notice names.
    const auto facility = call(now.port(), "POST", "/api/v1/facilities", admin, stringify(facilityBody("逾期通知殡仪馆")));
    BOOST_REQUIRE_MESSAGE(facility.status == 201, facility.body);
    const long long facilityId = facility.obj()->getValue<long long>("id");
    auto price = priceBody(facilityId, "goods.urn", 80000, "2024-01-01");
    price->set("displayed", false);
    const auto priced = call(now.port(), "POST", "/api/v1/prices", admin, stringify(price));
    BOOST_REQUIRE_MESSAGE(priced.status == 201, priced.body);
    const auto findings = listAll(now.port(), admin, "/api/v1/findings?subject_type=price&subject_id=" +
                                                          std::to_string(priced.obj()->getValue<long long>("id")));
    BOOST_REQUIRE(!findings.empty());
    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    ids->add(findings.front()->getValue<long long>("id"));
    const auto notice = body({{"subject_type", "facility"}, {"subject_id", facilityId}, {"finding_ids", ids},
                              {"requirements", "公示全部收费项目"}, {"deadline", daysAhead(30)}});

    // The later server's today is past that deadline: it refuses it as a deadline, and the earlier one issues it.
    const auto refused = call(after.port(), "POST", "/api/v1/notices", insp, notice);
    BOOST_TEST(refused.status == 422, refused.body);
    BOOST_TEST(refused.body.find("deadline") != std::string::npos);
    const auto issued = call(now.port(), "POST", "/api/v1/notices", insp, notice);
    BOOST_REQUIRE_MESSAGE(issued.status == 201, issued.body);
    const long long id = issued.obj()->getValue<long long>("id");
    const std::string path = "/api/v1/notices/" + std::to_string(id);

    BOOST_TEST(!call(now.port(), "GET", path, insp).obj()->getValue<bool>("overdue"));
    BOOST_TEST(!listed(now.port(), insp, "/api/v1/notices?overdue=true", id));
    BOOST_TEST(call(after.port(), "GET", path, insp).obj()->getValue<bool>("overdue"));
    BOOST_TEST(listed(after.port(), insp, "/api/v1/notices?overdue=true", id));

    // An answer does not stop the clock; the verdict does.
    BOOST_REQUIRE_EQUAL(call(now.port(), "POST", path + "/response", insp, body({{"text", "已整改"}})).status, 200);
    BOOST_TEST(listed(after.port(), insp, "/api/v1/notices?overdue=true", id));
    const auto verified = call(after.port(), "POST", path + "/verify", insp, body({{"result", "rectified"}}));
    BOOST_REQUIRE_MESSAGE(verified.status == 200, verified.body);
    BOOST_TEST(!verified.obj()->getValue<bool>("overdue"));
    BOOST_TEST(!listed(after.port(), insp, "/api/v1/notices?overdue=true", id));
}

BOOST_AUTO_TEST_CASE(a_clock_that_is_no_date_is_refused_at_start) {
    Registry registry;
    const auto out = [&] {
        try {
            registry.run({"--set", "clock.today=tomorrow", "migrate"});
            return std::string();
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
    }();
    BOOST_TEST(out.find("clock.today") != std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()
