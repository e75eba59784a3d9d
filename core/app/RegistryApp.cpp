#include "app/RegistryApp.h"

#include "app/Progress.h"
#include "app/PluginWatcher.h"
#include "audit/AuditService.h"
#include "audit/RecordChecks.h"
#include "audit/Scheduler.h"
#include "auth/Authenticator.h"
#include "http/Api.h"
#include "http/HeadGate.h"
#include "http/RequestHandlerFactory.h"
#include "domain/Dates.h"
#include "plugins/PluginTestRunner.h"
#include "store/Database.h"
#include "store/DemoData.h"
#include "store/Errors.h"
#include "store/Migrations.h"
#include "web/ReportHtml.h"
#include "web/WebUi.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/Util/LoggingConfigurator.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <iostream>

#ifndef REGISTRY_VERSION
#define REGISTRY_VERSION "0.0.0"
#endif

namespace registry::app {

RegistryApp::RegistryApp(CommandLine commandLine) : _commandLine(std::move(commandLine)) {}

RegistryApp::~RegistryApp() = default;

void RegistryApp::initialize(Poco::Util::Application& self) {
    // Settings in layers: the file, then the environment, then --set (each overriding the one before).
    std::string file = _commandLine.configFile.empty() ? "etc/registry.properties" : _commandLine.configFile;
    if (Poco::File(file).exists()) {
        loadConfiguration(file);
    } else if (_commandLine.configExplicit) {
        throw std::runtime_error("settings file " + file + " does not exist");
    }
    if (const char* url = std::getenv("REGISTRY_DB_URL"); url && *url) config().setString("db.url", url);
    if (const char* port = std::getenv("REGISTRY_HTTP_PORT"); port && *port) config().setString("http.port", port);
    for (const auto& [key, value] : _commandLine.overrides) config().setString(key, value);
    if (config().has("logging.loggers.root.channel") || config().has("logging.channels"))
        Poco::Util::LoggingConfigurator().configure(&config());
    ServerApplication::initialize(self);
}

long long RegistryApp::intSetting(const std::string& key, long long fallback, long long min, long long max) {
    const std::string text = config().getString(key, std::to_string(fallback));
    Poco::Int64 value = 0;
    if (!Poco::NumberParser::tryParse64(Poco::trim(text), value) || value < min || value > max)
        throw std::invalid_argument("setting " + key + " must be a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + " (got '" + text + "')");
    return value;
}

bool RegistryApp::boolSetting(const std::string& key, bool fallback) {
    const std::string text = Poco::toLower(Poco::trim(config().getString(key, fallback ? "true" : "false")));
    if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
    if (text == "false" || text == "no" || text == "off" || text == "0") return false;
    throw std::invalid_argument("setting " + key + " must be true or false (got '" + text + "')");
}

std::unique_ptr<store::Database> RegistryApp::openDatabase(bool migrate) {
    store::DatabaseOptions options;
    options.poolSize = static_cast<std::size_t>(intSetting("db.pool_size", 8, 1, 256));
    options.busyTimeoutMs = static_cast<int>(intSetting("db.busy_timeout_ms", 10000, 0, 600000));
    options.leaseTimeoutMs = static_cast<int>(intSetting("db.lease_timeout_ms", 10000, 1, 600000));
    options.connectTimeoutSec = static_cast<int>(intSetting("db.connect_timeout_s", 5, 1, 600));
    options.ioTimeoutSec = static_cast<int>(intSetting("db.io_timeout_s", 120, 1, 86400));
    const std::string url = config().getString("db.url", "sqlite3:data/registry.db");
    auto db = std::make_unique<store::Database>(url, options);
    store::Migrator migrator(*db);
    if (migrate) {
        const auto report = migrator.migrate();
        for (const auto& name : report.applied)
            Poco::Logger::get("registry").information("applied migration %s to %s", name, db->url().redacted());
    } else {
        migrator.requireCurrent();
    }
    return db;
}

int RegistryApp::main(const std::vector<std::string>&) {
    try {
        const std::string& verb = _commandLine.verb;
        if (verb == "serve") return serve();
        if (verb == "migrate") return migrate();
        if (verb == "version") return version();
        if (verb == "user") return user(_commandLine.args);
        if (verb == "demo-data") return demoData(_commandLine.args);
        if (verb == "import") return importVerb(_commandLine.args);
        if (verb == "plugin") return pluginVerb(_commandLine.args);
        if (verb == "export") return exportVerb(_commandLine.args);
        if (verb == "audit") return auditVerb(_commandLine.args);
        std::cerr << "funeral-registry: unknown verb '" << verb << "' (see funeral-registry --help)\n";
        return EXIT_USAGE;
    } catch (const std::invalid_argument& e) {
        std::cerr << "funeral-registry: " << e.what() << "\n";
        return EXIT_USAGE;
    } catch (const Poco::Exception& e) {
        std::cerr << "funeral-registry: " << e.displayText() << "\n";
        return EXIT_SOFTWARE;
    } catch (const std::exception& e) {
        std::cerr << "funeral-registry: " << e.what() << "\n";
        return EXIT_SOFTWARE;
    }
}

int RegistryApp::pluginVerb(const std::vector<std::string>& args) {
    // Plugin authors run these on a laptop: no database, no server, only the settings for the limits.
    const auto settings = plugins::HostSettings::fromConfiguration(config());
    if (!args.empty() && args[0] == "test") {
        std::vector<std::string> paths(args.begin() + 1, args.end());
        if (paths.empty()) paths.push_back(config().getString("plugins.dir", "plugins"));
        return plugins::runPluginTests(paths, std::cout, settings);
    }
    if (!args.empty() && args[0] == "check") {
        if (args.size() != 2) throw std::invalid_argument("plugin check needs one FILE (see plugin --help)");
        return plugins::checkPlugin(args[1], std::cout, settings);
    }
    throw std::invalid_argument("plugin needs 'test [PATH...]' or 'check FILE' (see plugin --help)");
}

int RegistryApp::migrate() {
    store::DatabaseOptions options;
    options.poolSize = 1;
    store::Database db(config().getString("db.url", "sqlite3:data/registry.db"), options);
    const auto report = store::Migrator(db).migrate();
    if (report.applied.empty()) {
        std::cout << "database " << db.url().redacted() << " is up to date (schema version " << report.toVersion
                  << ")\n";
    } else {
        for (const auto& name : report.applied) std::cout << "applied " << name << "\n";
        std::cout << "database " << db.url().redacted() << " migrated from schema version " << report.fromVersion
                  << " to " << report.toVersion << "\n";
    }
    return EXIT_OK;
}

int RegistryApp::version() {
    std::cout << "funeral-registry " << REGISTRY_VERSION << "\n";
    const std::string url = config().getString("db.url", "sqlite3:data/registry.db");
    const auto parsed = store::DatabaseUrl::parse(url);
    // Only looks: a database that does not exist yet is not created by asking for the version.
    if (parsed.backend == store::Backend::Sqlite && !Poco::File(parsed.path).exists()) {
        std::cout << "schema " << store::Migrator::latestVersion(parsed.backend) << " (database " << parsed.redacted()
                  << " does not exist yet: run 'funeral-registry migrate')\n";
        return EXIT_OK;
    }
    try {
        store::DatabaseOptions options;
        options.poolSize = 1;
        store::Database db(url, options);
        store::Migrator migrator(db);
        std::cout << "schema " << migrator.latestVersion() << " (database " << db.url().redacted() << " at "
                  << migrator.currentVersion() << ")\n";
    } catch (const std::exception& e) {
        std::cout << "schema " << store::Migrator::latestVersion(parsed.backend) << " (database not reachable: "
                  << e.what() << ")\n";
    }
    return EXIT_OK;
}

int RegistryApp::demoData(const std::vector<std::string>& args) {
    store::DemoDataOptions options;
    bool ifEmpty = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto needValue = [&](const std::string& name) -> std::string {
            if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
            return args[++i];
        };
        int value = 0;
        if (args[i] == "--scale") {
            const auto text = needValue("--scale");
            if (!Poco::NumberParser::tryParse(text, value) || value < 1 || value > 1000)
                throw std::invalid_argument("--scale must be a whole number from 1 to 1000 (got '" + text + "')");
            options.scale = value;
        } else if (args[i] == "--seed") {
            const auto text = needValue("--seed");
            Poco::UInt64 seed = 0;
            if (!Poco::NumberParser::tryParseUnsigned64(text, seed))
                throw std::invalid_argument("--seed must be a whole number (got '" + text + "')");
            options.seed = seed;
        } else if (args[i] == "--if-empty") {
            ifEmpty = true;
        } else {
            throw std::invalid_argument("demo-data: unknown argument '" + args[i] + "' (see demo-data --help)");
        }
    }
    options.strategy = store::parseBulkStrategy(config().getString("db.bulk_writer", "auto"));
    options.window = planWindow();
    auto db = openDatabase(true);
    if (ifEmpty && !store::registryIsEmpty(*db)) {
        std::cout << "the registry " << db->url().redacted() << " already holds records; demo data not loaded\n";
        return EXIT_OK;
    }
    Progress progress("demo-data");
    options.progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    const auto report = store::loadDemoData(*db, options);
    progress.finish();
    std::cout << "demo data loaded into " << db->url().redacted() << ": " << report.facilities << " facilities, "
              << report.burialSites << " burial sites (" << report.progressEntries << " progress entries), "
              << report.prices << " price records, " << report.referencePrices
              << " reference prices (illustrative, not official caps), " << report.inspections << " inspections\n";
    return EXIT_OK;
}

domain::PlanWindow RegistryApp::planWindow() {
    domain::PlanWindow window;
    window.start = config().getString("plan.window_start", window.start);
    window.end = config().getString("plan.window_end", window.end);
    if (!domain::parseDate(window.start) || !domain::parseDate(window.end) || window.end < window.start)
        throw std::invalid_argument("plan.window_start and plan.window_end must be dates (YYYY-MM-DD), start first");
    return window;
}

audit::AuditServiceSettings RegistryApp::auditServiceSettings(const std::string& instanceId,
                                                              std::function<std::string()> today) {
    audit::AuditServiceSettings settings;
    const auto cores = static_cast<long long>(std::max(1u, std::thread::hardware_concurrency()));
    settings.runner.workers = static_cast<int>(intSetting("audit.workers", cores, 1, 64));
    settings.runner.instanceId = instanceId;
    settings.runner.bulkStrategy = store::parseBulkStrategy(config().getString("db.bulk_writer", "auto"));
    settings.staleAfterSeconds = static_cast<int>(intSetting("audit.stale_after_s", 300, 10, 86400));
    settings.today = std::move(today);
    return settings;
}

int RegistryApp::serve() {
    auto db = openDatabase(boolSetting("db.auto_migrate", true));
    const std::string host = config().getString("http.host", "127.0.0.1");
    const int port = static_cast<int>(intSetting("http.port", 8080, 1, 65535));

    // Held by a Ptr from the start: a throw before the server takes it (a taken port) must not leak it.
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(intSetting("http.threads", 16, 2, 1024)));
    params->setMaxQueued(static_cast<int>(intSetting("http.queue", 64, 1, 100000)));
    params->setTimeout(Poco::Timespan(intSetting("http.timeout_s", 30, 1, 3600), 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(intSetting("http.keepalive_timeout_s", 10, 1, 3600), 0));
    params->setMaxKeepAliveRequests(static_cast<int>(intSetting("http.keepalive_max_requests", 1000, 1, 1000000)));
    params->setServerName("funeral-registry");

    auth::AuthSettings authSettings;
    authSettings.pbkdf2Iterations = static_cast<int>(intSetting("auth.pbkdf2_iterations", authSettings.pbkdf2Iterations, 1, 10000000));
    authSettings.tokenTtlHours = static_cast<int>(intSetting("auth.token_ttl_hours", authSettings.tokenTtlHours, 1, 8784));
    authSettings.maxFailedLogins = static_cast<int>(intSetting("auth.max_failed_logins", authSettings.maxFailedLogins, 1, 1000));
    authSettings.lockoutMinutes = static_cast<int>(intSetting("auth.lockout_minutes", authSettings.lockoutMinutes, 1, 100000));
    auth::Authenticator authenticator(*db, authSettings);
    // District rules: loaded now, reloaded when a file in plugins.dir changes (a failed reload keeps the
    // last good version running).
    plugins::PluginHost pluginHost(plugins::HostSettings::fromConfiguration(config()));
    const std::string pluginsDir = config().getString("plugins.dir", "plugins");
    const auto loaded = pluginHost.load(pluginsDir);
    Poco::Logger::get("registry").information("plugins from %s: %z active, %z failed%s", pluginsDir, loaded.active,
                                              loaded.failed, loaded.error.empty() ? std::string() : ": " + loaded.error);
    // Audits: this instance's audit thread, and the schedule, shared with every instance on the database.
    auto schedule = audit::Scheduler::Settings::fromConfiguration(config());
    const std::string zone = schedule.timeZone;
    auto today = [zone] { return audit::localDate(zone); };
    audit::RecordChecks recordChecks(*db, pluginHost, today);
    // Runs are marked with this instance's name, stable across restarts (hostname:port unless
    // audit.instance_id names it), so that a restarted instance knows the runs it left unfinished.
    std::string runner = config().getString("audit.instance_id", "");
    if (runner.empty()) runner = Poco::Environment::nodeName() + ":" + std::to_string(port);
    schedule.instanceId = runner; // the same name in the lease
    audit::AuditService audits(*db, pluginHost, auditServiceSettings(runner, today));
    audits.start();
    std::unique_ptr<audit::Scheduler> scheduler;
    scheduler = std::make_unique<audit::Scheduler>(*db, schedule, [&audits, &scheduler](const std::string& slot) {
        audits.runSlot(slot, scheduler->slotDate(slot));
    });
    scheduler->start();
    PluginWatcher watcher(pluginHost, pluginsDir,
                          static_cast<long>(intSetting("plugins.watch_interval_ms", 2000, 0, 3600000)));

    http::ApiContext api{*db, authenticator, planWindow(),
                         store::parseBulkStrategy(config().getString("db.bulk_writer", "auto"))};
    api.plugins = &pluginHost;
    api.checks = &recordChecks;
    api.audits = &audits;
    api.reportHtml = web::reportHtml;
    http::HttpLimits& limits = api.limits;
    limits.maxBodyBytes = static_cast<std::size_t>(intSetting("http.max_body_bytes", 1 << 20, 1024, 1LL << 30));
    limits.maxUploadBytes = static_cast<std::size_t>(intSetting("http.max_upload_bytes", 32 << 20, 1024, 1LL << 34));
    std::shared_ptr<const http::Router> router = http::buildRouter(api);

    Poco::ThreadPool threads("http", 2, static_cast<int>(intSetting("http.threads", 16, 2, 1024)));
    Poco::Net::ServerSocket socket;
    try {
        // Reuse the address (quick restarts) but not the port: a second server on a taken port must fail.
        socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true, false);
        socket.listen(static_cast<int>(intSetting("http.backlog", 128, 1, 65535)));
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + e.displayText());
    }
    // The web UI answers every path but the API's and the probes, in the same server.
    web::WebSettings webSettings;
    webSettings.idleMinutes = static_cast<int>(intSetting("web.session_idle_minutes", webSettings.idleMinutes, 1, 1440));
    webSettings.secureCookies = config().getString("web.secure_cookies", webSettings.secureCookies);
    webSettings.dashboardCacheSeconds =
        static_cast<int>(intSetting("web.dashboard_cache_seconds", webSettings.dashboardCacheSeconds, 0, 3600));
    if (webSettings.secureCookies != "auto" && webSettings.secureCookies != "always" && webSettings.secureCookies != "never")
        throw std::invalid_argument("setting web.secure_cookies must be auto, always or never (got '" +
                                    webSettings.secureCookies + "')");
    auto webUi = std::make_shared<web::WebUi>(api, webSettings);
    // Connections wait at the gate (not on a worker thread) until their request head is in: slow or idle
    // clients cannot take every worker (core/http/HeadGate.h).
    http::HeadGateSettings gate;
    gate.headTimeoutMs = static_cast<int>(intSetting("http.head_timeout_ms", gate.headTimeoutMs, 100, 600000));
    gate.maxHeadBytes = static_cast<std::size_t>(intSetting("http.max_head_bytes", 65536, 1024, 1 << 24));
    gate.maxPending = static_cast<std::size_t>(intSetting("http.max_pending_connections", 1024, 1, 1000000));
    http::HeadGate server(
        new web::SiteHandlerFactory(std::make_unique<http::RequestHandlerFactory>(router, authenticator, limits), webUi),
        threads, socket, params, gate);
    server.start();
    Poco::Logger::get("registry").information("serving at http://%s:%d (database %s)", host, port, db->url().redacted());
    waitForTerminationRequest();
    Poco::Logger::get("registry").information("stopping");
    server.stopAll(false);
    threads.joinAll();
    audits.stop(); // cancels an audit in progress, scheduled or not
    scheduler->stop();
    return EXIT_OK;
}

} // namespace registry::app
