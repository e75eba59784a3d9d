#include "plugins/Scratch.h"

namespace registry::plugins {

Scratch::Scratch(HostSettings settings, LogSink log) : _settings(std::move(settings)), _log(std::move(log)) {}

Scratch::~Scratch() = default;

LoadResult Scratch::load(const std::string& code, const std::string& file, const Poco::JSON::Object& config,
                         const std::vector<std::string>& districts) {
    if (_settings.isolation == Isolation::Thread) {
        _state = std::make_unique<PluginState>(_settings, _log);
        return _state->load(code, file, config);
    }
    if (!_process || !_process->alive())
        _process = std::make_unique<SandboxProcess>(
            _settings.workerExecutable.empty() ? defaultWorkerExecutable() : _settings.workerExecutable, _settings,
            _log);
    return _process->loadFile(code, file, config, districts, true);
}

HookResult Scratch::call(const PluginSource& plugin, HookKind kind, domain::SubjectType subject,
                         const Poco::JSON::Object& view, const CallEnvironment& environment) {
    if (_settings.isolation == Isolation::Thread) {
        if (!_state) {
            HookResult result;
            result.call.outcome = Outcome::Error;
            result.call.message = "not loaded";
            return result;
        }
        return _state->call(plugin, kind, subject, view, environment);
    }
    HookResult out;
    if (!_process || !_process->alive()) {
        out.call.outcome = Outcome::Error;
        out.call.message = "not loaded (the sandbox process was ended)";
        return out;
    }
    const Subject target{subject, &view, environment.district};
    const auto end = _process->call(kind, target, environment, false, {&plugin},
                                    [&](std::size_t, HookResult& result) { out = std::move(result); });
    if (!end.completed) {
        out = HookResult{};
        out.call = end.failure;
    }
    return out;
}

} // namespace registry::plugins
