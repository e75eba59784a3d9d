#include "plugins/Limits.h"

#include <Poco/Exception.h>
#include <Poco/Util/AbstractConfiguration.h>

namespace registry::plugins {

namespace {

void collect(const Poco::Util::AbstractConfiguration& config, const std::string& prefix,
             std::map<std::string, std::string>& out) {
    Poco::Util::AbstractConfiguration::Keys keys;
    config.keys(prefix, keys);
    for (const auto& key : keys) {
        const std::string full = prefix + "." + key;
        if (config.hasProperty(full)) out[full] = config.getString(full);
        collect(config, full, out); // plugin names are dotted: their settings nest
    }
}

std::int64_t positive(const Poco::Util::AbstractConfiguration& config, const std::string& key,
                      std::int64_t fallback) {
    const std::int64_t value = config.getInt64(key, fallback);
    if (value <= 0) throw Poco::InvalidArgumentException(key + " must be a positive number");
    return value;
}

} // namespace

HostSettings HostSettings::fromConfiguration(const Poco::Util::AbstractConfiguration& config) {
    HostSettings settings;
    settings.limits.memoryBytes = static_cast<std::size_t>(positive(config, "plugins.memory_limit_mb", 64))
                                  << 20;
    settings.limits.instructionsPerCall =
        static_cast<std::uint64_t>(positive(config, "plugins.instruction_limit", 10'000'000));
    settings.limits.wallTimePerCall =
        std::chrono::milliseconds(positive(config, "plugins.time_limit_ms", 1000));
    settings.maxFailuresPerRun = static_cast<int>(positive(config, "plugins.max_failures_per_run", 5));
    settings.states = static_cast<std::size_t>(positive(config, "plugins.states", 8));
    settings.maxFindingsPerCall =
        static_cast<std::size_t>(positive(config, "plugins.max_findings_per_call", 100));
    settings.maxLogLinesPerCall =
        static_cast<std::size_t>(positive(config, "plugins.max_log_lines_per_call", 20));
    collect(config, "plugin", settings.pluginSettings);
    return settings;
}

} // namespace registry::plugins
