#pragma once
// Where a plugin file runs on its own: when the registry checks a file before it joins the plugin set,
// and for `plugin check` / `plugin test`. With process isolation that is a sandbox process of its own
// (started on first use, started again after one was ended), so a file that hangs in its top-level code
// or in a test case is stopped there, with the same limits as on the server; with thread isolation, a
// throwaway Lua state in this process.
//
// Not thread-safe: one thread uses a scratch at a time.

#include "plugins/Limits.h"
#include "plugins/PluginState.h"
#include "plugins/SandboxProcess.h"

#include <memory>
#include <string>
#include <vector>

namespace registry::plugins {

class Scratch {
public:
    Scratch(HostSettings settings, LogSink log);
    ~Scratch();

    const HostSettings& settings() const { return _settings; }

    /// Runs `code` as `file` in a fresh state and reads its manifest (PluginState::load). On success the
    /// plugin stays loaded for call(); `districts` are where its lookups may reach.
    LoadResult load(const std::string& code, const std::string& file, const Poco::JSON::Object& config,
                    const std::vector<std::string>& districts = {});

    /// One hook of `plugin` (the one loaded last) on a view.
    HookResult call(const PluginSource& plugin, HookKind kind, domain::SubjectType subject,
                    const Poco::JSON::Object& view, const CallEnvironment& environment);

private:
    HostSettings _settings;
    LogSink _log;
    std::unique_ptr<SandboxProcess> _process;
    std::unique_ptr<PluginState> _state;
};

} // namespace registry::plugins
