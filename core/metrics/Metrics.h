#pragma once
// The process's metrics, for GET /metrics in Prometheus' text format (version 0.0.4).
//
// Each module counts what it does in families it declares once (a function returning a static family, next
// to its use); a family's children are created on first use per set of label values and live as long as the
// process, so a child's reference may be kept. Label values come only from closed sets (route patterns,
// status codes, outcomes, loaded plugin names), never from a request's text; and each family holds at most
// maxSeries children besides: past that, new label sets are counted together under the value "_other", so
// that a mistake cannot grow the scrape without bound.
//
// Standard C++ only, so that every module (store, plugins, service, http, web) can count.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace registry::metrics {

class Counter {
public:
    void add(std::uint64_t n = 1) { _value.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return _value.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> _value{0};
};

class Gauge {
public:
    void set(double value) { _value.store(value, std::memory_order_relaxed); }
    void add(double delta);
    double value() const { return _value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> _value{0};
};

/// Cumulative buckets with fixed upper bounds (seconds, bytes, ...), as Prometheus reads them.
class Histogram {
public:
    explicit Histogram(const std::vector<double>* bounds) : _bounds(bounds), _counts(bounds->size() + 1) {}
    void observe(double value);
    const std::vector<double>& bounds() const { return *_bounds; }
    /// Per bucket (not cumulative), the last one above every bound.
    std::vector<std::uint64_t> counts() const;
    double sum() const { return _sum.load(std::memory_order_relaxed); }

private:
    const std::vector<double>* _bounds;
    std::vector<std::atomic<std::uint64_t>> _counts;
    std::atomic<double> _sum{0};
};

/// The bounds of request and call latencies, in seconds: 1 ms to 30 s.
const std::vector<double>& latencyBounds();

enum class Type { Counter, Gauge, Histogram };

/// A metric name with its label names; children by label values.
template <class Metric>
class Family {
public:
    Family(std::string name, std::string help, std::vector<std::string> labels, std::size_t maxSeries,
           const std::vector<double>* bounds = nullptr)
        : _name(std::move(name)), _help(std::move(help)), _labels(std::move(labels)), _maxSeries(maxSeries),
          _bounds(bounds) {}

    /// The child for these label values (as many as the family has label names), created on first use.
    Metric& with(std::initializer_list<std::string_view> values);
    Metric& with() { return with({}); }

    const std::string& name() const { return _name; }
    const std::string& help() const { return _help; }
    const std::vector<std::string>& labels() const { return _labels; }
    /// Every child with its label values, in label order.
    void forEach(const std::function<void(const std::vector<std::string>&, const Metric&)>& visit) const;

private:
    struct Child {
        std::vector<std::string> values;
        std::unique_ptr<Metric> metric;
    };
    std::unique_ptr<Metric> make() const;

    std::string _name, _help;
    std::vector<std::string> _labels;
    std::size_t _maxSeries;
    const std::vector<double>* _bounds;
    mutable std::shared_mutex _mutex;
    std::map<std::string, Child> _children; // by the values joined with '\x1f'
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

/// Writes families and samples in the text format, escaping label values and HELP text.
class TextWriter {
public:
    void header(const std::string& name, const std::string& help, Type type);
    /// One sample: `name{label="value",...} value`.
    void sample(const std::string& name, const std::vector<std::string>& labels,
                const std::vector<std::string>& values, double value);
    void family(const CounterFamily& family);
    void family(const GaugeFamily& family);
    void family(const HistogramFamily& family);
    const std::string& text() const { return _out; }

private:
    std::string _out;
};

/// Every family of the process, in the order they were declared, and the collectors that add what is
/// measured at scrape time (the database's counts, the plugin host's state).
class Registry {
public:
    static Registry& global();

    CounterFamily& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {},
                           std::size_t maxSeries = 1000);
    GaugeFamily& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {},
                       std::size_t maxSeries = 1000);
    HistogramFamily& histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                               const std::vector<double>& bounds, std::size_t maxSeries = 1000);

    /// The whole exposition: every family with at least one child, in declaration order.
    void write(TextWriter& out) const;

private:
    mutable std::mutex _mutex;
    std::vector<std::unique_ptr<CounterFamily>> _counters;
    std::vector<std::unique_ptr<GaugeFamily>> _gauges;
    std::vector<std::unique_ptr<HistogramFamily>> _histograms;
    std::vector<std::pair<Type, std::size_t>> _order;
};

/// A number in the text format: integers without a fraction, +Inf, NaN.
std::string formatValue(double value);

} // namespace registry::metrics
