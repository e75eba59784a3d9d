// The plugins shipped in plugins/: every one loads in the sandbox and passes its own tests, as
// `funeral-registry plugin test` runs them.

#include "PluginTestSupport.h"

#include "plugins/PluginHost.h"
#include "plugins/PluginTestRunner.h"

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace registry::plugins;

BOOST_AUTO_TEST_SUITE(bundled_plugins)

BOOST_AUTO_TEST_CASE(every_bundled_plugin_passes_its_tests) {
    std::ostringstream out;
    const int status = runPluginTests({std::string(REGISTRY_SOURCE_DIR) + "/plugins"}, out,
                                      registry::test::defaultSettings());
    BOOST_TEST(status == 0, out.str());
    BOOST_TEST(out.str().find(" 0 failed\n") != std::string::npos, out.str());
    BOOST_TEST(out.str().find("NOTE") == std::string::npos, "every bundled plugin has tests:\n" + out.str());
}

BOOST_AUTO_TEST_CASE(every_bundled_plugin_loads_in_the_server) {
    PluginHost host(registry::test::defaultSettings(), [](const std::string&, const std::string&) {});
    const LoadReport report = host.load(std::string(REGISTRY_SOURCE_DIR) + "/plugins");
    BOOST_TEST(report.error.empty());
    BOOST_TEST(report.failed == 0u);
    BOOST_TEST(report.active >= 16u);
    std::set<std::string> districts;
    for (const auto& status : host.plugins()) {
        BOOST_TEST_CONTEXT(status.file) {
            BOOST_TEST(status.active);
            BOOST_TEST(status.error.empty());
        }
        for (const auto& d : status.districts)
            districts.insert(d);
    }
    BOOST_TEST(districts.size() >= 4u); // rules of at least four districts of their own
}

BOOST_AUTO_TEST_SUITE_END()
