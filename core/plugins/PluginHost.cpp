#include "plugins/PluginHost.h"

#include "plugins/LuaConvert.h"

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

bool Subject::present() const {
    if (view) return true;
    switch (type) {
    case domain::SubjectType::Price:
        return price && facility;
    case domain::SubjectType::Facility:
        return facility != nullptr;
    case domain::SubjectType::BurialSite:
        return site != nullptr;
    }
    return false;
}

namespace {

/// The record's effective_from for a price (ctx.reference_price caps as of that date), else "".
std::string priceDate(const Subject& subject) {
    if (subject.type != domain::SubjectType::Price) return {};
    if (!subject.view) return subject.price ? subject.price->effectiveFrom : std::string();
    const Object& view = *subject.view;
    if (view.has("effective_from") && view.get("effective_from").isString())
        return view.getValue<std::string>("effective_from");
    return {};
}

/// Pushes the subject's table: its view, or its records.
std::function<void(lua_State*)> subjectPusher(const Subject& subject) {
    return [&subject](lua_State* lua) {
        if (subject.view) {
            const std::string what = domain::toString(subject.type);
            convert::pushView(lua, *subject.view, what.c_str());
        } else if (subject.type == domain::SubjectType::Price) {
            convert::pushPrice(lua, *subject.price, *subject.facility);
        } else if (subject.type == domain::SubjectType::Facility) {
            convert::pushFacility(lua, *subject.facility);
        } else {
            convert::pushBurialSite(lua, *subject.site);
        }
    };
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
    : _registry(std::move(settings), log), _pool(_registry, log), _log(log) {}

template <class OnResult>
void PluginHost::runHooks(HookKind kind, const Subject& subject, PluginData& data, const std::string& today,
                          PluginRun* run, StatePool::Lease* held, OnResult&& onResult) {
    if (!subject.present()) return;
    CallEnvironment environment;
    environment.data = &data;
    environment.today = today;
    environment.district = subject.district;
    environment.asOfDate = priceDate(subject); // caps as of the price's date
    if (environment.asOfDate.empty()) environment.asOfDate = today;

    const std::string& hook = hookName(kind, subject.type);
    std::optional<StatePool::Lease> own;
    if (!held) own.emplace(_pool.acquire());
    StatePool::Lease& lease = held ? *held : *own;
    std::optional<PluginState::PreparedRecord> record; // one conversion for all plugins of this state
    for (const auto& plugin : lease.plugins().plugins) {
        if (!plugin->appliesTo(subject.district) || !plugin->has(hook)) continue;
        if (run && run->skipped(plugin->manifest.name)) continue;
        if (lease.state().exhausted()) {
            record.reset(); // belongs to the state about to be replaced
            lease.refresh();
        }
        if (!record) record.emplace(lease.state(), subject.type, subjectPusher(subject));
        HookResult result = lease.state().call(*plugin, kind, *record, environment);
        if (result.droppedFindings > 0 && _log)
            _log(plugin->manifest.name,
                 std::to_string(result.droppedFindings) + " findings beyond the limit of " +
                     std::to_string(settings().maxFindingsPerCall) + " per call dropped");
        std::optional<Finding> failure;
        if (!result.call.ok()) {
            failure = failureFinding(*plugin, hook, subject, result.call);
            if (run && run->recordFailure(plugin->manifest.name)) {
                failure->message += " (failed " + std::to_string(settings().maxFailuresPerRun) +
                                    " times in this run: skipped for the rest of it)";
                failure->details->set("skipped", true);
            }
        }
        if (!onResult(*plugin, result, failure)) return;
    }
}

std::vector<Finding> PluginHost::runChecks(const Subject& subject, PluginData& data, const std::string& today,
                                           PluginRun* run) {
    StatePool::Lease lease = _pool.acquire();
    return runChecks(subject, data, today, run, lease);
}

std::vector<Finding> PluginHost::runChecks(const Subject& subject, PluginData& data, const std::string& today,
                                           PluginRun* run, StatePool::Lease& lease) {
    std::vector<Finding> findings;
    runHooks(HookKind::Checks, subject, data, today, run, &lease,
             [&](const PluginSource&, HookResult& result, std::optional<Finding>& failure) {
                 for (auto& finding : result.findings)
                     findings.push_back(std::move(finding));
                 if (failure) findings.push_back(std::move(*failure));
                 return true;
             });
    return findings;
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
                     out.refusal = Refusal{plugin.manifest.name, *result.refusal};
                     return false;
                 }
                 return true;
             });
    return out;
}

} // namespace registry::plugins
