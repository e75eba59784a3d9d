#include "app/RegistryApp.h"

#include "app/Progress.h"
#include "app/PluginWatcher.h"
#include "service/PluginVersions.h"
#include "service/Alerts.h"
#include "service/AuditService.h"
#include "service/MailSender.h"
#include "service/RecordChecks.h"
#include "service/Scheduler.h"
#include "service/Authenticator.h"
#include "http/Api.h"
#include "http/HeadGate.h"
#include "http/RequestHandlerFactory.h"
#include "metrics/Metrics.h"

#include <Poco/Timestamp.h>
#include "domain/Dates.h"
#include "domain/LogText.h"
#include "plugins/PluginTestRunner.h"
#include "store/BackupManifest.h"
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

const Settings& RegistryApp::settings() {
    if (!_settings) _settings = Settings::load(config());
    return *_settings;
}

std::unique_ptr<store::Database> RegistryApp::openDatabase(bool migrate) {
    auto db = std::make_unique<store::Database>(settings().dbUrl, settings().database);
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
        if (verb == "backup") return backupVerb(_commandLine.args);
        if (verb == "restore") return restoreVerb(_commandLine.args);
        std::cerr << "funeral-registry: unknown verb '" << verb << "' (see funeral-registry --help)\n";
        return EXIT_USAGE;
    } catch (const std::invalid_argument& e) {
        std::cerr << "funeral-registry: " << e.what() << "\n";
        return EXIT_USAGE;
    } catch (const store::BackupRefused& e) {
        std::cerr << "funeral-registry: " << e.what() << "\n";
        return EXIT_DATAERR;
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
    const auto& host = settings().plugins;
    if (!args.empty() && args[0] == "test") {
        std::vector<std::string> paths;
        auto testing = host;
        for (auto it = args.begin() + 1; it != args.end(); ++it) {
            if (*it == "--coverage")
                testing.coverage = true;
            else if (it->rfind("--", 0) == 0)
                throw std::invalid_argument("plugin test: unknown option '" + *it + "' (see plugin --help)");
            else
                paths.push_back(*it);
        }
        if (paths.empty()) paths.push_back(settings().pluginsDir);
        return plugins::runPluginTests(paths, std::cout, testing);
    }
    if (!args.empty() && args[0] == "check") {
        if (args.size() != 2) throw std::invalid_argument("plugin check needs one FILE (see plugin --help)");
        return plugins::checkPlugin(args[1], std::cout, host);
    }
    throw std::invalid_argument("plugin needs 'test [PATH...]' or 'check FILE' (see plugin --help)");
}

