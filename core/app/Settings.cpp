#include "app/Settings.h"

#include "http/Networks.h"

#include "audit/Cron.h"
#include "domain/Dates.h"
#include "domain/User.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/MapConfiguration.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace registry::app {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& problem) {
    throw std::invalid_argument("setting " + key + ": " + problem);
}

/// Reads settings from the configuration, noting each key it is asked for (Settings::keys).
class Reader {
public:
    Reader(const Poco::Util::AbstractConfiguration& config, std::vector<std::string>* asked)
        : _config(config), _asked(asked) {}

    std::string text(const std::string& key, const std::string& fallback) {
        if (_asked) _asked->push_back(key);
        return Poco::trim(_config.getString(key, fallback));
    }

    long long integer(const std::string& key, long long fallback, long long min, long long max) {
        const std::string value = text(key, std::to_string(fallback));
        Poco::Int64 number = 0;
        if (!Poco::NumberParser::tryParse64(value, number) || number < min || number > max)
            bad(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + " (got '" +
                         value + "')");
        return number;
    }

    bool boolean(const std::string& key, bool fallback) {
        const std::string value = Poco::toLower(text(key, fallback ? "true" : "false"));
        if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
        if (value == "false" || value == "no" || value == "off" || value == "0") return false;
        bad(key, "must be true or false (got '" + value + "')");
    }

    std::string choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed) {
        const std::string value = text(key, fallback);
        if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
        bad(key, "must be one of " + Poco::cat(std::string(", "), allowed.begin(), allowed.end()) + " (got '" + value + "')");
    }

    /// Every key below `prefix`, as written, with its value.
    void collect(const std::string& prefix, std::map<std::string, std::string>& out) {
        Poco::Util::AbstractConfiguration::Keys keys;
        _config.keys(prefix, keys);
        for (const auto& key : keys) {
            const std::string full = prefix + "." + key;
            if (_config.hasProperty(full)) out[full] = _config.getString(full);
            collect(full, out); // plugin names are dotted: their settings nest
        }
    }

private:
    const Poco::Util::AbstractConfiguration& _config;
    std::vector<std::string>* _asked;
};

template <class T> T narrow(long long value) { return static_cast<T>(value); }

void readHttp(Reader& r, Settings& s) {
    s.httpHost = r.text("http.host", s.httpHost);
    s.httpPort = narrow<int>(r.integer("http.port", s.httpPort, 1, 65535));
    s.httpThreads = narrow<int>(r.integer("http.threads", s.httpThreads, 2, 1024));
    s.httpQueue = narrow<int>(r.integer("http.queue", s.httpQueue, 1, 100000));
    s.httpTimeoutSeconds = narrow<int>(r.integer("http.timeout_s", s.httpTimeoutSeconds, 1, 3600));
    auto& gate = s.headGate;
    gate.headTimeoutMs = narrow<int>(r.integer("http.head_timeout_ms", gate.headTimeoutMs, 100, 600000));
    gate.maxHeadBytes = narrow<std::size_t>(r.integer("http.max_head_bytes", narrow<long long>(gate.maxHeadBytes), 1024, 1 << 24));
    gate.maxPending = narrow<std::size_t>(
        r.integer("http.max_pending_connections", narrow<long long>(gate.maxPending), 1, 1000000));
    gate.maxPerClient = narrow<std::size_t>(
        r.integer("http.max_connections_per_client", narrow<long long>(gate.maxPerClient), 1, 1000000));
    gate.lingerMs = narrow<int>(r.integer("http.linger_ms", gate.lingerMs, 0, 60000));
    s.httpKeepAliveSeconds = narrow<int>(r.integer("http.keepalive_timeout_s", s.httpKeepAliveSeconds, 1, 3600));
    s.httpKeepAliveMaxRequests =
        narrow<int>(r.integer("http.keepalive_max_requests", s.httpKeepAliveMaxRequests, 1, 1000000));
    s.httpBacklog = narrow<int>(r.integer("http.backlog", s.httpBacklog, 1, 65535));
    auto& limits = s.httpLimits;
    limits.maxBodyBytes = narrow<std::size_t>(
        r.integer("http.max_body_bytes", narrow<long long>(limits.maxBodyBytes), 1024, 1LL << 30));
    limits.maxUploadBytes = narrow<std::size_t>(
        r.integer("http.max_upload_bytes", narrow<long long>(limits.maxUploadBytes), 1024, 1LL << 34));
    limits.trustedProxies.clear();
    Poco::StringTokenizer proxies(r.text("http.trusted_proxies", ""), ",",
                                  Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& proxy : proxies) {
        Poco::Net::IPAddress ip;
        if (!Poco::Net::IPAddress::tryParse(proxy, ip))
            throw std::invalid_argument("setting http.trusted_proxies: '" + proxy +
                                        "' is not an IP address (write the proxies' addresses, comma-separated)");
        limits.trustedProxies.push_back(ip.toString());
    }
    limits.metricsFrom = r.text("http.metrics_from", limits.metricsFrom);
    try {
        http::NetworkList::parse(limits.metricsFrom);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("setting http.metrics_from: ") + e.what() +
                                    " (write addresses or networks, comma-separated, e.g. 127.0.0.1, 10.0.0.0/8)");
    }
    limits.metricsCacheSeconds = narrow<int>(r.integer("metrics.cache_seconds", limits.metricsCacheSeconds, 0, 3600));
    limits.publicCacheSeconds =
        narrow<int>(r.integer("public.cache_seconds", limits.publicCacheSeconds, 0, 300));
    limits.publicPerMinute =
        narrow<int>(r.integer("public.requests_per_minute", limits.publicPerMinute, 0, 1000000));
    gate.maxBodyBytes = limits.maxBodyBytes;
    gate.maxUploadBytes = limits.maxUploadBytes;
    gate.bodyMinRate = narrow<std::size_t>(
        r.integer("http.body_min_rate", narrow<long long>(gate.bodyMinRate), 1, 1LL << 30));
    gate.bodyBufferBytes = narrow<std::size_t>(
        r.integer("http.body_buffer_bytes", narrow<long long>(gate.bodyBufferBytes), 1 << 20, 1LL << 36));
}

