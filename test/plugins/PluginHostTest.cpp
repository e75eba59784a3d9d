// The host as the server uses it: plugins loaded from a folder, run on records, every hostile plugin of
// issue 4 contained and reported, the others unaffected; failure counting, reload, districts, threads.

#include "PluginTestSupport.h"

#include "plugins/PluginHost.h"

#include <Poco/JSON/Array.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <thread>

using namespace registry::plugins;
using Poco::JSON::Object;
using registry::domain::SubjectType;
using registry::test::TempPluginDir;

namespace {

std::string checker(const std::string& name, const std::string& body, const std::string& extra = "") {
    return extra + "return { name = '" + name +
           "', version = '1.0.0', checks = { price = function(p, ctx)\n" + body + "\nend } }\n";
}

/// A plugin that always reports one info finding, and keeps a global of its own to show nobody changed it.
const std::string kGood =
    "mine = 'untouched'\n" +
    checker("test.good", "ctx.finding{ rule = 'good.seen', severity = 'info', message = mine }");

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::map<std::string, PluginStatus> statusByFile(const PluginHost& host) {
    std::map<std::string, PluginStatus> out;
    for (const auto& status : host.plugins())
        out[status.file] = status;
    return out;
}

struct PriceSubject {
    Object::Ptr view = registry::test::samplePriceView();
    Subject subject{SubjectType::Price, view.get(), "110108"};
};

std::vector<Finding> findingsOf(const std::vector<Finding>& all, const std::string& plugin) {
    std::vector<Finding> out;
    for (const auto& f : all)
        if (f.plugin == plugin) out.push_back(f);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(plugin_host)

BOOST_AUTO_TEST_CASE(every_hostile_plugin_is_contained_and_named) {
    TempPluginDir dir;
    dir.write("common/good.lua", kGood);
    // file → (plugin name, body, expected outcome, part of the message)
    struct Hostile {
        const char* file;
        const char* name;
        const char* body;
        const char* outcome;
        const char* message;
    };
    const Hostile hostiles[] = {
        {"loop", "test.loop", "while true do end", "timeout", "instruction limit exceeded"},
        {"pcall_loop", "test.pcall-loop", "while true do pcall(function() while true do end end) end",
         "timeout", "instruction limit exceeded"},
        {"coroutine_loop", "test.coroutine-loop", "coroutine.wrap(function() while true do end end)()",
         "error", "global 'coroutine'"},
        {"recursion", "test.recursion", "local function f() return 1 + f() end\nreturn f()", "", ""},
        {"big_string", "test.big-string", "return #string.rep('x', 1024 * 1024 * 1024)", "out_of_memory",
         "memory limit exceeded"},
        {"grow", "test.grow", "hoard = {}\nwhile true do hoard[#hoard + 1] = ('x'):rep(100) .. #hoard end",
         "", ""},
        {"uses_load", "test.uses-load", "return load('return 1')()", "error", "global 'load'"},
        {"uses_require", "test.uses-require", "return require('os')", "error", "global 'require'"},
        {"uses_io", "test.uses-io", "return io.open('/etc/passwd')", "error", "global 'io'"},
        {"uses_os_execute", "test.uses-os-execute", "return os.execute('touch /tmp/pwned')", "error",
         "field 'execute'"},
        {"uses_debug", "test.uses-debug", "debug.sethook()", "error", "global 'debug'"},
        {"uses_collectgarbage", "test.uses-collectgarbage", "collectgarbage('stop')", "error",
         "global 'collectgarbage'"},
        {"uses_string_dump", "test.uses-string-dump", "return string.dump(function() end)", "error",
         "field 'dump'"},
        {"writes_ctx", "test.writes-ctx", "ctx.finding = function() end", "error", "read-only table 'ctx'"},
        {"writes_view", "test.writes-view", "p.amount_fen = 1", "error", "read-only table 'price'"},
        {"writes_string_metatable", "test.writes-string-metatable", "getmetatable('').__index.upper = nil",
         "error", "attempt to index"},
        {"writes_other_g", "test.writes-other-g",
         "mine = 'stolen'\n_G.mine = 'stolen'\nfor k, v in pairs(_G) do if type(v) == 'table' then "
         "pcall(rawset, v, 'mine', 'stolen') end end\nerror('could not reach the other plugin')",
         "error", "could not reach the other plugin"},
        {"always_errors", "test.always-errors", "error('broken on purpose')", "error", "broken on purpose"},
    };
    for (const auto& h : hostiles)
        dir.write(std::string("common/") + h.file + ".lua", checker(h.name, h.body));
    dir.write("common/syntax_error.lua", "return { name = 'test.syntax', version = '1' checks = {} }");
    dir.write("common/binary.lua", std::string("\x1bLuaT\x00\x19\x93\r\n\x1a\n", 12));
    dir.write("common/dup_a.lua",
              checker("test.dup", "ctx.finding{ rule = 'dup', severity = 'info', message = 'a' }"));
    dir.write("common/dup_b.lua",
              checker("test.dup", "ctx.finding{ rule = 'dup', severity = 'info', message = 'b' }"));

    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    const LoadReport report = host.load(dir.path());
    BOOST_TEST(report.error.empty());
    BOOST_TEST(report.failed == 3u);
    BOOST_TEST(report.active == std::size(hostiles) + 2);

    auto statuses = statusByFile(host);
    BOOST_TEST(!statuses["common/syntax_error.lua"].active);
    BOOST_TEST(contains(statuses["common/syntax_error.lua"].error, "common/syntax_error.lua:1:"));
    BOOST_TEST(!statuses["common/binary.lua"].active);
    BOOST_TEST(contains(statuses["common/binary.lua"].error, "binary chunk"));
    BOOST_TEST(statuses["common/dup_a.lua"].active);
    BOOST_TEST(!statuses["common/dup_b.lua"].active);
    BOOST_TEST(contains(statuses["common/dup_b.lua"].error,
                        "plugin name 'test.dup' is already used by common/dup_a.lua"));

    for (int round = 0; round < 2; ++round) { // the second round shows the states still serve
        BOOST_TEST_CONTEXT("round " << round) {
            PriceSubject price;
            NoPluginData data;
            const std::vector<Finding> findings = host.runChecks(price.subject, data, "2024-06-01");
            const auto good = findingsOf(findings, "test.good");
            BOOST_REQUIRE_EQUAL(good.size(), 1u);
            BOOST_TEST(good[0].message == "untouched");
            BOOST_TEST(findingsOf(findings, "test.dup").size() == 1u);
            for (const auto& h : hostiles) {
                BOOST_TEST_CONTEXT(h.name) {
                    const auto failures = findingsOf(findings, h.name);
                    BOOST_REQUIRE_EQUAL(failures.size(), 1u);
                    const Finding& f = failures[0];
                    BOOST_TEST_MESSAGE(f.rule << ": " << f.message);
                    BOOST_TEST(registry::domain::toString(f.severity) == "error");
                    BOOST_TEST(f.pluginVersion == "1.0.0");
                    BOOST_TEST(contains(f.message, std::string("plugin ") + h.name +
                                                       " failed in checks.price on price 42: "),
                               f.message);
                    if (*h.outcome) BOOST_TEST(f.rule == std::string("plugin.") + h.outcome);
                    if (*h.message) BOOST_TEST(contains(f.message, h.message), f.message);
                    if (std::string(h.outcome) == "error" || std::string(h.outcome) == "timeout")
                        BOOST_TEST(contains(f.message, std::string("common/") + h.file + ".lua:"), f.message);
                    BOOST_TEST(f.details->getValue<std::string>("hook") == "checks.price");
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_plugin_failing_n_times_is_skipped_for_the_rest_of_the_run) {
    TempPluginDir dir;
    dir.write("common/good.lua", kGood);
    dir.write("common/always_errors.lua", checker("test.always-errors", "error('broken on purpose')"));
    HostSettings settings = registry::test::fastSettings();
    settings.maxFailuresPerRun = 3;
    PluginHost host(settings, [](const std::string&, const std::string&) {});
    host.load(dir.path());
    PluginRun run = host.newRun();
    NoPluginData data;
    PriceSubject price;
    std::vector<std::size_t> failures;
    for (int i = 0; i < 5; ++i) {
        const auto findings = host.runChecks(price.subject, data, "2024-06-01", &run);
        failures.push_back(findingsOf(findings, "test.always-errors").size());
        BOOST_TEST(findingsOf(findings, "test.good").size() == 1u);
        if (i == 2) {
            BOOST_TEST(contains(findingsOf(findings, "test.always-errors").at(0).message,
                                "(failed 3 times in this run: skipped for the rest of it)"));
        }
    }
    const std::vector<std::size_t> expected{1, 1, 1, 0, 0};
    BOOST_TEST(failures == expected, boost::test_tools::per_element());
    BOOST_TEST(run.skipped("test.always-errors"));
    PluginRun next = host.newRun();
    BOOST_TEST(
        findingsOf(host.runChecks(price.subject, data, "2024-06-01", &next), "test.always-errors").size() ==
        1u);
}

BOOST_AUTO_TEST_CASE(reload_keeps_the_last_good_version_when_a_new_one_fails) {
    TempPluginDir dir;
    auto version = [](const std::string& v) {
        return "return { name = 'test.versioned', version = '" + v +
               "', checks = { price = function(p, ctx) ctx.finding{ rule = 'v', severity = 'info', message = "
               "'" +
               v + "' } end } }";
    };
    dir.write("common/versioned.lua", version("1"));
    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    BOOST_TEST(host.load(dir.path()).changed);
    const std::string firstLoadedAt = host.plugins().at(0).loadedAt;
    NoPluginData data;
    PriceSubject price;
    auto runningVersion = [&] {
        const auto findings = host.runChecks(price.subject, data, "2024-06-01");
        return findings.size() == 1 ? findings[0].message : std::string("?");
    };
    BOOST_TEST(runningVersion() == "1");

    BOOST_TEST(!host.reload().changed); // nothing changed on disk

    dir.write("common/versioned.lua",
              "return { name = 'test.versioned', version = '2', checks = { price = 42 } }");
    const LoadReport broken = host.reload();
    BOOST_TEST(broken.changed);
    BOOST_TEST(broken.failed == 1u);
    const PluginStatus status = host.plugins().at(0);
    BOOST_TEST(status.active);
    BOOST_TEST(status.version == "1");
    BOOST_TEST(status.loadedAt == firstLoadedAt);
    BOOST_TEST(contains(status.error, "hook 'checks.price' must be a function"), status.error);
    BOOST_TEST(contains(status.error, "still running version 1"), status.error);
    BOOST_TEST(status.sha256 ==
               sha256Hex("return { name = 'test.versioned', version = '2', checks = { price = 42 } }"));
    BOOST_TEST(runningVersion() == "1");

    dir.write("common/versioned.lua", version("3"));
    host.reload();
    BOOST_TEST(host.plugins().at(0).version == "3");
    BOOST_TEST(host.plugins().at(0).error.empty());
    BOOST_TEST(runningVersion() == "3");

    dir.remove("common/versioned.lua");
    host.reload();
    BOOST_TEST(host.plugins().empty());
    BOOST_TEST(runningVersion() == "?");
}

BOOST_AUTO_TEST_CASE(district_folders_decide_where_plugins_apply) {
    TempPluginDir dir;
    auto reporter = [](const std::string& name, const std::string& districts = "") {
        return "return { name = '" + name + "', version = '1', " + districts +
               " checks = { price = function(p, ctx) ctx.finding{ rule = 'seen', severity = 'info', message "
               "= 'x' } "
               "end } }";
    };
    dir.write("common/citywide.lua", reporter("common.citywide"));
    dir.write("common/chaoyang_only.lua", reporter("common.chaoyang-only", "districts = { '110105' },"));
    dir.write("haidian/implied.lua", reporter("haidian.implied"));
    dir.write("haidian/explicit.lua", reporter("haidian.explicit", "districts = { '110108' },"));
    dir.write("haidian/wrong.lua", reporter("haidian.wrong", "districts = { '110105' },"));
    dir.write("haidian/unknown_code.lua", reporter("haidian.unknown", "districts = { '999999' },"));
    dir.write("haidain/typo.lua", reporter("haidian.typo"));
    dir.write("haidian/implied_test.lua", "return {}");
    dir.write("registry.d.lua", "---@meta");
    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    host.load(dir.path());

    auto statuses = statusByFile(host);
    BOOST_TEST(statuses.size() == 7u); // no test file, nothing from the root
    BOOST_TEST(statuses["haidian/implied.lua"].districts == std::vector<std::string>{"110108"},
               boost::test_tools::per_element());
    BOOST_TEST(statuses["common/citywide.lua"].districts.empty());
    BOOST_TEST(contains(statuses["haidian/wrong.lua"].error, "applies to 110108 (海淀区) only, not 110105"));
    BOOST_TEST(
        contains(statuses["haidian/unknown_code.lua"].error, "'999999' is not a Beijing district code"));
    BOOST_TEST(
        contains(statuses["haidain/typo.lua"].error, "folder 'haidain' is neither common/ nor a district"));

    NoPluginData data;
    auto pluginsFor = [&](const std::string& district) {
        Object::Ptr view = registry::test::samplePriceView();
        std::vector<std::string> names;
        for (const auto& f :
             host.runChecks(Subject{SubjectType::Price, view.get(), district}, data, "2024-06-01"))
            names.push_back(f.plugin);
        return names;
    };
    const std::vector<std::string> haidian{"common.citywide", "haidian.explicit", "haidian.implied"};
    const std::vector<std::string> chaoyang{"common.chaoyang-only", "common.citywide"};
    BOOST_TEST(pluginsFor("110108") == haidian, boost::test_tools::per_element());
    BOOST_TEST(pluginsFor("110105") == chaoyang, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_listing_has_the_api_fields) {
    TempPluginDir dir;
    const std::string code =
        "return { name = 'haidian.water', version = '1.2.0', checks = { burial_site = function() "
        "end }, validate = { burial_site = function() end } }";
    dir.write("haidian/water.lua", code);
    dir.write("common/broken.lua", "return 1");
    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    host.load(dir.path());
    const auto statuses = host.plugins();
    BOOST_REQUIRE_EQUAL(statuses.size(), 2u);
    std::ostringstream active, failed;
    Object::Ptr activeJson = toJson(statuses[1]);
    BOOST_TEST(activeJson->getValue<std::string>("name") == "haidian.water");
    BOOST_TEST(activeJson->getValue<std::string>("status") == "active");
    BOOST_TEST(activeJson->getValue<std::string>("sha256") == sha256Hex(code));
    BOOST_TEST(activeJson->getValue<std::string>("loaded_at").size() == 24u);
    BOOST_TEST(activeJson->isNull("error"));
    BOOST_TEST(activeJson->getArray("hooks")->size() == 2u);
    BOOST_TEST(activeJson->getArray("hooks")->getElement<std::string>(0) == "checks.burial_site");
    BOOST_TEST(activeJson->getArray("districts")->getElement<std::string>(0) == "110108");
    Object::Ptr failedJson = toJson(statuses[0]);
    BOOST_TEST(failedJson->getValue<std::string>("name") == "common/broken.lua");
    BOOST_TEST(failedJson->getValue<std::string>("status") == "failed");
    BOOST_TEST(failedJson->isNull("loaded_at"));
    BOOST_TEST(
        contains(failedJson->getValue<std::string>("error"), "the file must return a table (got number)"));
}

BOOST_AUTO_TEST_CASE(validate_stops_at_the_first_refusal_and_failures_never_refuse) {
    TempPluginDir dir;
    auto validator = [](const std::string& name, const std::string& body) {
        return "return { name = '" + name + "', version = '1', validate = { price = function(p, ctx)\n" +
               body + "\nend } }";
    };
    dir.write("common/a.lua", validator("test.a-broken", "error('validator bug')"));
    dir.write("common/b.lua",
              validator("test.b-refuses", "if p.amount_fen > 70000 then return '金额超过上限' end"));
    dir.write("common/c.lua", validator("test.c-refuses-too", "return 'never asked'"));
    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    host.load(dir.path());
    NoPluginData data;
    PriceSubject price;
    const ValidateResult result = host.runValidate(price.subject, data, "2024-06-01");
    BOOST_REQUIRE(result.refusal.has_value());
    BOOST_TEST(result.refusal->plugin == "test.b-refuses");
    BOOST_TEST(result.refusal->message == "金额超过上限");
    BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
    BOOST_TEST(result.findings[0].rule == "plugin.error");
    BOOST_TEST(contains(result.findings[0].message,
                        "failed in validate.price on price 42: common/a.lua:2: validator bug"),
               result.findings[0].message);

    dir.remove("common/b.lua");
    dir.remove("common/c.lua");
    host.reload();
    BOOST_TEST(!host.runValidate(price.subject, data, "2024-06-01").refusal.has_value());
}

BOOST_AUTO_TEST_CASE(threads_share_the_states_across_a_reload) {
    TempPluginDir dir;
    dir.write("common/good.lua", kGood);
    HostSettings settings = registry::test::fastSettings();
    settings.states = 2;
    PluginHost host(settings, [](const std::string&, const std::string&) {});
    host.load(dir.path());
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            NoPluginData data;
            PriceSubject price;
            for (int i = 0; i < 200; ++i)
                good += static_cast<int>(
                    findingsOf(host.runChecks(price.subject, data, "2024-06-01"), "test.good").size());
        });
    }
    dir.write("common/other.lua", checker("test.other", ""));
    host.reload();
    for (auto& thread : threads)
        thread.join();
    BOOST_TEST(good.load() == 800);
}

BOOST_AUTO_TEST_CASE(a_missing_directory_is_reported_not_thrown) {
    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    const LoadReport report = host.load("/nonexistent/plugins");
    BOOST_TEST(contains(report.error, "plugins directory '/nonexistent/plugins' does not exist"));
    BOOST_TEST(host.plugins().empty());
}

BOOST_AUTO_TEST_SUITE_END()
