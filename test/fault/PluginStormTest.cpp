// Every plugin misbehaves (endless loops, a pcall that tries to swallow the limit, memory hogs, errors,
// huge output) during an audit of the demo data while clients read and write through the API: the audit
// completes with `error` findings, the API answers every request, the server stays up.
#include "fault/FaultSupport.h"

#include "app/RunProgram.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

using namespace registry::faulttest;
using Clock = std::chrono::steady_clock;

namespace {

struct Load {
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::mutex mutex;
    std::vector<std::string> failures;
    double slowestRead = 0, slowestWrite = 0;

    void fail(const std::string& what) {
        std::lock_guard<std::mutex> lock(mutex);
        failures.push_back(what);
    }
    void took(bool write, double seconds) {
        std::lock_guard<std::mutex> lock(mutex);
        (write ? slowestWrite : slowestRead) = std::max(write ? slowestWrite : slowestRead, seconds);
    }
};

void client(int port, const std::string& token, long long facility, int index, Load& load) {
    for (int i = 0; !load.stop; ++i) {
        const bool write = i % 4 == 3;
        const auto begin = Clock::now();
        try {
            const auto a = write ? call(port, "POST", "/api/v1/prices", token,
                                        stringify(priceBody(facility, index == 0 ? "basic.cremation" : "basic.transport",
                                                            20000 + i, "2030-01-01")),
                                        "", 30000)
                                 : call(port, "GET", i % 2 ? "/api/v1/facilities?limit=50" : "/api/v1/findings?limit=50",
                                        token, std::nullopt, "", 30000);
            // A second price on the same day for the same item may be refused (422/409); never a 5xx.
            if (a.status >= 500) load.fail(std::to_string(a.status) + " " + a.body.substr(0, 300));
            ++load.answered;
        } catch (const Poco::Exception& e) {
            load.fail("no answer: " + e.displayText());
        }
        load.took(write, std::chrono::duration<double>(Clock::now() - begin).count());
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_plugins)

BOOST_AUTO_TEST_CASE(an_audit_where_every_plugin_misbehaves_completes_while_the_api_keeps_answering) {
    Registry registry;
    const auto demo = registry::test::runProgram({"demo-data"}, registry.dir(), {{"REGISTRY_DB_URL", registry.url()}});
    BOOST_REQUIRE_MESSAGE(demo.exitCode == 0, "demo-data failed: " << demo.err);
    ServerProcess server(registry, {"plugins.dir=" REGISTRY_SOURCE_DIR "/test/fault/plugins",
                                    "plugins.watch_interval_ms=0"});
    server.start();
    const auto admin = registry.token("admin");
    const auto plugins = call(server.port(), "GET", "/api/v1/plugins", admin);
    BOOST_REQUIRE_MESSAGE(plugins.status == 200, plugins.body);
    BOOST_TEST(plugins.body.find("fault.loop") != std::string::npos, plugins.body);

    const auto facility = call(server.port(), "POST", "/api/v1/facilities", admin, stringify(facilityBody("插件风暴测试馆")));
    BOOST_REQUIRE_MESSAGE(facility.status == 201, facility.body);
    const auto facilityId = facility.obj()->getValue<long long>("id");

    Load load;
    std::vector<std::thread> clients;
    for (int i = 0; i < 2; ++i) clients.emplace_back(client, server.port(), admin, facilityId, i, std::ref(load));

    const auto started = call(server.port(), "POST", "/api/v1/audits", admin, std::string("{}"));
    BOOST_REQUIRE_MESSAGE(started.status == 202, started.status << " " << started.body);
    const auto audit = "/api/v1/audits/" + std::to_string(started.obj()->getValue<long long>("id"));
    JsonObject run;
    const auto deadline = Clock::now() + std::chrono::seconds(150);
    for (;;) {
        const auto a = call(server.port(), "GET", audit, admin);
        BOOST_REQUIRE_MESSAGE(a.status == 200, a.body);
        run = a.obj();
        const auto status = run->getValue<std::string>("status");
        if (status != "queued" && status != "running") break;
        BOOST_REQUIRE_MESSAGE(Clock::now() < deadline, "the audit did not finish within 150 s: " << a.body);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    // The audit may end quickly (each hostile plugin is skipped after plugins.max_failures_per_run
    // failures); the clients go on until they have made a fair number of requests, and each one counts.
    const int duringAudit = load.answered;
    for (const auto until = Clock::now() + std::chrono::seconds(60); load.answered < 20 && Clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    load.stop = true;
    for (auto& t : clients) t.join();

    BOOST_TEST(run->getValue<std::string>("status") == "succeeded", stringify(run));
    BOOST_TEST(run->getValue<long long>("plugin_errors") > 0, stringify(run));
    BOOST_TEST(run->getValue<long long>("records_total") > 0, stringify(run));
    const auto errors = listAll(server.port(), admin, "/api/v1/findings?severity=error");
    std::set<std::string> failing;
    for (const auto& f : errors) failing.insert(f->getValue<std::string>("plugin"));
    for (const char* plugin : {"fault.loop", "fault.hog", "fault.error"})
        BOOST_TEST(failing.count(plugin) == 1, plugin << " left no error finding");

    BOOST_TEST(load.failures.empty(), load.failures.size() << " requests failed; first: "
                                                          << (load.failures.empty() ? "" : load.failures.front()));
    BOOST_TEST_MESSAGE("hostile plugins: audit " << stringify(run) << "; " << load.answered
                                                 << " API requests answered (" << duringAudit << " during it), slowest read "
                                                 << load.slowestRead << " s, slowest write " << load.slowestWrite << " s");
    BOOST_TEST(duringAudit > 0);
    BOOST_TEST(load.answered >= 20);
    BOOST_TEST(load.slowestRead < 5.0);   // reads run no plugin
    BOOST_TEST(load.slowestWrite < 20.0); // writes run every price check, each stopped at its 1 s limit
    BOOST_TEST(server.running(), server.logTail());
    BOOST_TEST(call(server.port(), "GET", "/readyz").status == 200);
    BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
