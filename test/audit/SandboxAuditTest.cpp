// Plugins in sandbox processes during an audit (issue 13), on SQLite and on MariaDB: plugins that make
// Lua's C library loop or copy without end are contained, one error finding each, and the audit finishes
// with every other finding; a sandbox process killed in the middle of a batch costs one error finding and
// the batch goes on in a new process.

#include "service/AuditService.h"
#include "plugins/PluginTestSupport.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/PriceRepository.h"
#include "store/StoreTestSupport.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

using namespace registry;
using namespace registry::test;
using domain::AuditStatus;

namespace {

// On five amounts the plugin does what the C library would run with for ever or copy without bound: a
// plain find of a long needle (O(n·m) in memcmp), table.remove on a length of math.maxinteger, a class of
// ten thousand characters, details of one 8 MiB string under 120 keys, and (77777) a hang the test ends by
// killing the process. Every other price gets an info finding.
const std::string kHostile = R"(return {
  name = "common.hostile",
  version = "1.0.0",
  description = "恶意插件",
  checks = {
    price = function(p, ctx)
      if p.amount_fen == 11111 then
        local s = string.rep("a", 2 * 1024 * 1024)
        string.find(s, string.rep("a", 1024 * 1024) .. "b", 1, true)
      elseif p.amount_fen == 22222 then
        table.remove(setmetatable({}, { __len = function() return math.maxinteger end }))
      elseif p.amount_fen == 33333 then
        string.find(string.rep("a", 3000), "[" .. string.rep("b", 10000) .. "]*x")
      elseif p.amount_fen == 44444 then
        local big, details = string.rep("x", 8 * 1024 * 1024), {}
        for i = 1, 120 do details["k" .. i] = big end
        ctx.finding{ rule = "big", severity = "info", message = "big", details = details }
      elseif p.amount_fen == 77777 then
        ctx.log("about to hang")
        local s = string.rep("a", 2 * 1024 * 1024)
        string.find(s, string.rep("a", 1024 * 1024) .. "b", 1, true)
      end
      ctx.finding{ rule = "hostile.seen", severity = "info", message = "seen " .. p.amount_fen }
    end,
  },
})";

// Runs after common.hostile on the same records (name order): its findings must all be there.
const std::string kGood = R"(return {
  name = "common.zz-good",
  version = "1.0.0",
  description = "正常插件",
  checks = {
    price = function(p, ctx)
      ctx.finding{ rule = "good.seen", severity = "info", message = "ok " .. p.amount_fen }
    end,
  },
})";

struct Fixture {
    TestDatabase database;
    TempPluginDir pluginDir;
    std::atomic<bool> hanging{false};
    std::unique_ptr<plugins::PluginHost> host;
    std::unique_ptr<service::AuditService> service;
    long long facilityId = 0;

    Fixture() {
        pluginDir.write("common/hostile.lua", kHostile);
        pluginDir.write("common/zz_good.lua", kGood);
        auto settings = fastSettings();
        settings.limits.memoryBytes = 32u << 20;
        settings.limits.instructionsPerCall = 10'000'000;
        settings.limits.wallTimePerCall = std::chrono::milliseconds(1000);
        settings.maxFailuresPerRun = 100;
        host = std::make_unique<plugins::PluginHost>(settings, [this](const std::string&, const std::string& line) {
            if (line == "about to hang") hanging = true;
        });
        const auto loaded = host->load(pluginDir.path());
        BOOST_REQUIRE_MESSAGE(loaded.active == 2u, loaded.error);
        service::AuditServiceSettings s;
        s.runner.instanceId = "sandbox-test";
        s.runner.workers = 1; // one sandbox process in use: the one the test kills
        s.runner.batchRows = 4;
        s.runner.progressIntervalMs = 0;
        s.today = [] { return std::string("2026-06-01"); };
        service = std::make_unique<service::AuditService>(database.db(), *host, s);
        facilityId = store::FacilityRepository(database.db()).create(sampleFacility("沙箱殡仪馆"), actor).id;
    }

    long long price(const std::string& item, long long fen) {
        return store::PriceRepository(database.db()).create(samplePrice(facilityId, item, fen, "2026-01-01"), actor).id;
    }

    std::vector<domain::Finding> findings(long long priceId) {
        store::FindingFilter filter;
        filter.subjectType = domain::SubjectType::Price;
        filter.subjectId = priceId;
        return store::FindingRepository(database.db()).list(filter, {500, 0}).items;
    }

    static const domain::Finding* byRule(const std::vector<domain::Finding>& all, const std::string& rule) {
        for (const auto& f : all)
            if (f.rule == rule) return &f;
        return nullptr;
    }
};

