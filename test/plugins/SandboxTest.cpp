// The sandbox: what a plugin's environment holds and what it cannot reach or change.

#include "PluginTestSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::plugins;
using registry::test::OnePlugin;

namespace {

/// A plugin whose price check runs `body` and reports its result as the message of one finding.
std::string probe(const std::string& body) {
    return "return { name = 'test.probe', version = '1', checks = { price = function(p, ctx)\n" + body +
           "\nend } }";
}

std::string reportOf(const std::string& expression) {
    OnePlugin plugin(
        probe("ctx.finding{ rule = 'probe', severity = 'info', message = tostring(" + expression + ") }"));
    HookResult result = plugin.call();
    BOOST_REQUIRE_MESSAGE(result.call.ok(), result.call.message);
    BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
    return result.findings[0].message;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sandbox)

BOOST_AUTO_TEST_CASE(allowed_globals_are_there) {
    BOOST_TEST(reportOf("type(string.format)") == "function");
    BOOST_TEST(reportOf("type(table.concat)") == "function");
    BOOST_TEST(reportOf("type(math.floor)") == "function");
    BOOST_TEST(reportOf("type(utf8.len)") == "function");
    BOOST_TEST(reportOf("type(os.time) .. type(os.date) .. type(os.clock)") == "functionfunctionfunction");
    BOOST_TEST(reportOf("type(pairs) .. type(ipairs) .. type(pcall) .. type(setmetatable)") ==
               "functionfunctionfunctionfunction");
    BOOST_TEST(reportOf("('abc'):upper()") == "ABC");
    BOOST_TEST(reportOf("_G == _ENV") == "true");
}

BOOST_AUTO_TEST_CASE(dangerous_globals_are_absent) {
    for (const char* name :
         {"load",      "loadstring", "dofile",    "loadfile",   "require",      "collectgarbage", "io",
          "debug",     "package",    "coroutine", "warn",       "string.dump",  "os.execute",     "os.exit",
          "os.getenv", "os.remove",  "os.rename", "os.tmpname", "os.setlocale", "('').dump"}) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST(reportOf(std::string("type(") + name + ")") == "nil");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// The outcome message of a price check running `body`; the call must fail.
std::string failureOf(const std::string& body) {
    OnePlugin plugin(probe(body));
    HookResult result = plugin.call();
    BOOST_TEST(toString(result.call.outcome) == "error");
    return result.call.message;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sandbox_writes)

BOOST_AUTO_TEST_CASE(ctx_is_read_only) {
    BOOST_TEST(contains(failureOf("ctx.finding = nil"),
                        "attempt to modify read-only table 'ctx' (field 'finding')"));
    BOOST_TEST(contains(failureOf("ctx.extra = 1"), "read-only table 'ctx'"));
    BOOST_TEST(contains(failureOf("ctx.config.threshold = 1"), "read-only table 'ctx.config'"));
    BOOST_TEST(contains(failureOf("rawset(ctx, 'finding', print)"), "rawset on a read-only host table"));
    BOOST_TEST(contains(failureOf("setmetatable(ctx, nil)"), "cannot change a protected metatable"));
    BOOST_TEST(reportOf("getmetatable(ctx)") == "read-only");
}

BOOST_AUTO_TEST_CASE(record_views_are_read_only) {
    const std::string message = failureOf("p.amount_fen = 0");
    BOOST_TEST(contains(message,
                        "common/test.lua:2: attempt to modify read-only table 'price' (field 'amount_fen')"),
               message);
    BOOST_TEST(contains(failureOf("p.attributes.area_m2 = 1"), "read-only table 'price'"));
    BOOST_TEST(contains(failureOf("table.insert(p, 1)"), "read-only table 'price'"));
    BOOST_TEST(contains(failureOf("rawset(p, 'amount_fen', 0)"), "rawset on a read-only host table"));
    // Reading works as for any table.
    BOOST_TEST(reportOf("p.amount_fen") == "80000");
    BOOST_TEST(reportOf("p.facility_kind .. ' ' .. p.item_category .. ' ' .. p.item_regime") ==
               "funeral_home basic government_set");
    BOOST_TEST(reportOf("(function() local n = 0 for k, v in pairs(p) do n = n + 1 end return n end)()") ==
               "19");
    BOOST_TEST(reportOf("p.effective_to") == "nil");
}

BOOST_AUTO_TEST_CASE(pairs_never_hands_out_the_real_table) {
    // The second value pairs returns is the proxy itself, so writing through it is refused too.
    BOOST_TEST(contains(failureOf("local f, t = pairs(p)\nt.amount_fen = 1"), "read-only table 'price'"));
}

BOOST_AUTO_TEST_CASE(shared_libraries_and_the_string_metatable_are_read_only) {
    BOOST_TEST(contains(failureOf("string.upper = nil"), "read-only table 'string'"));
    BOOST_TEST(contains(failureOf("math.pi = 3"), "read-only table 'math'"));
    BOOST_TEST(contains(failureOf("table.concat = nil"), "read-only table 'table'"));
    BOOST_TEST(contains(failureOf("os.time = nil"), "read-only table 'os'"));
    BOOST_TEST(reportOf("getmetatable('')") == "read-only");
    BOOST_TEST(contains(failureOf("getmetatable('').__index = {}"), "attempt to index"));
    BOOST_TEST(contains(failureOf("setmetatable('', {})"), "bad argument #1 to 'setmetatable'"));
    BOOST_TEST(reportOf("('x').dump") == "nil");
}

BOOST_AUTO_TEST_CASE(finalizers_are_refused) {
    // A __gc could run when the collector runs, outside any plugin call and its limits.
    BOOST_TEST(contains(failureOf("setmetatable({}, { __gc = function() while true do end end })"),
                        "__gc metamethods are not available to plugins"));
}

BOOST_AUTO_TEST_CASE(plugins_do_not_see_each_others_globals) {
    registry::test::CapturedLog log;
    PluginState state(registry::test::fastSettings(), log.sink());
    const std::string victim =
        "secret = 'mine'\n"
        "return { name = 'test.victim', version = '1', checks = { price = function(p, ctx)\n"
        "ctx.finding{ rule = 'secret', severity = 'info', message = tostring(secret) } end } }";
    const std::string attacker =
        "secret = 'stolen'\n_G.secret = 'stolen'\nrawset(_G, 'secret', 'stolen')\n"
        "return { name = 'test.attacker', version = '1', checks = { price = function(p, ctx)\n"
        "for k, v in pairs(_G) do if type(v) == 'table' and rawget(v, 'secret') then\n"
        "rawset(v, 'secret', 'stolen') end end\n"
        "secret = 'stolen' end } }";
    const LoadResult a = state.load(victim, "common/victim.lua", Poco::JSON::Object());
    const LoadResult b = state.load(attacker, "common/attacker.lua", Poco::JSON::Object());
    BOOST_REQUIRE(a.ok());
    BOOST_REQUIRE(b.ok());
    auto victimSource = registry::test::sourceOf("common/victim.lua", victim, a.manifest);
    auto attackerSource = registry::test::sourceOf("common/attacker.lua", attacker, b.manifest);
    registry::plugins::NoPluginData none;
    CallEnvironment environment{&none, "2024-06-01", "110108", "2024-06-01"};
    auto view = registry::test::samplePriceView();
    BOOST_TEST(
        state
            .call(*attackerSource, HookKind::Checks, registry::domain::SubjectType::Price, *view, environment)
            .call.ok());
    const HookResult result =
        state.call(*victimSource, HookKind::Checks, registry::domain::SubjectType::Price, *view, environment);
    BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
    BOOST_TEST(result.findings[0].message == "mine");
}

BOOST_AUTO_TEST_CASE(binary_chunks_are_refused) {
    registry::test::CapturedLog log;
    PluginState state(registry::test::fastSettings(), log.sink());
    const std::string binary("\x1bLuaT\x00\x19\x93\r\n\x1a\n\x04\x08\x08", 15);
    const LoadResult loaded = state.load(binary, "common/binary.lua", Poco::JSON::Object());
    BOOST_TEST(toString(loaded.call.outcome) == "error");
    BOOST_TEST(contains(loaded.call.message, "common/binary.lua: attempt to load a binary chunk"),
               loaded.call.message);
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_file_and_line) {
    registry::test::CapturedLog log;
    PluginState state(registry::test::fastSettings(), log.sink());
    const LoadResult loaded = state.load("return {\nname = 'x.y',\nversion = '1' checks = {} }",
                                         "haidian/broken.lua", Poco::JSON::Object());
    BOOST_TEST(toString(loaded.call.outcome) == "error");
    BOOST_TEST(contains(loaded.call.message, "haidian/broken.lua:3:"), loaded.call.message);
}

BOOST_AUTO_TEST_CASE(print_goes_to_the_plugin_log) {
    OnePlugin plugin("print('loading', 1)\n" + probe("print('checking', p.id)"));
    BOOST_TEST(plugin.call().call.ok());
    BOOST_REQUIRE_EQUAL(plugin.log.lines.size(), 2u);
    BOOST_TEST(plugin.log.lines[0] == "common/test.lua: loading\t1");
    BOOST_TEST(plugin.log.lines[1] == "test.probe: checking\t42");
}

BOOST_AUTO_TEST_SUITE_END()
