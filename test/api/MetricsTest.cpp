// GET /metrics (API.md, Operations): Prometheus' text format, requests by route pattern and status with
// latency histograms, the connection pool, plugin calls and limit hits, audits, findings by severity; only
// for http.metrics_from (the test server: 127.0.0.1, 10.0.0.0/8 and ::1; 127.0.0.5 is its trusted proxy).

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <regex>
#include <sstream>

using namespace registry::apitest;

namespace {

/// The samples of one scrape: "name{labels}" (labels as written) → value.
struct Scrape {
    std::map<std::string, double> samples;
    std::map<std::string, std::string> types; // family → counter, gauge, histogram
    std::string text;

    double value(const std::string& series) const {
        const auto found = samples.find(series);
        return found == samples.end() ? 0 : found->second;
    }
    bool has(const std::string& series) const { return samples.count(series) > 0; }
    /// The sample lines whose series contains `part`, for failure messages.
    std::string lines(const std::string& part) const {
        std::string out;
        for (const auto& [series, value] : samples)
            if (series.find(part) != std::string::npos) out += series + " " + std::to_string(value) + "\n";
        return out;
    }
    /// Series whose text contains `part`.
    std::size_t count(const std::string& part) const {
        std::size_t n = 0;
        for (const auto& [series, value] : samples)
            if (series.find(part) != std::string::npos) ++n;
        return n;
    }
};

Response fetchMetrics(const std::string& from = "", const std::string& forwarded = "") {
    Request r;
    r.path = "/metrics";
    r.sourceAddress = from;
    if (!forwarded.empty()) r.headers.emplace_back("X-Forwarded-For", forwarded);
    return send(r);
}

/// Scrapes and checks every line against the text format as it goes.
Scrape scrape() {
    const auto r = fetchMetrics();
    BOOST_TEST_REQUIRE(r.status == 200, r.describe());
    BOOST_TEST(r.contentType == "text/plain; version=0.0.4; charset=utf-8");
    Scrape s;
    s.text = r.body;
    static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (\S+)$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
    std::istringstream lines(r.body);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (line.rfind("# HELP ", 0) == 0) continue;
        if (std::regex_match(line, m, type)) {
            BOOST_TEST(s.types.count(m[1]) == 0u, "two TYPE lines for " << m[1]);
            s.types[m[1]] = m[2];
            continue;
        }
        BOOST_TEST_REQUIRE(std::regex_match(line, m, sample), "not a sample line: " << line);
        BOOST_TEST(s.samples.count(m[1]) == 0u, "a series twice: " << m[1]);
        s.samples[m[1]] = m[5] == "+Inf" ? 1e300 : std::stod(m[5]);
    }
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Metrics)

BOOST_AUTO_TEST_CASE(the_exposition_names_every_family_an_operator_watches) {
    as("admin").get("/api/v1/facilities?limit=1");
    const auto s = scrape();
    for (const char* family :
         {"registry_http_requests_total", "registry_http_request_duration_seconds", "registry_http_requests_in_flight",
          "registry_http_gate_connections", "registry_db_pool_connections", "registry_db_pool_in_use",
          "registry_db_pool_wait_seconds", "registry_db_commits_total", "registry_plugins", "registry_findings_open",
          "registry_audit_runs", "registry_notices_overdue", "registry_mail_queued", "registry_database_up",
          "registry_build_info", "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds"})
        BOOST_TEST(s.types.count(family) == 1u, "no TYPE line for " << family);
    BOOST_TEST(s.types.at("registry_http_requests_total") == "counter");
    BOOST_TEST(s.types.at("registry_http_request_duration_seconds") == "histogram");
    BOOST_TEST(s.value("registry_database_up") == 1);
    BOOST_TEST(s.value("registry_db_pool_connections") >= 1);
    // The scrape itself holds one request in flight, and no more than the test's one connection.
    BOOST_TEST(s.value("registry_http_requests_in_flight") >= 1);
    BOOST_TEST(s.value("registry_plugins{state=\"active\"}") >= 4); // test/api/plugins
    BOOST_TEST(s.value("registry_plugins{state=\"failed\"}") == 0);
    BOOST_TEST(s.value("process_resident_memory_bytes") > 1e6);
    BOOST_TEST(s.count("registry_build_info{version=") == 1u);
    // Every severity is a series, zero or not (an alert on an absent series never fires).
    for (const char* severity : {"info", "warning", "violation", "error"})
        BOOST_TEST(s.has("registry_findings_open{severity=\"" + std::string(severity) + "\"}"), severity);
}

