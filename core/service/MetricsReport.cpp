#include "service/MetricsReport.h"

#include "domain/Dates.h"
#include "domain/LogText.h"
#include "metrics/Metrics.h"
#include "plugins/PluginHost.h"
#include "store/OperationCounts.h"

#include <Poco/DateTimeParser.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/Logger.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace registry::service {
namespace {

using metrics::TextWriter;
using metrics::Type;

void gauge(TextWriter& out, const std::string& name, const std::string& help, double value) {
    out.header(name, help, Type::Gauge);
    out.sample(name, {}, {}, value);
}

void gaugeBy(TextWriter& out, const std::string& name, const std::string& help, const std::string& label,
             const store::CountsByKey& counts, std::initializer_list<const char*> always = {}) {
    out.header(name, help, Type::Gauge);
    store::CountsByKey all = counts;
    for (const char* key : always) all.emplace(key, 0); // a zero is a sample too: alerts on absent series misfire
    for (const auto& [key, count] : all) out.sample(name, {label}, {key}, static_cast<double>(count));
}

double epochSeconds(const std::string& rfc3339) {
    int tz = 0;
    try {
        return static_cast<double>(Poco::DateTimeParser::parse(rfc3339, tz)
                                       .timestamp()
                                       .epochMicroseconds()) /
               1e6;
    } catch (const Poco::Exception&) {
        return 0;
    }
}

std::string databaseCounts(store::Database& db, const std::string& today) {
    const auto t = store::OperationCounts(db).tallies(today);
    TextWriter out;
    gaugeBy(out, "registry_findings_open", "Findings open or acknowledged, by severity", "severity", t.openFindings,
            {"info", "warning", "violation", "error"});
    gaugeBy(out, "registry_notices", "Rectification notices, by status", "status", t.notices);
    gauge(out, "registry_notices_overdue", "Notices not verified whose deadline has passed",
          static_cast<double>(t.noticesOverdue));
    gaugeBy(out, "registry_audit_runs", "Audit runs in the registry, by status", "status", t.auditRuns,
            {"queued", "running"});
    out.header("registry_audit_last_success_timestamp_seconds",
               "When the latest succeeded audit finished (Unix time), by trigger", Type::Gauge);
    for (const auto& [trigger, at] : t.lastSucceeded)
        out.sample("registry_audit_last_success_timestamp_seconds", {"trigger"}, {trigger}, epochSeconds(at));
    gauge(out, "registry_mail_queued", "Alert mails waiting to be sent", static_cast<double>(t.mailQueued));
    gauge(out, "registry_mail_given_up", "Alert mails not sent after every attempt", static_cast<double>(t.mailGivenUp));
    return out.text();
}

// The standard process metrics, from /proc (Linux).
void processMetrics(TextWriter& out) {
    const long page = ::sysconf(_SC_PAGESIZE);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    {
        std::ifstream statm("/proc/self/statm");
        long long size = 0, resident = 0;
        if (statm >> size >> resident) {
            gauge(out, "process_resident_memory_bytes", "Resident memory of the server process",
                  static_cast<double>(resident * page));
            gauge(out, "process_virtual_memory_bytes", "Virtual memory of the server process",
                  static_cast<double>(size * page));
        }
    }
    {
        std::ifstream stat("/proc/self/stat");
        std::string line;
        std::getline(stat, line);
        // Fields after the command (which may hold spaces), from field 3 on; utime and stime are 14 and 15.
        const auto close = line.rfind(')');
        if (close != std::string::npos && ticks > 0) {
            std::istringstream fields(line.substr(close + 2));
            std::string field;
            double cpu = 0;
            for (int i = 3; i <= 15 && fields >> field; ++i)
                if (i == 14 || i == 15) cpu += std::stod(field) / static_cast<double>(ticks);
            out.header("process_cpu_seconds_total", "CPU time of the server process (user and system)", Type::Counter);
            out.sample("process_cpu_seconds_total", {}, {}, cpu);
        }
    }
    try {
        std::size_t open = 0;
        for (Poco::DirectoryIterator it(std::string("/proc/self/fd")), end; it != end; ++it) ++open;
        gauge(out, "process_open_fds", "Open file descriptors of the server process", static_cast<double>(open));
    } catch (const Poco::Exception&) {
    }
}

void pluginState(TextWriter& out, const plugins::PluginHost& host) {
    store::CountsByKey byState{{"active", 0}, {"failed", 0}};
    for (const auto& p : host.plugins()) ++byState[p.active ? "active" : "failed"];
    gaugeBy(out, "registry_plugins", "Plugins known to this instance: running (active) or with no version running (failed)",
            "state", byState);
    const auto sandbox = host.sandbox();
    gauge(out, "registry_plugin_sandbox_seccomp",
          "1 when plugins run in sandbox processes under the seccomp filter", sandbox.seccomp ? 1 : 0);
}

} // namespace

MetricsReport::MetricsReport(Context context, std::function<std::string()> today, int cacheSeconds)
    : _context(std::move(context)), _today(std::move(today)), _cacheFor(std::chrono::seconds(cacheSeconds)) {}

std::string MetricsReport::render() {
    TextWriter out;
    metrics::Registry::global().write(out);
    if (_context.plugins) pluginState(out, *_context.plugins);
    processMetrics(out);
    std::lock_guard<std::mutex> lock(_mutex); // one scrape reads the database at a time
    const auto now = std::chrono::steady_clock::now();
    if (!_counts || now - _readAt >= _cacheFor) {
        try {
            _counts = databaseCounts(_context.db, _today ? _today() : domain::todayUtc());
            _databaseUp = true;
        } catch (const std::exception& e) {
            Poco::Logger::get("registry").warning("metrics: the database's counts cannot be read: %s",
                                                  domain::logSafe(e.what()));
            _counts = std::string();
            _databaseUp = false;
        }
        _readAt = now;
    }
    gauge(out, "registry_database_up", "1 when the database answered the metrics' last reading of it",
          _databaseUp ? 1 : 0);
    return out.text() + *_counts;
}

} // namespace registry::service
