// Managed plugins across two server instances on one database: district IT submits versions with their
// tests through the API of one instance, activates, rolls back and deactivates them there, and the other
// instance checks new prices with the active version within plugins.sync_seconds, without a restart and
// without a file on either server. Who may submit and activate what is enforced on the way.
#include "fault/FaultSupport.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

using namespace registry::faulttest;
using Clock = std::chrono::steady_clock;

namespace {

/// A Haidian plugin: transport above 800 yuan is a violation; from 1.1.0 also cremation above 650 yuan.
std::string plugin(const std::string& version, bool cremation) {
    std::string s = "return {\n  name = \"haidian.cremation-cap\",\n  version = \"" + version +
                    "\",\n  description = \"海淀区:基本殡葬服务价格上限(测试)\",\n"
                    "  checks = {\n    price = function(p, ctx)\n"
                    "      if p.item == \"basic.transport\" and p.amount_fen > 80000 then\n"
                    "        ctx.finding{rule = \"price.haidian_transport_cap\", severity = \"violation\","
                    " message = \"遗体接运超过 800 元\"}\n      end\n";
    if (cremation)
        s += "      if p.item == \"basic.cremation\" and p.amount_fen > 65000 then\n"
             "        ctx.finding{rule = \"price.haidian_cremation_cap\", severity = \"violation\","
             " message = \"火化超过 650 元\"}\n      end\n";
    return s + "    end,\n  },\n}\n";
}

std::string tests(bool cremation, bool wrong = false) {
    std::string s = "return {\n"
                    "  { name = \"接运 900 元超限\", price = { item = \"basic.transport\", amount_fen = 90000 },\n"
                    "    expect = { { rule = \"price.haidian_transport_cap\", severity = \"violation\" } } },\n"
                    "  { name = \"接运 500 元不超限\", price = { item = \"basic.transport\", amount_fen = 50000 }, expect = {} },\n";
    if (cremation || wrong)
        s += std::string("  { name = \"火化 700 元超限\", price = { item = \"basic.cremation\", amount_fen = 70000 },\n") +
             "    expect = " + (wrong ? "{}" : "{ { rule = \"price.haidian_cremation_cap\", severity = \"violation\" } }") +
             " },\n";
    return s + "}\n";
}

std::string submission(const std::string& source, const std::string& testText) {
    JsonObject o = new Poco::JSON::Object;
    o->set("source", source);
    o->set("tests", testText);
    return stringify(o);
}

/// The rules the instance on `port` reports for a new price (a new day each time, so none is a duplicate).
std::vector<std::string> rulesFor(int port, const std::string& token, long long facility, const std::string& item,
                                  long long fen) {
    static int day = 0;
    ++day;
    char from[16];
    std::snprintf(from, sizeof from, "2031-%02d-%02d", 1 + (day / 28) % 12, 1 + day % 28);
    const auto a = call(port, "POST", "/api/v1/prices", token, stringify(priceBody(facility, item, fen, from)));
    BOOST_REQUIRE_MESSAGE(a.status == 201, a.status << " " << a.body);
    std::vector<std::string> rules;
    const auto checks = a.obj()->getArray("checks");
    for (std::size_t i = 0; checks && i < checks->size(); ++i)
        rules.push_back(checks->getObject(static_cast<unsigned>(i))->getValue<std::string>("rule"));
    return rules;
}

bool has(const std::vector<std::string>& rules, const std::string& rule) {
    return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

/// Retries `what` for up to `seconds`; how long it took to hold, or -1.
double within(double seconds, const std::function<bool()>& what) {
    const auto begin = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - begin).count() < seconds) {
        if (what()) return std::chrono::duration<double>(Clock::now() - begin).count();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return -1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(managed_plugins)

BOOST_AUTO_TEST_CASE(a_version_activated_on_one_instance_checks_prices_on_the_other_and_rolls_back) {
    Registry registry;
    const std::vector<std::string> settings{"plugins.dir=" REGISTRY_SOURCE_DIR "/plugins", "plugins.watch_interval_ms=0",
                                            "plugins.sync_seconds=1"};
    ServerProcess a(registry, settings), b(registry, settings);
    a.start();
    b.start();
    const auto it = registry.token("hd_it"), admin = registry.token("admin"), insp = registry.token("insp");

    const auto facility = call(a.port(), "POST", "/api/v1/facilities", insp, stringify(facilityBody("托管插件测试殡仪馆")));
    BOOST_REQUIRE_MESSAGE(facility.status == 201, facility.body);
    const long long id = facility.obj()->getValue<long long>("id");
    BOOST_TEST(!has(rulesFor(b.port(), insp, id, "basic.transport", 90000), "price.haidian_transport_cap"));

    // Submitting: tests are required and must pass; nothing is stored otherwise.
    auto r = call(a.port(), "POST", "/api/v1/plugins", it, submission(plugin("1.0.0", false), ""));
    BOOST_TEST(r.status == 422, r.body);
    r = call(a.port(), "POST", "/api/v1/plugins", it, submission(plugin("1.0.0", false), tests(false)));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
    BOOST_TEST(r.obj()->getValue<std::string>("status") == "draft");
    BOOST_TEST(r.obj()->getObject("tests")->getValue<int>("passed") == 2);
    r = call(a.port(), "POST", "/api/v1/plugins", it, submission(plugin("1.1.0", true), tests(true, true)));
    BOOST_TEST(r.status == 422, r.body);
    BOOST_TEST(r.body.find("火化 700 元超限") != std::string::npos, "the failing case is named: " << r.body);
    r = call(a.port(), "GET", "/api/v1/plugins/haidian.cremation-cap/versions", it);
    BOOST_TEST(r.obj()->getArray("items")->size() == 1u, "the refused version was not stored: " << r.body);
    r = call(a.port(), "POST", "/api/v1/plugins", it, submission(plugin("1.1.0", true), tests(true)));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
    // The same name and version with another text is a conflict, not a silent replacement.
    r = call(a.port(), "POST", "/api/v1/plugins", it, submission(plugin("1.1.0", false), tests(false)));
    BOOST_TEST(r.status == 409, r.body);

    // District IT of Haidian may not submit for the city or for Pinggu, nor activate those.
    std::string common = plugin("1.0.0", false), pinggu = plugin("1.0.0", false);
    common.replace(common.find("haidian."), 8, "common.");
    pinggu.replace(pinggu.find("haidian."), 8, "pinggu.");
    BOOST_TEST(call(a.port(), "POST", "/api/v1/plugins", it, submission(common, tests(false))).status == 403);
    BOOST_TEST(call(a.port(), "POST", "/api/v1/plugins", it, submission(pinggu, tests(false))).status == 403);
    r = call(a.port(), "POST", "/api/v1/plugins", admin, submission(pinggu, tests(false)));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
    BOOST_TEST(call(a.port(), "POST", "/api/v1/plugins/pinggu.cremation-cap/versions/1.0.0/activate", it).status == 403);
    BOOST_TEST(call(a.port(), "POST", "/api/v1/plugins/common.price-increase/deactivate", it).status == 403);

    // Activate 1.0.0, then 1.1.0, on A: B checks with 1.1.0 within plugins.sync_seconds.
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/versions/1.0.0/activate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/versions/1.1.0/activate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    const double took = within(15, [&] { return has(rulesFor(b.port(), insp, id, "basic.cremation", 70000),
                                                    "price.haidian_cremation_cap"); });
    BOOST_TEST_MESSAGE("the other instance followed the activation in " << took << " s");
    BOOST_TEST(took >= 0, "instance B never checked with 1.1.0");
    r = call(b.port(), "GET", "/api/v1/plugins", it);
    bool listed = false;
    const auto items = r.json.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; items && i < items->size(); ++i) {
        const auto p = items->getObject(static_cast<unsigned>(i));
        if (p->getValue<std::string>("name") != "haidian.cremation-cap") continue;
        listed = true;
        BOOST_TEST(p->getValue<std::string>("origin") == "uploaded");
        BOOST_TEST(p->getValue<std::string>("active_version") == "1.1.0");
    }
    BOOST_TEST(listed, "B lists the uploaded plugin: " << r.body);
    r = call(a.port(), "GET", "/api/v1/plugins/haidian.cremation-cap/versions", it);
    BOOST_TEST(r.body.find("\"retired\"") != std::string::npos, "1.0.0 was retired: " << r.body);

    // Rolling back is activating 1.0.0 again: B stops reporting the cremation cap, keeps the transport one.
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/versions/1.0.0/activate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    BOOST_TEST(within(15, [&] { return !has(rulesFor(b.port(), insp, id, "basic.cremation", 70000),
                                            "price.haidian_cremation_cap"); }) >= 0);
    BOOST_TEST(has(rulesFor(b.port(), insp, id, "basic.transport", 90000), "price.haidian_transport_cap"));

    // Deactivated: B checks without it.
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/deactivate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200 || r.status == 204, r.status << " " << r.body);
    BOOST_TEST(within(15, [&] { return !has(rulesFor(b.port(), insp, id, "basic.transport", 90000),
                                            "price.haidian_transport_cap"); }) >= 0);

    BOOST_TEST(a.running(), a.logTail());
    BOOST_TEST(b.running(), b.logTail());
}

BOOST_AUTO_TEST_SUITE_END()