BOOST_AUTO_TEST_CASE(requests_are_counted_by_route_pattern_and_status_with_their_latency) {
    const auto id = createFacility("admin", kOwn, "指标测试殡仪馆").id();
    const std::string ok = "registry_http_requests_total{method=\"GET\",route=\"/api/v1/facilities/{id}\",status=\"200\"}";
    const std::string missing = "registry_http_requests_total{method=\"GET\",route=\"/api/v1/facilities/{id}\",status=\"404\"}";
    const std::string web = "registry_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}";
    const auto before = scrape();
    for (int i = 0; i < 3; ++i) BOOST_TEST(as("insp").get("/api/v1/facilities/" + std::to_string(id)).status == 200);
    BOOST_TEST(as("insp").get("/api/v1/facilities/999999999").status == 404);
    BOOST_TEST(Server::instance().anonymous().get("/login").status == 200);
    const auto after = scrape();
    BOOST_TEST(after.value(ok) - before.value(ok) == 3);
    BOOST_TEST(after.value(missing) - before.value(missing) == 1);
    BOOST_TEST(after.value(web) - before.value(web) == 1);
    // Ids are not labels: the path itself never appears.
    BOOST_TEST(after.text.find("/api/v1/facilities/" + std::to_string(id)) == std::string::npos);

    // The histogram of the route: cumulative buckets ending at +Inf, which is its count.
    const std::string route = "method=\"GET\",route=\"/api/v1/facilities/{id}\"";
    const double count = after.value("registry_http_request_duration_seconds_count{" + route + "}");
    BOOST_TEST(count >= 4);
    BOOST_TEST(after.value("registry_http_request_duration_seconds_bucket{" + route + ",le=\"+Inf\"}") == count);
    double previous = 0;
    for (const char* le : {"0.001", "0.005", "0.05", "0.5", "5", "30"}) {
        const double bucket = after.value("registry_http_request_duration_seconds_bucket{" + route + ",le=\"" + le + "\"}");
        BOOST_TEST(bucket >= previous, le);
        previous = bucket;
    }
    BOOST_TEST(after.value("registry_http_request_duration_seconds_sum{" + route + "}") > 0);
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_methods_cannot_grow_the_series) {
    const auto before = scrape();
    for (int i = 0; i < 40; ++i) Server::instance().anonymous().get("/api/v1/scan-" + std::to_string(i) + "-x");
    Request odd;
    odd.method = "PROPFIND";
    odd.path = "/api/v1/facilities";
    send(odd);
    const auto after = scrape();
    BOOST_TEST(after.text.find("scan-") == std::string::npos);
    BOOST_TEST(after.text.find("PROPFIND") == std::string::npos);
    const std::string unmatched = "registry_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}";
    BOOST_TEST(after.value(unmatched) - before.value(unmatched) == 40);
    BOOST_TEST(after.count("registry_http_requests_total{") <= before.count("registry_http_requests_total{") + 3);
}

