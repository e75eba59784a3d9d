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
#include <set>
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

/// 1.2.0 reads the cremation cap from its settings (plugin.haidian.cremation-cap.cap_fen, default 65000).
std::string pluginWithSetting() {
    std::string s = plugin("1.2.0", true);
    s.replace(s.find("  checks = {"), 0, "  defaults = { cap_fen = 65000 },\n");
    s.replace(s.find("p.amount_fen > 65000"), 20, "p.amount_fen > ctx.config.cap_fen");
    return s;
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

/// The audit `id` once it has finished (up to two minutes).
JsonObject finished(int port, const std::string& token, long long id) {
    for (int i = 0; i < 1200; ++i) {
        const auto a = call(port, "GET", "/api/v1/audits/" + std::to_string(id), token);
        BOOST_REQUIRE_MESSAGE(a.status == 200, a.status << " " << a.body);
        const auto status = a.obj()->getValue<std::string>("status");
        if (status != "queued" && status != "running") return a.obj();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_FAIL("audit " << id << " did not finish within two minutes");
    return {};
}

/// The line of GET /api/v1/plugins for `name` on the instance on `port` (null when it is not listed).
JsonObject listed(int port, const std::string& token, const std::string& name) {
    const auto r = call(port, "GET", "/api/v1/plugins", token);
    const auto items = r.json.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; items && i < items->size(); ++i)
        if (items->getObject(static_cast<unsigned>(i))->getValue<std::string>("name") == name)
            return items->getObject(static_cast<unsigned>(i));
    return {};
}

std::string text(const JsonObject& o, const std::string& key) {
    return o && o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string();
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
    registry.run({"demo-data"});
    const std::vector<std::string> common{"plugins.dir=" REGISTRY_SOURCE_DIR "/plugins", "plugins.watch_interval_ms=0",
                                          "plugins.sync_seconds=1"};
    // A runs no schedule; B runs the "nightly" audit every minute, and its operator mistyped a setting that
    // only version 1.2.0 reads.
    auto settingsA = common, settingsB = common;
    settingsA.push_back("audit.schedule=off");
    settingsB.push_back("audit.schedule=* * * * *");
    settingsB.push_back("plugin.haidian.cremation-cap.cap_fen=六百五十");
    ServerProcess a(registry, settingsA), b(registry, settingsB);
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
    const std::string sha110 = r.obj()->getValue<std::string>("sha256");
    // The same name and version with another text is a conflict, not a silent replacement.
    r = call(a.port(), "POST", "/api/v1/plugins", it, submission(plugin("1.1.0", false), tests(false)));
    BOOST_TEST(r.status == 409, r.body);

    // The dry run of 1.1.0 over Haidian's stored records names every current price the rules would flag,
    // the demo data's among them, and writes no finding.
    std::set<std::string> expected;
    int fromDemo = 0;
    for (const auto& p : listAll(a.port(), admin, "/api/v1/prices?district=110108&current=true")) {
        const auto item = p->getValue<std::string>("item");
        const auto fen = p->getValue<long long>("amount_fen");
        const auto subject = std::to_string(p->getValue<long long>("id"));
        const bool own = p->getValue<long long>("facility_id") == id;
        if (item == "basic.transport" && fen > 80000) expected.insert("price.haidian_transport_cap " + subject);
        else if (item == "basic.cremation" && fen > 65000) expected.insert("price.haidian_cremation_cap " + subject);
        else continue;
        if (!own) ++fromDemo;
    }
    BOOST_TEST(fromDemo >= 1, "the demo data holds Haidian prices above the caps");
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/versions/1.1.0/dry-run", it);
    BOOST_REQUIRE_MESSAGE(r.status == 202, r.status << " " << r.body);
    const auto dry = finished(a.port(), it, r.obj()->getValue<long long>("id"));
    BOOST_REQUIRE_MESSAGE(dry->getValue<std::string>("status") == "succeeded", stringify(dry));
    r = call(a.port(), "GET", "/api/v1/audits/" + std::to_string(dry->getValue<long long>("id")) + "/report", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body.substr(0, 300));
    std::set<std::string> predicted;
    const auto changes = r.obj()->getArray("changes");
    for (std::size_t i = 0; changes && i < changes->size(); ++i) {
        const auto c = changes->getObject(static_cast<unsigned>(i));
        BOOST_TEST(c->getValue<std::string>("change") == "new");
        BOOST_TEST(c->getValue<std::string>("district") == "110108");
        predicted.insert(c->getValue<std::string>("rule") + " " + std::to_string(c->getValue<long long>("subject_id")));
    }
    BOOST_TEST(predicted == expected, "the dry run names the prices above the caps: " << r.body.substr(0, 600));
    BOOST_TEST(listAll(a.port(), admin, "/api/v1/findings?plugin=haidian.cremation-cap").empty(),
               "the dry run wrote no finding");

    // District IT of Haidian may not submit for the city or for Pinggu, nor activate those.
    std::string commonPlugin = plugin("1.0.0", false), pinggu = plugin("1.0.0", false);
    commonPlugin.replace(commonPlugin.find("haidian."), 8, "common.");
    pinggu.replace(pinggu.find("haidian."), 8, "pinggu.");
    BOOST_TEST(call(a.port(), "POST", "/api/v1/plugins", it, submission(commonPlugin, tests(false))).status == 403);
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
    auto line = listed(b.port(), it, "haidian.cremation-cap");
    BOOST_REQUIRE_MESSAGE(line, "B lists the uploaded plugin");
    BOOST_TEST(text(line, "origin") == "uploaded");
    BOOST_TEST(text(line, "active_version") == "1.1.0");
    r = call(a.port(), "GET", "/api/v1/plugins/haidian.cremation-cap/versions", it);
    BOOST_TEST(r.body.find("\"retired\"") != std::string::npos, "1.0.0 was retired: " << r.body);

    // B's next scheduled audit runs 1.1.0, says so in its decision record, and its findings carry the
    // version; they are the ones the dry run predicted.
    long long seen = 0;
    for (const auto& audit : listAll(b.port(), admin, "/api/v1/audits"))
        seen = std::max(seen, audit->getValue<long long>("id"));
    JsonObject nightly;
    BOOST_TEST(within(90, [&] {
        for (const auto& audit : listAll(b.port(), admin, "/api/v1/audits"))
            if (audit->getValue<long long>("id") > seen && audit->getValue<std::string>("trigger") == "schedule") {
                nightly = finished(b.port(), admin, audit->getValue<long long>("id"));
                return true;
            }
        return false;
    }) >= 0, "B ran no scheduled audit within 90 s");
    BOOST_REQUIRE(nightly);
    BOOST_TEST(nightly->getValue<std::string>("status") == "succeeded", stringify(nightly));
    bool ran110 = false;
    const auto ran = nightly->getArray("plugins");
    for (std::size_t i = 0; ran && i < ran->size(); ++i) {
        const auto p = ran->getObject(static_cast<unsigned>(i));
        if (p->getValue<std::string>("name") != "haidian.cremation-cap") continue;
        ran110 = p->getValue<std::string>("version") == "1.1.0" && p->getValue<std::string>("sha256") == sha110;
    }
    BOOST_TEST(ran110, "the scheduled audit lists haidian.cremation-cap 1.1.0 with its sha256: " << stringify(nightly));
    std::set<std::string> open;
    for (const auto& f : listAll(b.port(), admin, "/api/v1/findings?plugin=haidian.cremation-cap&status=open")) {
        BOOST_TEST(f->getValue<std::string>("plugin_version") == "1.1.0");
        open.insert(f->getValue<std::string>("rule") + " " + std::to_string(f->getValue<long long>("subject_id")));
    }
    for (const auto& p : predicted)
        BOOST_TEST(open.count(p) == 1u, p << " is an open finding after the scheduled audit");

    // 1.2.0 reads a setting that B's configuration gets wrong: A runs 1.2.0, B says why it cannot and
    // goes on checking with 1.1.0.
    r = call(a.port(), "POST", "/api/v1/plugins", it, submission(pluginWithSetting(), tests(true)));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/versions/1.2.0/activate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    BOOST_TEST(text(listed(a.port(), it, "haidian.cremation-cap"), "active_version") == "1.2.0");
    BOOST_TEST(within(15, [&] { return !text(listed(b.port(), it, "haidian.cremation-cap"), "error").empty(); }) >= 0);
    line = listed(b.port(), it, "haidian.cremation-cap");
    BOOST_TEST(text(line, "active_version") == "1.1.0", stringify(line));
    BOOST_TEST(text(line, "error").find("cap_fen") != std::string::npos, stringify(line));
    BOOST_TEST(text(line, "error").find("still running version 1.1.0") != std::string::npos, stringify(line));
    BOOST_TEST(b.logTail().find("did not load on this instance") != std::string::npos, b.logTail());
    BOOST_TEST(has(rulesFor(b.port(), insp, id, "basic.cremation", 70000), "price.haidian_cremation_cap"));

    // Rolling back is activating 1.0.0 again: B stops reporting the cremation cap, keeps the transport one.
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/versions/1.0.0/activate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    BOOST_TEST(within(15, [&] { return !has(rulesFor(b.port(), insp, id, "basic.cremation", 70000),
                                            "price.haidian_cremation_cap"); }) >= 0);
    BOOST_TEST(has(rulesFor(b.port(), insp, id, "basic.transport", 90000), "price.haidian_transport_cap"));
    BOOST_TEST(text(listed(b.port(), it, "haidian.cremation-cap"), "error").empty(), "1.0.0 loads on B");

    // Deactivated: B checks without it.
    r = call(a.port(), "POST", "/api/v1/plugins/haidian.cremation-cap/deactivate", it);
    BOOST_REQUIRE_MESSAGE(r.status == 200 || r.status == 204, r.status << " " << r.body);
    BOOST_TEST(within(15, [&] { return !has(rulesFor(b.port(), insp, id, "basic.transport", 90000),
                                            "price.haidian_transport_cap"); }) >= 0);

    BOOST_TEST(a.running(), a.logTail());
    BOOST_TEST(b.running(), b.logTail());
}

BOOST_AUTO_TEST_SUITE_END()
