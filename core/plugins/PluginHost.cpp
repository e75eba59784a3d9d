#include "plugins/PluginHost.h"

#include "plugins/LuaConvert.h"
#include "plugins/Protocol.h"

#include "metrics/Metrics.h"

#include <algorithm>
#include <functional>

namespace registry::plugins {

using Poco::JSON::Object;

PluginRun::PluginRun(int maxFailures) : _maxFailures(maxFailures) {}

bool PluginRun::skipped(const std::string& plugin) const {
    if (_skippedCount.load(std::memory_order_acquire) == 0) return false;
    std::lock_guard<std::mutex> lock(_mutex);
    const auto it = _failures.find(plugin);
    return _maxFailures > 0 && it != _failures.end() && it->second >= _maxFailures;
}

bool PluginRun::recordFailure(const std::string& plugin) {
    std::lock_guard<std::mutex> lock(_mutex);
    const bool reached = _maxFailures > 0 && ++_failures[plugin] == _maxFailures;
    if (reached) _skippedCount.fetch_add(1, std::memory_order_release);
    return reached;
}

int PluginRun::failures(const std::string& plugin) const {
    std::lock_guard<std::mutex> lock(_mutex);
    const auto it = _failures.find(plugin);
    return it == _failures.end() ? 0 : it->second;
}

namespace {

// What plugins did, by plugin name (the loaded plugins: a closed set) and hook.
struct PluginMetrics {
    metrics::CounterFamily& calls;
    metrics::CounterFamily& limitHits;
    metrics::CounterFamily& skipped;
    metrics::CounterFamily& sandboxStops;
    metrics::CounterFamily& refusals;
};

PluginMetrics& pluginMetrics() {
    auto& r = metrics::Registry::global();
    static PluginMetrics m{
        r.counter("registry_plugin_calls_total", "Calls of a plugin's hook, by how they ended",
                  {"plugin", "hook", "outcome"}),
        r.counter("registry_plugin_limit_hits_total",
                  "Calls stopped by a limit: time (instruction budget or wall time) or memory",
                  {"plugin", "limit"}),
        r.counter("registry_plugin_skipped_total",
                  "Runs (an audit, a write) in which a plugin failed too often and was skipped for the rest",
                  {"plugin"}),
        r.counter("registry_plugin_sandbox_stops_total",
                  "Sandbox processes that a plugin hung or took down (replaced by a new one)", {"plugin"}),
        r.counter("registry_plugin_refusals_total", "Writes a plugin's validate hook refused", {"plugin"}),
    };
    return m;
}

/// The record's effective_from for a price (ctx.reference_price caps as of that date), else "".
std::string priceDate(const Subject& subject) {
    if (subject.type != domain::SubjectType::Price) return {};
    if (!subject.view) return subject.price ? subject.price->effectiveFrom : std::string();
    const Object& view = *subject.view;
    if (view.has("effective_from") && view.get("effective_from").isString())
        return view.getValue<std::string>("effective_from");
    return {};
}

} // namespace

std::string subjectLabel(const Subject& subject) {
    std::string label = domain::toString(subject.type);
    if (!subject.view) {
        if (subject.type == domain::SubjectType::Price && subject.price && subject.price->id != 0)
            return label + " " + std::to_string(subject.price->id);
        if (subject.type == domain::SubjectType::Facility && subject.facility && !subject.facility->code.empty())
            return label + " " + subject.facility->code;
        if (subject.type == domain::SubjectType::BurialSite && subject.site && !subject.site->code.empty())
            return label + " " + subject.site->code;
        return label;
    }
    const Object& view = *subject.view;
    if (view.has("code") && view.get("code").isString() && !view.getValue<std::string>("code").empty())
        return label + " " + view.getValue<std::string>("code");
    if (view.has("id") && view.get("id").isInteger() && view.getValue<Poco::Int64>("id") != 0)
        return label + " " + std::to_string(view.getValue<Poco::Int64>("id"));
    return label + " (new)";
}

Finding failureFinding(const PluginSource& plugin, const std::string& hook, const Subject& subject,
                       const CallResult& call) {
    Finding finding;
    finding.plugin = plugin.manifest.name;
    finding.pluginVersion = plugin.manifest.version;
    finding.hook = hook;
    finding.rule = "plugin." + toString(call.outcome);
    finding.severity = domain::Severity::Error;
    finding.message = "plugin " + plugin.manifest.name + " failed in " + hook + " on " +
                      subjectLabel(subject) + ": " + call.message;
    finding.details->set("outcome", toString(call.outcome));
    finding.details->set("hook", hook);
    finding.details->set("error", call.message);
    if (!call.traceback.empty()) finding.details->set("traceback", call.traceback);
    return finding;
}

PluginHost::PluginHost(HostSettings settings, LogSink log)
    : _registry(std::move(settings), log), _pool(_registry, log), _workers(_registry, log), _log(log) {}

LoadReport PluginHost::load(const std::string& directory) {
    LoadReport report = _registry.load(directory);
    if (settings().isolation == Isolation::Process) {
        try {
            Lease warm = lease();
        } catch (const std::exception& e) {
            if (_log) _log("sandbox", std::string("cannot start a plugin sandbox process: ") + e.what());
        }
    }
    return report;
}

PluginHost::Lease PluginHost::lease() {
    if (settings().isolation == Isolation::Thread) return Lease(_pool.acquire());
    return Lease(_workers.acquire());
}

PluginHost::SandboxStatus PluginHost::sandbox() const {
    SandboxStatus status;
    status.isolation = settings().isolation;
    if (const auto confinement = _workers.confinement()) {
        status.started = true;
        status.seccomp = confinement->seccomp;
        status.seccompError = confinement->seccompError;
        status.addressSpaceBytes = confinement->addressSpaceBytes;
    }
    return status;
}

std::optional<Finding> PluginHost::failureOf(const PluginSource& plugin, const std::string& hook,
                                             const Subject& subject, HookResult& result, PluginRun* run) {
    if (result.droppedFindings > 0 && _log)
        _log(plugin.manifest.name, std::to_string(result.droppedFindings) + " findings beyond the limit of " +
                                       std::to_string(settings().maxFindingsPerCall) + " per call dropped");
    auto& m = pluginMetrics();
    m.calls.with({plugin.manifest.name, hook, toString(result.call.outcome)}).add();
    if (result.call.ok()) return std::nullopt;
    if (result.call.outcome == Outcome::Timeout || result.call.outcome == Outcome::OutOfMemory)
        m.limitHits.with({plugin.manifest.name, result.call.outcome == Outcome::Timeout ? "time" : "memory"}).add();
    Finding failure = failureFinding(plugin, hook, subject, result.call);
    if (run && run->recordFailure(plugin.manifest.name)) {
        m.skipped.with({plugin.manifest.name}).add();
        failure.message += " (failed " + std::to_string(settings().maxFailuresPerRun) +
                           " times in this run: skipped for the rest of it)";
        failure.details->set("skipped", true);
    }
    return failure;
}

template <class OnResult>
void PluginHost::runHooks(HookKind kind, const Subject& subject, PluginData& data, const std::string& today,
                          PluginRun* run, Lease* held, OnResult&& onResult) {
    if (!subject.present()) return;
    CallEnvironment environment;
    environment.data = &data;
    environment.today = today;
    environment.district = subject.district;
    environment.asOfDate = priceDate(subject); // caps as of the price's date
    if (environment.asOfDate.empty()) environment.asOfDate = today;

    const std::string& hook = hookName(kind, subject.type);
    std::optional<Lease> own;
    if (!held) own.emplace(lease());
    Lease& lease = held ? *held : *own;

    // One plugin's result: its failure counted and turned into a finding, then handed on. False: stop.
    const auto deliver = [&](const PluginSource& plugin, HookResult& result) {
        std::optional<Finding> failure = failureOf(plugin, hook, subject, result, run);
        return onResult(plugin, result, failure);
    };

    if (lease._worker) {
        WorkerPool::Lease& worker = *lease._worker;
        std::vector<const PluginSource*> chosen;
        for (const auto& plugin : worker.plugins().plugins)
            if (plugin->appliesTo(subject.district) && plugin->has(hook) &&
                !(run && run->skipped(plugin->manifest.name)))
                chosen.push_back(plugin.get());
        bool stopped = false;
        while (!chosen.empty() && !stopped) {
            const auto end = worker.process().call(kind, subject, environment, kind == HookKind::Validate, chosen,
                                                   [&](std::size_t i, HookResult& result) {
                                                       if (!stopped && !deliver(*chosen[i], result)) stopped = true;
                                                   });
            if (end.completed) break;
            // The plugin that hung or took the process down gets the error finding; the others go on in a
            // new process.
            HookResult failed;
            failed.call = end.failure;
            if (_log) _log(chosen[end.stoppedAt]->manifest.name, "sandbox process stopped: " + end.failure.message);
            pluginMetrics().sandboxStops.with({chosen[end.stoppedAt]->manifest.name}).add();
            if (!stopped && !deliver(*chosen[end.stoppedAt], failed)) stopped = true;
            chosen.erase(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(end.stoppedAt) + 1);
            worker.replace();
        }
        return;
    }

    StatePool::Lease& state = *lease._state;
    std::optional<PluginState::PreparedRecord> record; // one conversion for all plugins of this state
    for (const auto& plugin : state.plugins().plugins) {
        if (!plugin->appliesTo(subject.district) || !plugin->has(hook)) continue;
        if (run && run->skipped(plugin->manifest.name)) continue;
        if (state.state().exhausted()) {
            record.reset(); // belongs to the state about to be replaced
            state.refresh();
        }
        if (!record)
            record.emplace(state.state(), subject.type,
                           [&subject](lua_State* lua) { convert::pushSubject(lua, subject); });
        HookResult result = state.state().call(*plugin, kind, *record, environment);
        if (!deliver(*plugin, result)) return;
    }
}

std::vector<Finding> PluginHost::runChecks(const Subject& subject, PluginData& data, const std::string& today,
                                           PluginRun* run) {
    Lease held = lease();
    return runChecks(subject, data, today, run, held);
}

std::vector<Finding> PluginHost::runChecks(const Subject& subject, PluginData& data, const std::string& today,
                                           PluginRun* run, Lease& lease) {
    std::vector<Finding> findings;
    if (lease._worker) {
        // As a batch of one: what the checks will ask for (the item's caps, the record replaced) goes along
        // with the record, instead of a round trip to the server for each lookup.
        runChecksBatch({subject}, data, today, run, lease,
                       [&](std::size_t, std::vector<Finding>& found) { findings = std::move(found); });
        return findings;
    }
    runHooks(HookKind::Checks, subject, data, today, run, &lease,
             [&](const PluginSource&, HookResult& result, std::optional<Finding>& failure) {
                 for (auto& finding : result.findings)
                     findings.push_back(std::move(finding));
                 if (failure) findings.push_back(std::move(*failure));
                 return true;
             });
    return findings;
}

void PluginHost::runChecksBatch(const std::vector<Subject>& subjects, PluginData& data, const std::string& today,
                                PluginRun* run, Lease& lease,
                                const std::function<void(std::size_t, std::vector<Finding>&)>& onRecord) {
    if (!lease._worker) {
        for (std::size_t i = 0; i < subjects.size(); ++i) {
            auto findings = runChecks(subjects[i], data, today, run, lease);
            onRecord(i, findings);
        }
        return;
    }
    WorkerPool::Lease& worker = *lease._worker;
    const auto& set = worker.plugins().plugins;
    std::vector<SandboxProcess::BatchRecord> records(subjects.size());
    protocol::BatchPreload preload;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        const Subject& subject = subjects[i];
        auto& record = records[i];
        record.subject = &subject;
        if (!subject.present()) continue;
        record.asOfDate = priceDate(subject);
        if (record.asOfDate.empty()) record.asOfDate = today;
        const std::string& hook = hookName(HookKind::Checks, subject.type);
        for (std::size_t j = 0; j < set.size(); ++j)
            if (set[j]->appliesTo(subject.district) && set[j]->has(hook) && !(run && run->skipped(set[j]->manifest.name)))
                record.plugins.push_back(static_cast<std::uint32_t>(j));
        if (subject.type != domain::SubjectType::Price || subject.view || record.plugins.empty()) continue;
        // What the checks of a price will ask for, sent along: its item's caps, the record it replaced.
        if (!preload.caps.count(subject.price->item)) {
            std::vector<domain::ReferencePrice> caps;
            if (data.referencePricesOf(subject.price->item, caps)) preload.caps[subject.price->item] = std::move(caps);
        }
        const domain::PriceRecord* previous = nullptr;
        const domain::Facility* facility = nullptr;
        if (subject.price->id > 0 && data.previousRecord(subject.price->id, previous, facility)) {
            if (!previous || !facility)
                preload.previous[subject.price->id] = std::nullopt;
            else if (facility->district == subject.district) // else the server answers, and checks
                preload.previous[subject.price->id] = std::make_pair(*previous, *facility);
        }
    }

