#include "http/RequestMetrics.h"

#include "metrics/Metrics.h"

namespace registry::http {
namespace {

metrics::CounterFamily& requests() {
    static auto& f = metrics::Registry::global().counter(
        "registry_http_requests_total", "Requests answered, by method, route pattern and status",
        {"method", "route", "status"}, 2000);
    return f;
}

metrics::HistogramFamily& durations() {
    static auto& f = metrics::Registry::global().histogram(
        "registry_http_request_duration_seconds", "Time from a request's head to its answer, by method and route",
        {"method", "route"}, metrics::latencyBounds(), 500);
    return f;
}

metrics::Gauge& inFlight() {
    static auto& g = metrics::Registry::global().gauge("registry_http_requests_in_flight", "Requests being handled now").with();
    return g;
}

// Methods outside the routes' own (a scanner's PROPFIND) are one value, not one each.
std::string_view methodLabel(const std::string& method, const Route* route) {
    if (route) return route->method;
    for (const char* known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
        if (method == known) return known;
    return "other";
}

} // namespace

void countRequest(const std::string& method, const Route* route, int status, double seconds) {
    const std::string_view m = methodLabel(method, route);
    const std::string_view pattern = route ? std::string_view(route->pattern) : std::string_view("unmatched");
    requests().with({m, pattern, std::to_string(status)}).add();
    durations().with({m, pattern}).observe(seconds);
}

InFlight::InFlight() { inFlight().add(1); }
InFlight::~InFlight() { inFlight().add(-1); }

} // namespace registry::http
