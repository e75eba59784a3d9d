#pragma once
// The plugin host as the server uses it: the registry of loaded plugins, the pool of Lua states, and the
// two ways to run plugins on a record: their checks (findings) and their validate hooks (a refusal).
//
// A plugin that errors or reaches a limit never stops the others: its failure becomes a finding of
// severity error naming the plugin, the hook, the subject and the message with its line. A plugin that
// fails maxFailuresPerRun times within one PluginRun is skipped for the rest of that run.
//
// Thread-safe: any number of threads may run plugins at once (up to HostSettings::states in parallel).

#include "plugins/Plugin.h"
#include "plugins/PluginRegistry.h"
#include "plugins/StatePool.h"
#include "plugins/Views.h"
#include "plugins/WorkerPool.h"

#include <Poco/JSON/Object.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace registry::plugins {

/// One audit, or one write: counts each plugin's failures so that a broken plugin is skipped once it has
/// failed often enough. Thread-safe.
class PluginRun {
public:
    explicit PluginRun(int maxFailures);
    bool skipped(const std::string& plugin) const;
    /// Counts one failure; true when this one reached the limit (the plugin is skipped from now on).
    bool recordFailure(const std::string& plugin);
    int failures(const std::string& plugin) const;

private:
    int _maxFailures;
    std::atomic<int> _skippedCount{0}; // plugins at the limit: none, the usual case, needs no lock
    mutable std::mutex _mutex;
    std::map<std::string, int> _failures;
};

/// A validate hook that refused the write.
struct Refusal {
    std::string plugin;
    std::string message;
    std::string version; // of the plugin that refused, for the log (the decision record of a refused write)
};

struct ValidateResult {
    std::optional<Refusal> refusal; // the first refusal, in plugin name order
    std::vector<Finding> findings;  // failures of validate hooks (severity error), and anything they reported
};

class PluginHost {
public:
    explicit PluginHost(HostSettings settings, LogSink log = serverLogSink());

    /// Loads plugins.dir (see PluginRegistry::load) and, with process isolation, starts a first sandbox
    /// process, so that how plugins are confined is known (and logged) from the start.
    LoadReport load(const std::string& directory);
    /// POST /api/v1/plugins/reload, or a file watcher.
    LoadReport reload() { return _registry.reload(); }
    /// GET /api/v1/plugins.
    std::vector<PluginStatus> plugins() const { return _registry.list(); }
    PluginRegistry& registry() { return _registry; }
    const HostSettings& settings() const { return _registry.settings(); }

    /// A run for one audit or one write, with the failure limit from the settings.
    PluginRun newRun() const { return PluginRun(settings().maxFailuresPerRun); }

    /// Runs the checks hook of every plugin that applies to the subject's district, in name order, and
    /// returns their findings (and one error finding per plugin failure). `today` is the audit's date;
    /// `run` may be null (no failure counting).
    std::vector<Finding> runChecks(const Subject& subject, PluginData& data, const std::string& today,
                                   PluginRun* run = nullptr);

    /// A sandbox process (or, with thread isolation, a Lua state) held by one thread across many records:
    /// an audit worker takes one per batch, so that no lock is taken per record. Hold it no longer than a
    /// batch: other threads may be waiting, and a reload takes effect at the next lease.
    class Lease {
    public:
        Lease(Lease&&) noexcept = default;

    private:
        friend class PluginHost;
        explicit Lease(StatePool::Lease state) : _state(std::move(state)) {}
        explicit Lease(WorkerPool::Lease worker) : _worker(std::move(worker)) {}
        std::optional<StatePool::Lease> _state;
        std::optional<WorkerPool::Lease> _worker;
    };
    /// Throws Unavailable when every process stayed in use for HostSettings::queueTimeout, or none starts.
    Lease lease();

    /// runChecks with a lease the caller holds.
    std::vector<Finding> runChecks(const Subject& subject, PluginData& data, const std::string& today,
                                   PluginRun* run, Lease& lease);

    /// runChecks on every subject of an audit batch, in one exchange with a sandbox process (with thread
    /// isolation, one after the other): onRecord(i, findings) for each subject in order. A plugin that hangs
    /// or takes its process down costs that record one error finding; the batch goes on in a new process.
    void runChecksBatch(const std::vector<Subject>& subjects, PluginData& data, const std::string& today,
                        PluginRun* run, Lease& lease,
                        const std::function<void(std::size_t, std::vector<Finding>&)>& onRecord);

    /// How plugins are confined now, for GET /api/v1/plugins and the log.
    struct SandboxStatus {
        Isolation isolation = Isolation::Process;
        bool started = false; // a sandbox process has run (the rest is known only then)
        bool seccomp = false;
        std::string seccompError;
        std::int64_t addressSpaceBytes = 0;
    };
    SandboxStatus sandbox() const;

    /// Runs the validate hooks, in name order, until one refuses. A failing validate hook never refuses:
    /// it is reported as an error finding and the write goes on.
    ValidateResult runValidate(const Subject& subject, PluginData& data, const std::string& today,
                               PluginRun* run = nullptr);

private:
    template <class OnResult>
    void runHooks(HookKind kind, const Subject& subject, PluginData& data, const std::string& today,
                  PluginRun* run, Lease* held, OnResult&& onResult);
    /// A failed call's error finding, its failure counted in `run`; nullopt for a call that did not fail.
    std::optional<Finding> failureOf(const PluginSource& plugin, const std::string& hook, const Subject& subject,
                                     HookResult& result, PluginRun* run);

    PluginRegistry _registry;
    StatePool _pool;
    WorkerPool _workers;
    LogSink _log;
};

/// The error finding for a failed call: rule plugin.error / plugin.timeout / plugin.out_of_memory,
/// message "plugin X failed in checks.price on price 42: common/x.lua:7: …".
Finding failureFinding(const PluginSource& plugin, const std::string& hook, const Subject& subject,
                       const CallResult& call);

/// "price 42", "facility F-110108-0007", "burial_site (new)": how messages name a subject.
std::string subjectLabel(const Subject& subject);

} // namespace registry::plugins