    std::vector<std::vector<Finding>> findings(subjects.size());
    std::size_t delivered = 0;
    int strays = 0; // failures outside any plugin call: the host's fault, not a plugin's
    for (;;) {
        std::vector<std::int64_t> failuresLeft(set.size(), -1);
        if (run && settings().maxFailuresPerRun > 0)
            for (std::size_t j = 0; j < set.size(); ++j)
                failuresLeft[j] = std::max(0, settings().maxFailuresPerRun - run->failures(set[j]->manifest.name));
        const auto end = worker.process().batch(
            today, preload, records, delivered, set, failuresLeft, &data,
            [&](std::size_t record, std::size_t position, HookResult& result) {
                const PluginSource& plugin = *set[records[record].plugins[position]];
                // The worker learns of a skip only with the next batch: what it ran since is dropped, as
                // if it had not run (as runChecks does).
                if (run && run->skipped(plugin.manifest.name)) return;
                const Subject& subject = subjects[record];
                for (auto& finding : result.findings) findings[record].push_back(std::move(finding));
                if (auto failure = failureOf(plugin, hookName(HookKind::Checks, subject.type), subject, result, run))
                    findings[record].push_back(std::move(*failure));
            },
            [&](std::size_t completed) {
                for (; delivered < completed; ++delivered) onRecord(delivered, findings[delivered]);
            });
        if (end.completed) return;
        if (!end.inCall) {
            if (++strays > 2) throw std::runtime_error("the plugin sandbox keeps failing outside any plugin call: " +
                                                       end.failure.message);
        } else {
            // The plugin that hung or took the process down gets the error finding; the rest of the
            // batch, that record's other plugins included, goes on in a new process.
            auto& record = records[end.stoppedRecord];
            const PluginSource& plugin = *set[record.plugins[end.stoppedAt]];
            const Subject& subject = subjects[end.stoppedRecord];
            if (_log) _log(plugin.manifest.name, "sandbox process stopped: " + end.failure.message);
            pluginMetrics().sandboxStops.with({plugin.manifest.name}).add();
            HookResult failed;
            failed.call = end.failure;
            if (!(run && run->skipped(plugin.manifest.name)))
                if (auto failure = failureOf(plugin, hookName(HookKind::Checks, subject.type), subject, failed, run))
                    findings[end.stoppedRecord].push_back(std::move(*failure));
            record.plugins.erase(record.plugins.begin() + static_cast<std::ptrdiff_t>(end.stoppedAt));
        }
        // Plugins skipped meanwhile (failed too often in this run) do not run on the rest of the batch.
        if (run)
            for (std::size_t i = delivered; i < records.size(); ++i) {
                auto& list = records[i].plugins;
                list.erase(std::remove_if(list.begin(), list.end(),
                                          [&](std::uint32_t j) { return run->skipped(set[j]->manifest.name); }),
                           list.end());
            }
        worker.replace();
    }
}

ValidateResult PluginHost::runValidate(const Subject& subject, PluginData& data, const std::string& today,
                                       PluginRun* run) {
    ValidateResult out;
    runHooks(HookKind::Validate, subject, data, today, run, nullptr,
             [&](const PluginSource& plugin, HookResult& result, std::optional<Finding>& failure) {
                 for (auto& finding : result.findings)
                     out.findings.push_back(std::move(finding));
                 if (failure) out.findings.push_back(std::move(*failure));
                 if (result.refusal) {
                     pluginMetrics().refusals.with({plugin.manifest.name}).add();
                     out.refusal = Refusal{plugin.manifest.name, *result.refusal, plugin.manifest.version};
                     return false;
                 }
                 return true;
             });
    return out;
}

} // namespace registry::plugins
