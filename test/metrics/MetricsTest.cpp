// The metrics registry and its text format (core/metrics): what a Prometheus server parses.

#include "metrics/Metrics.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace registry::metrics;

BOOST_AUTO_TEST_SUITE(Metrics)

BOOST_AUTO_TEST_CASE(counters_write_help_type_and_escaped_labels) {
    Registry r;
    auto& calls = r.counter("t_calls_total", "Calls\nby \"kind\"", {"kind"});
    calls.with({"a\"b\\c\nd"}).add(3);
    calls.with({"plain"}).add();
    TextWriter out;
    r.write(out);
    const std::string& text = out.text();
    BOOST_TEST(text.find("# HELP t_calls_total Calls\\nby \"kind\"\n") != std::string::npos, text);
    BOOST_TEST(text.find("# TYPE t_calls_total counter\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_calls_total{kind=\"a\\\"b\\\\c\\nd\"} 3\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_calls_total{kind=\"plain\"} 1\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_and_end_at_inf) {
    Registry r;
    static const std::vector<double> bounds{0.1, 1, 10};
    auto& h = r.histogram("t_seconds", "Time", {"route"}, bounds).with({"/x/{id}"});
    for (double v : {0.05, 0.1, 0.5, 5.0, 50.0}) h.observe(v);
    TextWriter out;
    r.write(out);
    const std::string& text = out.text();
    BOOST_TEST(text.find("# TYPE t_seconds histogram\n") != std::string::npos, text);
    // A value equal to a bound falls in that bound's bucket (le: less than or equal).
    BOOST_TEST(text.find("t_seconds_bucket{route=\"/x/{id}\",le=\"0.1\"} 2\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_seconds_bucket{route=\"/x/{id}\",le=\"1\"} 3\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_seconds_bucket{route=\"/x/{id}\",le=\"10\"} 4\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_seconds_bucket{route=\"/x/{id}\",le=\"+Inf\"} 5\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_seconds_count{route=\"/x/{id}\"} 5\n") != std::string::npos, text);
    BOOST_TEST(text.find("t_seconds_sum{route=\"/x/{id}\"} 55.65\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_family_past_its_series_limit_counts_the_rest_as_other) {
    Registry r;
    auto& f = r.counter("t_limited_total", "Limited", {"a", "b"}, 3);
    for (int i = 0; i < 10; ++i) f.with({std::to_string(i), "x"}).add();
    std::size_t series = 0;
    std::uint64_t other = 0;
    f.forEach([&](const std::vector<std::string>& values, const Counter& c) {
        ++series;
        if (values[0] == "_other") {
            BOOST_TEST(values[1] == "_other");
            other = c.value();
        }
    });
    BOOST_TEST(series == 4u);
    BOOST_TEST(other == 7u);
}

BOOST_AUTO_TEST_CASE(children_are_counted_exactly_from_many_threads) {
    Registry r;
    auto& f = r.counter("t_threads_total", "Threads", {"n"});
    auto& g = r.gauge("t_in_use", "In use").with();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10000; ++i) {
                f.with({std::to_string(i % 7)}).add();
                g.add(1);
                g.add(-1);
                (void)t;
            }
        });
    for (auto& t : threads) t.join();
    std::uint64_t total = 0;
    f.forEach([&](const auto&, const Counter& c) { total += c.value(); });
    BOOST_TEST(total == 40000u);
    BOOST_TEST(g.value() == 0.0);
}

BOOST_AUTO_TEST_CASE(values_are_written_as_prometheus_reads_them) {
    BOOST_TEST(formatValue(3) == "3");
    BOOST_TEST(formatValue(0.25) == "0.25");
    BOOST_TEST(formatValue(1.0 / 0.0) == "+Inf");
    BOOST_TEST(formatValue(1733570000.5) == "1733570000.5");
}

BOOST_AUTO_TEST_SUITE_END()