void readDatabase(Reader& r, Settings& s) {
    s.dbUrl = r.text("db.url", s.dbUrl);
    auto& db = s.database;
    db.poolSize = narrow<std::size_t>(r.integer("db.pool_size", narrow<long long>(db.poolSize), 1, 256));
    db.busyTimeoutMs = narrow<int>(r.integer("db.busy_timeout_ms", db.busyTimeoutMs, 0, 600000));
    db.leaseTimeoutMs = narrow<int>(r.integer("db.lease_timeout_ms", db.leaseTimeoutMs, 1, 600000));
    db.connectTimeoutSec = narrow<int>(r.integer("db.connect_timeout_s", db.connectTimeoutSec, 1, 600));
    db.ioTimeoutSec = narrow<int>(r.integer("db.io_timeout_s", db.ioTimeoutSec, 1, 86400));
    s.autoMigrate = r.boolean("db.auto_migrate", s.autoMigrate);
    const std::string bulkWriter = r.text("db.bulk_writer", "auto");
    try {
        s.bulkWriter = store::parseBulkStrategy(bulkWriter);
    } catch (const std::invalid_argument& e) {
        bad("db.bulk_writer", e.what());
    }
}

void readPlanAuthWeb(Reader& r, Settings& s) {
    s.planWindow.start = r.text("plan.window_start", s.planWindow.start);
    s.planWindow.end = r.text("plan.window_end", s.planWindow.end);
    if (!domain::parseDate(s.planWindow.start) || !domain::parseDate(s.planWindow.end) ||
        s.planWindow.end < s.planWindow.start)
        throw std::invalid_argument("settings plan.window_start and plan.window_end must be dates (YYYY-MM-DD), start "
                                    "first (got '" + s.planWindow.start + "' to '" + s.planWindow.end + "')");
    auto& a = s.auth;
    a.pbkdf2Iterations = narrow<int>(
        r.integer("auth.pbkdf2_iterations", a.pbkdf2Iterations, 1, auth::PasswordHasher::kMaxIterations));
    a.tokenTtlHours = narrow<int>(r.integer("auth.token_ttl_hours", a.tokenTtlHours, 1, 8784));
    a.tokenCacheSeconds = narrow<int>(r.integer("auth.token_cache_seconds", a.tokenCacheSeconds, 0, 300));
    a.maxFailedLogins = narrow<int>(r.integer("auth.max_failed_logins", a.maxFailedLogins, 1, 1000));
    a.lockoutMinutes = narrow<int>(r.integer("auth.lockout_minutes", a.lockoutMinutes, 1, 100000));
    auto& w = s.web;
    w.idleMinutes = narrow<int>(r.integer("web.session_idle_minutes", w.idleMinutes, 1, 1440));
    w.sessionMaxMinutes = 60 * narrow<int>(r.integer("web.session_max_hours", w.sessionMaxMinutes / 60, 1, 720));
    w.secureCookies = r.choice("web.secure_cookies", w.secureCookies, {"auto", "always", "never"});
    w.dashboardCacheSeconds = narrow<int>(r.integer("web.dashboard_cache_seconds", w.dashboardCacheSeconds, 0, 3600));
    w.mapTilesUrl = r.text("public.map_tiles_url", w.mapTilesUrl);
    const auto& tiles = w.mapTilesUrl;
    // It goes into pages and, for http(s), its origin into the Content-Security-Policy: plain characters
    // only, and a host of letters, digits, dots, dashes, a port and Leaflet's {s} subdomain placeholder.
    bool valid = tiles.find_first_of(" \"'<>\\") == std::string::npos;
    if (tiles.rfind("https://", 0) == 0 || tiles.rfind("http://", 0) == 0) {
        const auto hostStart = tiles.find("://") + 3;
        const std::string host = tiles.substr(hostStart, tiles.find('/', hostStart) - hostStart);
        valid = valid && !host.empty() &&
                host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:{}") ==
                    std::string::npos &&
                (host.find('{') == std::string::npos || host.rfind("{s}.", 0) == 0);
    } else {
        valid = valid && tiles.rfind("data:image/", 0) == 0;
    }
    if (!tiles.empty() && !valid)
        throw std::invalid_argument("setting public.map_tiles_url: must be a tile URL template such as "
                                    "https://tile.openstreetmap.org/{z}/{x}/{y}.png, without spaces or quotes "
                                    "(or empty for no map)");
    w.mapAttribution = r.text("public.map_attribution", w.mapAttribution);
    w.leafletDir = r.text("public.leaflet_dir", w.leafletDir);
}

