#include "metrics/Metrics.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <cstdio>

namespace registry::metrics {
namespace {

void addTo(std::atomic<double>& target, double delta) {
    double now = target.load(std::memory_order_relaxed);
    while (!target.compare_exchange_weak(now, now + delta, std::memory_order_relaxed)) {
    }
}

const std::string kOther = "_other";

// Label values and HELP text: backslash, double quote (label values only) and newline escaped.
void appendEscaped(std::string& out, const std::string& text, bool quote) {
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
}

} // namespace

void Gauge::add(double delta) { addTo(_value, delta); }

void Histogram::observe(double value) {
    const auto& b = *_bounds;
    const std::size_t at = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
    _counts[at].fetch_add(1, std::memory_order_relaxed);
    addTo(_sum, value);
}

std::vector<std::uint64_t> Histogram::counts() const {
    std::vector<std::uint64_t> out;
    out.reserve(_counts.size());
    for (const auto& c : _counts) out.push_back(c.load(std::memory_order_relaxed));
    return out;
}

const std::vector<double>& latencyBounds() {
    static const std::vector<double> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1,     2.5,  5,     10,   30};
    return bounds;
}

template <class Metric>
std::unique_ptr<Metric> Family<Metric>::make() const {
    if constexpr (std::is_same_v<Metric, Histogram>)
        return std::make_unique<Histogram>(_bounds);
    else
        return std::make_unique<Metric>();
}

template <class Metric>
Metric& Family<Metric>::with(std::initializer_list<std::string_view> values) {
    thread_local std::string key;
    key.clear();
    for (auto v : values) key.append(v).push_back('\x1f');
    {
        std::shared_lock lock(_mutex);
        if (auto found = _children.find(key); found != _children.end()) return *found->second.metric;
    }
    std::unique_lock lock(_mutex);
    if (auto found = _children.find(key); found != _children.end()) return *found->second.metric;
    Child child;
    if (_children.size() >= _maxSeries) {
        // Over the limit: one child for everything else, every label "_other".
        key.clear();
        for (std::size_t i = 0; i < _labels.size(); ++i) key.append(kOther).push_back('\x1f');
        if (auto found = _children.find(key); found != _children.end()) return *found->second.metric;
        child.values.assign(_labels.size(), kOther);
    } else {
        for (auto v : values) child.values.emplace_back(v);
        child.values.resize(_labels.size()); // a caller's missing value: empty, never out of bounds
    }
    child.metric = make();
    return *_children.emplace(key, std::move(child)).first->second.metric;
}

template <class Metric>
void Family<Metric>::forEach(const std::function<void(const std::vector<std::string>&, const Metric&)>& visit) const {
    std::shared_lock lock(_mutex);
    for (const auto& [key, child] : _children) visit(child.values, *child.metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

std::string formatValue(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[40];
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
    else
        std::snprintf(buffer, sizeof buffer, "%.15g", value);
    return buffer;
}

void TextWriter::header(const std::string& name, const std::string& help, Type type) {
    _out.append("# HELP ").append(name).append(" ");
    appendEscaped(_out, help, false);
    _out.append("\n# TYPE ").append(name).append(" ");
    _out.append(type == Type::Counter ? "counter" : type == Type::Gauge ? "gauge" : "histogram").append("\n");
}

void TextWriter::sample(const std::string& name, const std::vector<std::string>& labels,
                        const std::vector<std::string>& values, double value) {
    _out.append(name);
    if (!labels.empty()) {
        _out.push_back('{');
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (i) _out.push_back(',');
            _out.append(labels[i]).append("=\"");
            appendEscaped(_out, i < values.size() ? values[i] : std::string(), true);
            _out.push_back('"');
        }
        _out.push_back('}');
    }
    _out.append(" ").append(formatValue(value)).append("\n");
}

void TextWriter::family(const CounterFamily& f) {
    header(f.name(), f.help(), Type::Counter);
    f.forEach([&](const auto& values, const Counter& c) {
        sample(f.name(), f.labels(), values, static_cast<double>(c.value()));
    });
}

void TextWriter::family(const GaugeFamily& f) {
    header(f.name(), f.help(), Type::Gauge);
    f.forEach([&](const auto& values, const Gauge& g) { sample(f.name(), f.labels(), values, g.value()); });
}

void TextWriter::family(const HistogramFamily& f) {
    header(f.name(), f.help(), Type::Histogram);
    std::vector<std::string> labels = f.labels();
    labels.push_back("le");
    f.forEach([&](const auto& values, const Histogram& h) {
        const auto counts = h.counts();
        std::vector<std::string> withLe = values;
        withLe.emplace_back();
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            withLe.back() = i < h.bounds().size() ? formatValue(h.bounds()[i]) : "+Inf";
            sample(f.name() + "_bucket", labels, withLe, static_cast<double>(cumulative));
        }
        sample(f.name() + "_sum", f.labels(), values, h.sum());
        sample(f.name() + "_count", f.labels(), values, static_cast<double>(cumulative));
    });
}

Registry& Registry::global() {
    static Registry registry;
    return registry;
}

CounterFamily& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels,
                                 std::size_t maxSeries) {
    std::lock_guard lock(_mutex);
    _counters.push_back(std::make_unique<CounterFamily>(name, help, std::move(labels), maxSeries));
    _order.emplace_back(Type::Counter, _counters.size() - 1);
    return *_counters.back();
}

GaugeFamily& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels,
                             std::size_t maxSeries) {
    std::lock_guard lock(_mutex);
    _gauges.push_back(std::make_unique<GaugeFamily>(name, help, std::move(labels), maxSeries));
    _order.emplace_back(Type::Gauge, _gauges.size() - 1);
    return *_gauges.back();
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> labels, const std::vector<double>& bounds,
                                     std::size_t maxSeries) {
    std::lock_guard lock(_mutex);
    _histograms.push_back(std::make_unique<HistogramFamily>(name, help, std::move(labels), maxSeries, &bounds));
    _order.emplace_back(Type::Histogram, _histograms.size() - 1);
    return *_histograms.back();
}

void Registry::write(TextWriter& out) const {
    std::lock_guard lock(_mutex);
    for (const auto& [type, index] : _order) {
        if (type == Type::Counter)
            out.family(*_counters[index]);
        else if (type == Type::Gauge)
            out.family(*_gauges[index]);
        else
            out.family(*_histograms[index]);
    }
}

} // namespace registry::metrics
