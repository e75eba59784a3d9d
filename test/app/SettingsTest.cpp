// app::Settings: the one reader of every setting. Its defaults, values from a settings file, the errors for
// bad values, and etc/registry.properties documenting exactly the settings the program reads.

#include "app/Settings.h"

#include <Poco/AutoPtr.h>
#include <Poco/String.h>
#include <Poco/Util/MapConfiguration.h>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <set>

using namespace registry;
using app::Settings;

namespace {

Poco::AutoPtr<Poco::Util::MapConfiguration> configuration(const std::map<std::string, std::string>& values = {}) {
    Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
    for (const auto& [key, value] : values) config->setString(key, value);
    return config;
}

/// The message Settings::load gives for `key = value`, which must be refused.
std::string settingError(const std::string& key, const std::string& value) {
    try {
        Settings::load(*configuration({{key, value}}));
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    BOOST_ERROR("expected " << key << " = " << value << " to be refused");
    return {};
}

bool underPrefix(const std::string& key) {
    for (const auto& prefix : Settings::prefixes())
        if (key.rfind(prefix, 0) == 0) return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(defaults) {
    const auto s = Settings::load(*configuration());
    BOOST_TEST(s.httpHost == "127.0.0.1");
    BOOST_TEST(s.httpPort == 8080);
    BOOST_TEST(s.httpThreads == 16);
    BOOST_TEST(s.httpLimits.maxBodyBytes == 1u << 20);
    BOOST_TEST(s.headGate.maxHeadBytes == 65536u);
    BOOST_TEST(s.dbUrl == "sqlite3:data/registry.db");
    BOOST_TEST(s.database.poolSize == 8u);
    BOOST_TEST(s.autoMigrate);
    BOOST_TEST((s.bulkWriter == store::BulkStrategy::Auto));
    BOOST_TEST(s.planWindow.start == "2022-01-01");
    BOOST_TEST(s.planWindow.end == "2024-12-31");
    BOOST_TEST(s.auth.tokenTtlHours == 12);
    BOOST_TEST(s.auth.pbkdf2Iterations == 600000);
    BOOST_TEST(s.web.secureCookies == "auto");
    BOOST_TEST(s.web.dashboardCacheSeconds == 10);
    BOOST_TEST(s.pluginsDir == "plugins");
    BOOST_TEST(s.pluginsWatchIntervalMs == 2000);
    BOOST_TEST(s.plugins.limits.memoryBytes == 64u << 20);
    BOOST_TEST(s.plugins.maxFailuresPerRun == 5);
    BOOST_TEST(s.schedule.schedule == "0 2 * * *");
    BOOST_TEST(s.schedule.timeZone == "Asia/Shanghai");
    BOOST_TEST(s.schedule.runMissedOnStart);
    BOOST_TEST(s.schedule.leaseTtl.count() == 60000);
    BOOST_TEST(s.schedule.enabled());
    BOOST_TEST(s.auditInstanceId.empty()); // serve names the instance hostname:port
    BOOST_TEST(s.auditWorkers >= 1);
    BOOST_TEST(s.auditStaleAfterSeconds == 300);
}

BOOST_AUTO_TEST_CASE(values_from_the_file) {
    const auto s = Settings::load(*configuration({
        {"http.port", " 9090 "},
        {"db.url", "mysql://u:p@db:3306/registry"},
        {"db.auto_migrate", "no"},
        {"db.bulk_writer", "soci"},
        {"auth.token_ttl_hours", "24"},
        {"web.secure_cookies", "always"},
        {"audit.schedule", " 30 3 * * MON-FRI "},
        {"audit.timezone", "Europe/Berlin"},
        {"audit.run_missed_on_start", "no"},
        {"audit.lease_seconds", "15"},
        {"audit.instance_id", "registry-2"},
        {"audit.workers", "3"},
        {"plugins.memory_limit_mb", "32"},
        {"plugins.instruction_limit", "5000000"},
        {"plugins.time_limit_ms", "250"},
        {"plugins.max_failures_per_run", "7"},
        {"plugins.states", "3"},
        {"plugins.isolation", "thread"},
        {"plugins.queue_timeout_ms", "1500"},
        {"plugin.haidian.water-source.max_distance_m", "500"},
        {"plugin.common.price-increase.max_percent", "12.5"},
    }));
    BOOST_TEST(s.httpPort == 9090);
    BOOST_TEST(s.dbUrl == "mysql://u:p@db:3306/registry");
    BOOST_TEST(!s.autoMigrate);
    BOOST_TEST((s.bulkWriter == store::BulkStrategy::Soci));
    BOOST_TEST(s.auth.tokenTtlHours == 24);
    BOOST_TEST(s.web.secureCookies == "always");
    BOOST_TEST(s.schedule.schedule == "30 3 * * MON-FRI");
    BOOST_TEST(s.schedule.timeZone == "Europe/Berlin");
    BOOST_TEST(!s.schedule.runMissedOnStart);
    BOOST_TEST(s.schedule.leaseTtl.count() == 15000);
    BOOST_TEST(s.auditInstanceId == "registry-2");
    BOOST_TEST(s.auditWorkers == 3);
    BOOST_TEST(s.plugins.limits.memoryBytes == 32u << 20);
    BOOST_TEST(s.plugins.limits.instructionsPerCall == 5'000'000u);
    BOOST_TEST(s.plugins.limits.wallTimePerCall.count() == 250);
    BOOST_TEST(s.plugins.maxFailuresPerRun == 7);
    BOOST_TEST(s.plugins.states == 3u);
    BOOST_TEST((s.plugins.isolation == plugins::Isolation::Thread));
    BOOST_TEST(s.plugins.queueTimeout.count() == 1500);
    BOOST_TEST(s.plugins.pluginSettings.at("plugin.haidian.water-source.max_distance_m") == "500");
    BOOST_TEST(s.plugins.pluginSettings.at("plugin.common.price-increase.max_percent") == "12.5");
}

BOOST_AUTO_TEST_CASE(schedule_off_does_not_look_at_the_time_zone) {
    for (const std::string off : {"off", "OFF", "", "  "}) {
        const auto s = Settings::load(*configuration({{"audit.schedule", off}, {"audit.timezone", "Not/AZone"}}));
        BOOST_TEST(!s.schedule.enabled(), off);
    }
}

BOOST_AUTO_TEST_CASE(bad_values_are_clear_errors) {
    BOOST_TEST(settingError("audit.schedule", "61 2 * * *") ==
               "setting audit.schedule: minute field \"61\": value 61 out of range 0-59 (write a 5-field cron "
               "expression such as '0 2 * * *', or off)");
    BOOST_TEST(settingError("audit.schedule", "0 2 * *")
                   .find("setting audit.schedule: cron expression \"0 2 * *\" needs 5 fields") == 0u);
    BOOST_TEST(settingError("audit.schedule", "0 0 30 2 *").find("never fires") != std::string::npos);
    BOOST_TEST(settingError("audit.timezone", "Mars/Olympus")
                   .find("setting audit.timezone: unknown time zone \"Mars/Olympus\"") == 0u);
    BOOST_TEST(settingError("audit.run_missed_on_start", "maybe") ==
               "setting audit.run_missed_on_start: must be true or false (got 'maybe')");
    for (const std::string bad : {"0", "-5", "abc", "86401", "1.5"})
        BOOST_TEST(settingError("audit.lease_seconds", bad) ==
                       "setting audit.lease_seconds: must be a whole number from 1 to 86400 (got '" + bad + "')",
                   bad);
    BOOST_TEST(settingError("audit.instance_id", std::string(201, 'x')) ==
               "setting audit.instance_id: must have at most 200 characters (got 201)");
    // The tile URL reaches pages and the Content-Security-Policy: nothing that could break out of either.
    for (const std::string bad : {"ftp://tiles.example/{z}/{x}/{y}.png", "https://a b/{z}.png",
                                  "https://tiles.example;script-src */{z}.png", "https://x\"/{z}.png",
                                  "javascript:alert(1)", "https://{z}.evil/{x}.png"})
        BOOST_TEST(settingError("public.map_tiles_url", bad).find("setting public.map_tiles_url: must be a tile URL") == 0u,
                   bad);
    for (const std::string good : {"", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                   "https://{s}.tile.example:8443/{z}/{x}/{y}.png?key=abc", "data:image/png;base64,AAAA"})
        BOOST_TEST(Settings::load(*configuration({{"public.map_tiles_url", good}})).web.mapTilesUrl == good);
    BOOST_TEST(settingError("http.trusted_proxies", "127.0.0.1, proxy.local") ==
               "setting http.trusted_proxies: 'proxy.local' is not an IP address (write the proxies' addresses, "
               "comma-separated)");
    BOOST_TEST(Settings::load(*configuration({{"http.trusted_proxies", " 127.0.0.1 ,::1"}})).httpLimits.trustedProxies ==
               (std::vector<std::string>{"127.0.0.1", "::1"}));
    BOOST_TEST(settingError("http.port", "70000") ==
               "setting http.port: must be a whole number from 1 to 65535 (got '70000')");
    BOOST_TEST(settingError("db.bulk_writer", "fast") ==
               "setting db.bulk_writer: must be auto, soci or connector (got 'fast')");
    BOOST_TEST(settingError("web.secure_cookies", "sometimes").find("setting web.secure_cookies: must be one of") ==
               0u);
    BOOST_TEST(settingError("plugins.time_limit_ms", "0").find("setting plugins.time_limit_ms: ") == 0u);
    BOOST_TEST(settingError("plugins.memory_limit_mb", "lots").find("setting plugins.memory_limit_mb: ") == 0u);
    BOOST_TEST(settingError("plan.window_end", "2021-12-31").find("plan.window_start and plan.window_end") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(settings_file_documents_every_setting_and_nothing_else) {
    std::ifstream in(std::string(REGISTRY_SOURCE_DIR) + "/etc/registry.properties");
    BOOST_TEST_REQUIRE(in.good());
    // `key = value` lines, and commented-out ones (`# key = value`: documented, default left to the code).
    const std::regex setting(R"(^(#\s*)?([a-z][a-z0-9_]*(\.[a-z0-9_.-]+)+)\s*=.*$)");
    std::set<std::string> active, commented;
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
        if (std::regex_match(line, m, setting)) (m[1].matched ? commented : active).insert(m[2]);

    const auto keys = Settings::keys();
    const std::set<std::string> known(keys.begin(), keys.end());
    BOOST_TEST(known.size() == keys.size(), "a key is read twice");
    for (const auto& key : known)
        BOOST_TEST((active.count(key) || commented.count(key)), key << " is read but not in etc/registry.properties");
    for (const auto& key : active)
        BOOST_TEST((known.count(key) || underPrefix(key)), key << " is in etc/registry.properties but never read");
    for (const auto& key : commented)
        BOOST_TEST((known.count(key) || underPrefix(key)), key << " is in etc/registry.properties but never read");
    for (const auto& prefix : Settings::prefixes()) {
        bool documented = false;
        for (const auto& key : commented) documented = documented || key.rfind(prefix, 0) == 0;
        BOOST_TEST(documented, prefix << "* has no example in etc/registry.properties");
    }
}

BOOST_AUTO_TEST_SUITE_END()