void readPlugins(Reader& r, Settings& s) {
    s.pluginsDir = r.text("plugins.dir", s.pluginsDir);
    s.pluginsWatchIntervalMs = narrow<long>(r.integer("plugins.watch_interval_ms", s.pluginsWatchIntervalMs, 0, 3600000));
    s.pluginsSyncSeconds = narrow<int>(r.integer("plugins.sync_seconds", s.pluginsSyncSeconds, 1, 3600));
    auto& p = s.plugins;
    p.limits.memoryBytes = narrow<std::size_t>(
                               r.integer("plugins.memory_limit_mb", narrow<long long>(p.limits.memoryBytes >> 20), 1, 65536))
                           << 20;
    p.limits.instructionsPerCall = narrow<std::uint64_t>(
        r.integer("plugins.instruction_limit", narrow<long long>(p.limits.instructionsPerCall), 1, 1'000'000'000'000LL));
    p.limits.wallTimePerCall = std::chrono::milliseconds(
        r.integer("plugins.time_limit_ms", p.limits.wallTimePerCall.count(), 1, 3600000));
    p.maxFailuresPerRun = narrow<int>(r.integer("plugins.max_failures_per_run", p.maxFailuresPerRun, 1, 1000000));
    p.states = narrow<std::size_t>(r.integer("plugins.states", narrow<long long>(p.states), 1, 1024));
    p.isolation = r.choice("plugins.isolation", p.isolation == plugins::Isolation::Thread ? "thread" : "process",
                           {"process", "thread"}) == "thread"
                      ? plugins::Isolation::Thread
                      : plugins::Isolation::Process;
    p.queueTimeout = std::chrono::milliseconds(
        r.integer("plugins.queue_timeout_ms", p.queueTimeout.count(), 1, 3600000));
    p.maxFindingsPerCall = narrow<std::size_t>(
        r.integer("plugins.max_findings_per_call", narrow<long long>(p.maxFindingsPerCall), 1, 1000000));
    p.maxLogLinesPerCall = narrow<std::size_t>(
        r.integer("plugins.max_log_lines_per_call", narrow<long long>(p.maxLogLinesPerCall), 1, 1000000));
    r.collect("plugin", p.pluginSettings);
}