BOOST_AUTO_TEST_CASE(plugin_calls_and_limit_hits_are_counted_by_plugin) {
    // test/api/plugins/miyun/runaway.lua eats memory on every facility of Miyun. Its call ends at the memory
    // cap, or on a loaded machine at the time limit first, or by its sandbox process's address-space limit
    // (an error, its process replaced): one failed call either way, and a limit hit for the first two.
    const std::string plugin = "plugin=\"miyun.api-test-runaway\"";
    const std::string calls = "registry_plugin_calls_total{" + plugin + ",hook=\"checks.facility\",outcome=";
    const auto limited = [&](const Scrape& s) {
        return s.value("registry_plugin_limit_hits_total{" + plugin + ",limit=\"memory\"}") +
               s.value("registry_plugin_limit_hits_total{" + plugin + ",limit=\"time\"}");
    };
    const auto stopped = [&](const Scrape& s) {
        return s.value(calls + "\"out_of_memory\"}") + s.value(calls + "\"timeout\"}");
    };
    const auto failed = [&](const Scrape& s) { return stopped(s) + s.value(calls + "\"error\"}"); };
    const auto before = scrape();
    BOOST_TEST(as("admin").post("/api/v1/facilities", facilityBody("110118", "密云指标殡仪馆")).status == 201);
    const auto after = scrape();
    BOOST_TEST(failed(after) - failed(before) == 1, "the plugin's series: " << after.lines("miyun."));
    BOOST_TEST(limited(after) - limited(before) == stopped(after) - stopped(before));
    BOOST_TEST(after.value(calls + "\"ok\"}") == before.value(calls + "\"ok\"}"));

    // Haidian's rule: its validate hook refuses an absurd basic price, and lets a plain one through.
    const std::string rules = "plugin=\"haidian.api-test-rules\"";
    const std::string validated = "registry_plugin_calls_total{" + rules + ",hook=\"validate.price\",outcome=\"ok\"}";
    const std::string refusals = "registry_plugin_refusals_total{" + rules + "}";
    const auto facility = createFacility("admin", kOwn, "指标插件殡仪馆");
    const auto first = scrape();
    BOOST_TEST(as("insp").post("/api/v1/prices", priceBody(facility.id(), "basic.cremation", 9000000, "2025-01-01")).status == 422);
    BOOST_TEST(as("insp").post("/api/v1/prices", priceBody(facility.id(), "basic.cremation", 60000, "2025-01-01")).status == 201);
    const auto second = scrape();
    BOOST_TEST(second.value(validated) - first.value(validated) == 2);
    BOOST_TEST(second.value(refusals) - first.value(refusals) == 1);
}

BOOST_AUTO_TEST_CASE(audits_and_open_findings_match_what_the_api_says) {
    const std::string ran = "registry_audit_runs_total{trigger=\"manual\",status=\"succeeded\"}";
    const auto before = scrape();
    const auto started = as("aud").postRaw("/api/v1/audits", "{}");
    BOOST_TEST_REQUIRE(started.status == 202, started.describe());
    BOOST_TEST_REQUIRE(finishedAudit(as("aud"), started.id()).str("status") == "succeeded");
    const auto after = scrape();
    BOOST_TEST(after.value(ran) - before.value(ran) == 1);
    BOOST_TEST(after.value("registry_audit_last_success_timestamp_seconds{trigger=\"manual\"}") >
               before.value("registry_audit_last_success_timestamp_seconds{trigger=\"manual\"}"));
    BOOST_TEST(after.value("registry_audit_records_checked_total") > before.value("registry_audit_records_checked_total"));
    // The open findings by severity are what an auditor counts through the API.
    for (const char* severity : {"info", "warning", "violation", "error"}) {
        const long long listed =
            as("aud").count(std::string("/api/v1/findings?status=open&severity=") + severity) +
            as("aud").count(std::string("/api/v1/findings?status=acknowledged&severity=") + severity);
        BOOST_TEST(after.value("registry_findings_open{severity=\"" + std::string(severity) + "\"}") == listed, severity);
    }
}

BOOST_AUTO_TEST_CASE(only_http_metrics_from_may_read_them) {
    BOOST_TEST(fetchMetrics("127.0.0.1").status == 200);
    const auto refused = fetchMetrics("127.0.0.3");
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(refused.isProblem());
    BOOST_TEST(refused.str("detail").find("http.metrics_from") != std::string::npos, refused.describe());
    // Through the trusted proxy the client is the forwarded address: 10.1.2.3 is in 10.0.0.0/8, 203.0.113.9
    // is not, and the proxy's own address does not make it so.
    BOOST_TEST(fetchMetrics("127.0.0.5", "10.1.2.3").status == 200);
    BOOST_TEST(fetchMetrics("127.0.0.5", "203.0.113.9").status == 403);
    // The web UI does not take the path over for a signed-in browser either.
    BOOST_TEST(fetchMetrics("127.0.0.3").contentType.rfind("application/problem+json", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
