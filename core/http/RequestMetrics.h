#pragma once
// Requests answered, for GET /metrics: by method, route pattern (not the path, so that ids and scanners
// cannot grow the series) and status, with their latencies. The API's and the web's handlers both count here.

#include "http/Router.h"

#include <string>

namespace registry::http {

/// Counts one answered request. `route` is the route that matched, or null (404, 405, a malformed URI:
/// counted as route "unmatched").
void countRequest(const std::string& method, const Route* route, int status, double seconds);

/// Requests being handled now (held for the duration of one).
class InFlight {
public:
    InFlight();
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
};

} // namespace registry::http