void readAudit(Reader& r, Settings& s) {
    auto& schedule = s.schedule;
    schedule.schedule = r.text("audit.schedule", schedule.schedule);
    schedule.timeZone = r.text("audit.timezone", schedule.timeZone);
    schedule.runMissedOnStart = r.boolean("audit.run_missed_on_start", schedule.runMissedOnStart);
    schedule.leaseTtl = std::chrono::seconds(r.integer(
        "audit.lease_seconds", std::chrono::duration_cast<std::chrono::seconds>(schedule.leaseTtl).count(), 1, 86400));
    s.auditInstanceId = r.text("audit.instance_id", s.auditInstanceId);
    if (s.auditInstanceId.size() > 200)
        bad("audit.instance_id", "must have at most 200 characters (got " + std::to_string(s.auditInstanceId.size()) + ")");
    const auto cores = static_cast<long long>(std::max(1u, std::thread::hardware_concurrency()));
    s.auditWorkers = narrow<int>(r.integer("audit.workers", std::min(cores, 64LL), 1, 64));
    s.auditStaleAfterSeconds = narrow<int>(r.integer("audit.stale_after_s", s.auditStaleAfterSeconds, 10, 86400));
    s.web.timeZone = schedule.timeZone; // pages show times as the audit schedule reads them
    s.clockToday = r.text("clock.today", s.clockToday);
    if (!s.clockToday.empty() && !domain::parseDate(s.clockToday))
        bad("clock.today", "must be a date YYYY-MM-DD, or empty for the real date (got '" + s.clockToday + "')");
    if (!schedule.enabled()) return; // "off": the time zone is not looked at
    try {
        audit::CronExpression::parse(schedule.schedule);
    } catch (const audit::CronError& e) {
        bad("audit.schedule", std::string(e.what()) + " (write a 5-field cron expression such as '0 2 * * *', or off)");
    }
    try {
        audit::TimeZone zone(schedule.timeZone);
    } catch (const std::invalid_argument& e) {
        bad("audit.timezone", e.what());
    }
}

void readAttachments(Reader& r, Settings& s) {
    auto& a = s.attachments;
    a.dir = r.text("attachments.dir", a.dir);
    if (a.dir.empty()) bad("attachments.dir", "must name a folder (got '')");
    const long long mb = r.integer("attachments.max_mb", narrow<long long>(a.maxBytes / (1024 * 1024)), 1, 1024);
    a.maxBytes = narrow<std::size_t>(mb * 1024 * 1024);
    // A larger file would reach a worker unread (http.max_upload_bytes decides what the gate reads).
    if (a.maxBytes > s.httpLimits.maxUploadBytes)
        bad("attachments.max_mb", "must be at most http.max_upload_bytes (" +
                                      std::to_string(s.httpLimits.maxUploadBytes / (1024 * 1024)) + " MB; got " +
                                      std::to_string(mb) + ")");
}

void readMail(Reader& r, Settings& s) {
    auto& m = s.mail;
    try {
        m.parseUrl(r.text("mail.smtp_url", m.smtpUrl));
    } catch (const std::invalid_argument& e) {
        bad("mail.smtp_url", e.what());
    }
    m.from = r.text("mail.from", m.from);
    // A sender may be at a bare host name (the default registry@localhost): only the dot is not required.
    const bool bareHost = m.from.find('@') != std::string::npos && m.from.find('.', m.from.find('@')) == std::string::npos;
    if (!domain::plausibleEmail(bareHost ? m.from + ".local" : m.from))
        bad("mail.from", "must be one address such as registry@example.cn (got '" + m.from + "')");
    m.pollSeconds = narrow<int>(r.integer("mail.poll_seconds", m.pollSeconds, 1, 3600));
    m.overdueCheckSeconds = narrow<int>(r.integer("mail.overdue_check_seconds", m.overdueCheckSeconds, 1, 86400));
    m.retrySeconds = narrow<int>(r.integer("mail.retry_seconds", m.retrySeconds, 1, 3600));
    m.maxAttempts = narrow<int>(r.integer("mail.max_attempts", m.maxAttempts, 1, 1000));
    m.timeoutSeconds = narrow<int>(r.integer("mail.timeout_s", m.timeoutSeconds, 1, 300));
}

Settings read(Reader& r) {
    Settings s;
    readHttp(r, s);
    readDatabase(r, s);
    readAttachments(r, s);
    readPlanAuthWeb(r, s);
    readPlugins(r, s);
    readAudit(r, s);
    readMail(r, s);
    return s;
}

} // namespace

Settings Settings::load(const Poco::Util::AbstractConfiguration& config) {
    Reader reader(config, nullptr);
    return read(reader);
}

std::vector<std::string> Settings::keys() {
    Poco::AutoPtr<Poco::Util::MapConfiguration> defaults(new Poco::Util::MapConfiguration);
    std::vector<std::string> asked;
    Reader reader(*defaults, &asked);
    read(reader);
    return asked;
}

std::vector<std::string> Settings::prefixes() { return {"plugin.", "logging."}; }

} // namespace registry::app
