#pragma once
// GET /metrics: what this process counted (requests, the connection pool, plugin calls, audits; see
// metrics/Metrics.h) followed by what is read at scrape time: the plugin host's state, this process's
// memory and files, and the registry's own counts from the database (the same on every instance), which
// are read at most once per cacheSeconds so that a busy scraper costs the database little. When the
// database does not answer, registry_database_up is 0 and its counts are left out; the rest still answers.

#include "service/Context.h"

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace registry::service {

class MetricsReport {
public:
    MetricsReport(Context context, std::function<std::string()> today, int cacheSeconds = 10);
    /// The exposition in Prometheus' text format 0.0.4.
    std::string render();

private:
    Context _context;
    std::function<std::string()> _today;
    std::chrono::steady_clock::duration _cacheFor;
    std::mutex _mutex;
    std::optional<std::string> _counts; // the database's part, as text, and when it was read
    bool _databaseUp = false;
    std::chrono::steady_clock::time_point _readAt;
};

} // namespace registry::service