/// The sandbox processes this test process started (children running the plugin-worker verb).
std::vector<pid_t> sandboxChildren() {
    std::vector<pid_t> out;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        const auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        std::string state;
        long long parent = 0;
        rest >> state >> parent;
        if (parent != getpid()) continue;
        std::ifstream cmdline(entry.path() / "cmdline");
        std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
        if (args.find("plugin-worker") != std::string::npos) out.push_back(std::stoi(name));
    }
    return out;
}

const std::vector<std::string> kItems = {"basic.cremation", "basic.transport", "basic.storage", "basic.ash_storage",
                                         "goods.urn", "goods.shroud", "goods.wreath"};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sandbox_audit, Fixture)

BOOST_AUTO_TEST_CASE(hostile_c_library_calls_are_contained_and_the_audit_keeps_every_other_finding) {
    const long long findHang = price(kItems[0], 11111);
    const long long removeHang = price(kItems[1], 22222);
    const long long longClass = price(kItems[2], 33333);
    const long long bigDetails = price(kItems[3], 44444);
    const long long plain = price(kItems[4], 50000);

    const auto started = std::chrono::steady_clock::now();
    const auto run = service->runNow(std::nullopt, "auditor");
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(domain::toString(run.status) == "succeeded");
    BOOST_TEST(run.error == "");
    BOOST_TEST(run.recordsChecked == 6); // five prices and the facility
    // Each hostile case ends within its time limit and a margin (it would run for minutes unchecked).
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(took).count() < 15);

    for (const long long id : {findHang, removeHang, longClass, bigDetails}) {
        const auto all = findings(id);
        BOOST_TEST_CONTEXT("price " << id) {
            // The good plugin, after the hostile one in the same call, still reported.
            BOOST_TEST(byRule(all, "good.seen") != nullptr);
            const domain::Finding* error = nullptr;
            for (const auto& f : all)
                if (f.severity == domain::Severity::Error) error = &f;
            BOOST_REQUIRE(error != nullptr);
            BOOST_TEST_MESSAGE(error->rule << ": " << error->message);
            BOOST_TEST(error->plugin == "common.hostile");
            BOOST_TEST(error->message.find("checks.price") != std::string::npos);
            BOOST_TEST(error->message.find("price " + std::to_string(id)) != std::string::npos);
            BOOST_TEST(byRule(all, "big") == nullptr); // nothing of the 8 MiB details reached the store
        }
    }
    const auto hung = findings(findHang);
    BOOST_REQUIRE(byRule(hung, "plugin.timeout") != nullptr);
    BOOST_TEST(byRule(hung, "plugin.timeout")->message.find("time limit") != std::string::npos);
    const auto ordinary = findings(plain);
    BOOST_TEST(byRule(ordinary, "hostile.seen") != nullptr);
    BOOST_TEST(byRule(ordinary, "good.seen") != nullptr);
    BOOST_TEST(run.pluginErrors == 4);
}

BOOST_AUTO_TEST_CASE(a_sandbox_process_killed_mid_batch_costs_one_error_finding) {
    std::vector<long long> before, after;
    for (int i = 0; i < 3; ++i) before.push_back(price(kItems[static_cast<std::size_t>(i)], 50000 + i));
    const long long victim = price(kItems[3], 77777);
    for (int i = 4; i < 7; ++i) after.push_back(price(kItems[static_cast<std::size_t>(i)], 60000 + i));

    std::atomic<int> killed{0};
    std::thread killer([&] {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!hanging && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(100)); // well inside the 1 s limit
        for (const pid_t pid : sandboxChildren())
            if (::kill(pid, SIGKILL) == 0) ++killed;
    });
    const auto run = service->runNow(std::nullopt, "auditor");
    killer.join();
    BOOST_REQUIRE(hanging.load());
    BOOST_TEST(killed.load() >= 1);
    BOOST_TEST(domain::toString(run.status) == "succeeded");
    BOOST_TEST(run.recordsChecked == 8);
    BOOST_TEST(run.pluginErrors == 1);

    const auto hit = findings(victim);
    const domain::Finding* error = byRule(hit, "plugin.error");
    BOOST_REQUIRE(error != nullptr);
    BOOST_TEST_MESSAGE(error->rule << ": " << error->message);
    BOOST_TEST(error->message.find("killed by signal 9") != std::string::npos);
    BOOST_TEST(byRule(hit, "good.seen") != nullptr); // the plugin after it ran in the replacement
    for (const long long id : before)
        BOOST_TEST(byRule(findings(id), "hostile.seen") != nullptr);
    for (const long long id : after) { // the rest of the batch, and the batches after it
        BOOST_TEST(byRule(findings(id), "hostile.seen") != nullptr);
        BOOST_TEST(byRule(findings(id), "good.seen") != nullptr);
    }
}

BOOST_AUTO_TEST_SUITE_END()
