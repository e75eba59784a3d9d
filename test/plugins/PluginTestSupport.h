#pragma once
// Helpers for the plugin host's tests: a state with one plugin loaded from text, and one call of a hook.

#include "plugins/PluginState.h"

#include <Poco/JSON/Object.h>

#include <memory>
#include <string>
#include <vector>

namespace registry::test {

/// A folder of plugin files under the system temp folder, removed afterwards.
class TempPluginDir {
public:
    TempPluginDir();
    ~TempPluginDir();
    TempPluginDir(const TempPluginDir&) = delete;
    TempPluginDir& operator=(const TempPluginDir&) = delete;
    /// Writes `content` to `relative` ("common/x.lua"), creating folders.
    void write(const std::string& relative, const std::string& content) const;
    void remove(const std::string& relative) const;
    std::string path() const { return _path; }
    std::string path(const std::string& relative) const { return _path + "/" + relative; }

private:
    std::string _path;
};

/// The documented defaults, with sandbox processes of the built funeral-registry (a test binary has no
/// plugin-worker verb of its own).
plugins::HostSettings defaultSettings();

/// Limits small enough that a runaway plugin ends within milliseconds, sandbox processes as above.
plugins::HostSettings fastSettings();

/// A minimal price view in district 110108.
Poco::JSON::Object::Ptr samplePriceView();

/// Log lines a state wrote, "plugin: line".
struct CapturedLog {
    std::vector<std::string> lines;
    plugins::LogSink sink();
};

/// A PluginSource from text, as the registry would hold it after a good check.
std::shared_ptr<plugins::PluginSource> sourceOf(const std::string& file, const std::string& code,
                                                const plugins::Manifest& manifest);

/// One state with the plugin in `code` loaded (the test fails if it does not load), and a price hook call.
class OnePlugin {
public:
    OnePlugin(const std::string& code, plugins::HostSettings settings = fastSettings(),
              const std::string& file = "common/test.lua");
    plugins::HookResult call(plugins::HookKind kind = plugins::HookKind::Checks,
                             domain::SubjectType subject = domain::SubjectType::Price,
                             Poco::JSON::Object::Ptr view = nullptr);
    plugins::PluginState& state() { return *_state; }
    const plugins::PluginSource& source() const { return *_source; }
    CapturedLog log;
    plugins::NoPluginData noData;
    plugins::CallEnvironment environment;

private:
    plugins::HostSettings _settings;
    std::unique_ptr<plugins::PluginState> _state;
    std::shared_ptr<plugins::PluginSource> _source;
};

} // namespace registry::test
