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
