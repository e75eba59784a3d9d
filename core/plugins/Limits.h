#pragma once
// Limits of one plugin call and the host's other settings. Every number is a setting (PLUGINS.md), read by
// app::Settings; the defaults here are the documented ones.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace registry::plugins {

/// What one call into a plugin may use. A call is one hook on one record, or running a plugin file once
/// when it is loaded.
struct Limits {
    std::size_t memoryBytes = 64u << 20;             // per Lua state: plugins.memory_limit_mb
    std::uint64_t instructionsPerCall = 10'000'000;  // plugins.instruction_limit
    std::chrono::milliseconds wallTimePerCall{1000}; // plugins.time_limit_ms
};

/// Where plugins run: in sandbox processes (the default, Worker.h), or in the server's own threads (the
/// first round's host; kept for comparison in benchmarks and for platforms without the worker).
enum class Isolation { Process, Thread };

struct HostSettings {
    Limits limits;
    /// plugins.isolation: process | thread.
    Isolation isolation = Isolation::Process;
    /// The program with the `plugin-worker` verb; empty: the running program (/proc/self/exe). Tests that
    /// host plugins in their own binary point it at funeral-registry.
    std::string workerExecutable;
    /// How long a write waits for a free sandbox process before it is answered 503:
    /// plugins.queue_timeout_ms.
    std::chrono::milliseconds queueTimeout{10000};
    /// A plugin that fails this many times in one run (an audit, a write) is skipped for the rest of it:
    /// plugins.max_failures_per_run.
    int maxFailuresPerRun = 5;
    /// Sandbox processes (or Lua states, with thread isolation) kept for the server's threads; a thread
    /// that finds none free waits: plugins.states.
    std::size_t states = 8;
    /// ctx.finding calls kept per call, the rest dropped with one notice: plugins.max_findings_per_call.
    std::size_t maxFindingsPerCall = 100;
    /// ctx.log / print lines per call that reach the log: plugins.max_log_lines_per_call.
    std::size_t maxLogLinesPerCall = 20;
    /// `plugin test --coverage` and submitted versions: record which lines of a plugin run (Lua's line
    /// hook, so slow). Never set for the server's own calls.
    bool coverage = false;
    /// Every `plugin.<name>.<key>` setting, key as written, value as text.
    std::map<std::string, std::string> pluginSettings;
};

} // namespace registry::plugins