int RegistryApp::migrate() {
    store::DatabaseOptions options;
    options.poolSize = 1;
    store::Database db(settings().dbUrl, options);
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
    const std::string& url = settings().dbUrl;
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
    options.strategy = settings().bulkWriter;
    options.window = settings().planWindow;
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

service::AuditServiceSettings RegistryApp::auditServiceSettings(const std::string& instanceId,
                                                              std::function<std::string()> today,
                                                              const service::Alerts* alerts) {
    service::AuditServiceSettings settings;
    settings.runner.workers = this->settings().auditWorkers;
    settings.runner.instanceId = instanceId;
    settings.runner.bulkStrategy = this->settings().bulkWriter;
    settings.runner.alerts = alerts;
    settings.staleAfterSeconds = this->settings().auditStaleAfterSeconds;
    settings.today = std::move(today);
    return settings;
}

int RegistryApp::serve() {
    const Settings& s = settings();
    auto db = openDatabase(s.autoMigrate);
    const std::string& host = s.httpHost;
    const int port = s.httpPort;

    // Held by a Ptr from the start: a throw before the server takes it (a taken port) must not leak it.
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(s.httpThreads);
    params->setMaxQueued(s.httpQueue);
    params->setTimeout(Poco::Timespan(s.httpTimeoutSeconds, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(s.httpKeepAliveSeconds, 0));
    params->setMaxKeepAliveRequests(s.httpKeepAliveMaxRequests);
    params->setServerName("funeral-registry");

    service::Authenticator authenticator(*db, s.auth);
    // District rules: loaded now, reloaded when a file in plugins.dir changes (a failed reload keeps the
    // last good version running).
    plugins::PluginHost pluginHost(s.plugins);
    const std::string& pluginsDir = s.pluginsDir;
    const auto loaded = pluginHost.load(pluginsDir);
    Poco::Logger::get("registry").information("plugins from %s: %z active, %z failed%s", pluginsDir, loaded.active,
                                              loaded.failed, loaded.error.empty() ? std::string() : ": " + domain::logSafe(loaded.error));
    if (const auto sandbox = pluginHost.sandbox(); sandbox.isolation == plugins::Isolation::Thread)
        Poco::Logger::get("registry").warning("plugins run in the server's own threads (plugins.isolation = thread)");
    else if (sandbox.started && sandbox.seccomp)
        Poco::Logger::get("registry").information(
            "plugins run in sandbox processes: seccomp filter on, address space limit %s",
            sandbox.addressSpaceBytes > 0 ? std::to_string(sandbox.addressSpaceBytes >> 20) + " MiB"
                                          : std::string("none (sanitizer build)"));
    // Audits: this instance's audit thread, and the schedule, shared with every instance on the database.
    auto schedule = s.schedule;
    const std::string zone = schedule.timeZone;
    // clock.today fixes the date (tests of deadlines, training); otherwise the real date in audit.timezone.
    auto today = [zone, fixed = s.clockToday] { return fixed.empty() ? service::localDate(zone) : fixed; };
    if (!s.clockToday.empty())
        Poco::Logger::get("registry").warning("clock.today is set: this server takes %s as today", s.clockToday);
    service::RecordChecks recordChecks(*db, pluginHost, today);
    // Runs are marked with this instance's name, stable across restarts (hostname:port unless
    // audit.instance_id names it), so that a restarted instance knows the runs it left unfinished.
    std::string runner = s.auditInstanceId;
    if (runner.empty()) runner = Poco::Environment::nodeName() + ":" + std::to_string(port);
    schedule.instanceId = runner; // the same name in the lease
    // Mail alerts (mail.smtp_url): requests and audits record them in the outbox, the sender's thread
    // sends them and looks for notices gone overdue. Without the setting, neither exists.
    std::unique_ptr<service::MailSender> mailSender;
    service::Alerts alerts([&mailSender] {
        if (mailSender) mailSender->wake();
    });
    const service::Alerts* mailAlerts = s.mail.enabled() ? &alerts : nullptr;
    if (mailAlerts) mailSender = std::make_unique<service::MailSender>(*db, s.mail, alerts, today);
    service::AuditService audits(*db, pluginHost, auditServiceSettings(runner, today, mailAlerts));
    audits.start();
    std::unique_ptr<service::Scheduler> scheduler;
    scheduler = std::make_unique<service::Scheduler>(*db, schedule, [&audits, &scheduler](const std::string& slot) {
        audits.runSlot(slot, scheduler->slotDate(slot));
    });
    scheduler->start();
    PluginWatcher watcher(pluginHost, pluginsDir, s.pluginsWatchIntervalMs);
    // The managed versions (plugin_versions), loaded now and whenever any instance activates one.
    service::PluginSync pluginSync(*db, pluginHost, s.pluginsSyncSeconds * 1000L);

    http::ApiContext api{*db, authenticator, s.planWindow, s.bulkWriter, s.httpLimits};
    api.plugins = &pluginHost;
    api.checks = &recordChecks;
    api.audits = &audits;
    api.alerts = mailAlerts;
    api.reportHtml = web::reportHtml;
    api.today = today;
    api.attachments = s.attachments;
    const http::HttpLimits& limits = api.limits;
    std::shared_ptr<const http::Router> router = http::buildRouter(api);

    Poco::ThreadPool threads("http", 2, s.httpThreads);
    Poco::Net::ServerSocket socket;
    try {
        // Reuse the address (quick restarts) but not the port: a second server on a taken port must fail.
        socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true, false);
        socket.listen(s.httpBacklog);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + e.displayText());
    }
    // The web UI answers every path but the API's and the probes, in the same server.
    auto webUi = std::make_shared<web::WebUi>(api, s.web);
    // Connections wait at the gate (not on a worker thread) until their request head is in: slow or idle
    // clients cannot take every worker (core/http/HeadGate.h).
    http::HeadGate server(
        new web::SiteHandlerFactory(std::make_unique<http::RequestHandlerFactory>(router, authenticator, limits), webUi),
        threads, socket, params, s.headGate);
    server.start();
    if (mailSender) mailSender->start();
    {
        auto& r = metrics::Registry::global();
        r.gauge("registry_build_info", "The program's version (always 1)", {"version"}).with({REGISTRY_VERSION}).set(1);
        r.gauge("process_start_time_seconds", "When the server started serving (Unix time)")
            .with()
            .set(static_cast<double>(Poco::Timestamp().epochMicroseconds()) / 1e6);
    }
    Poco::Logger::get("registry").information("serving at http://%s:%d (database %s)", host, port, db->url().redacted());
    waitForTerminationRequest();
    Poco::Logger::get("registry").information("stopping");
    server.stopAll(false);
    threads.joinAll();
    audits.stop(); // cancels an audit in progress, scheduled or not
    scheduler->stop();
    if (mailSender) mailSender->stop();
    return EXIT_OK;
}

} // namespace registry::app
