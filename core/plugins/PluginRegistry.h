#pragma once
// The plugins the server runs: loaded from plugins.dir (common/*.lua citywide, <pinyin>/*.lua for one
// district, never *_test.lua), each checked in a throwaway sandbox first. A file that fails stays listed
// as failed with its error; a changed file that fails leaves its last good version running. Readers get an
// immutable snapshot (PluginSet), so a reload never changes the plugins under a running audit.
//
// Thread-safe: load/reload serialise; current() and list() may be called from any thread at any time.

#include "plugins/Limits.h"
#include "plugins/Plugin.h"
#include "plugins/PluginState.h"
#include "plugins/Scratch.h"

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace registry::plugins {

/// One line of GET /api/v1/plugins.
struct PluginStatus {
    std::string name; // the manifest's, or the file when the manifest could not be read
    std::string file; // relative to plugins.dir: "haidian/water_source.lua"
    std::string version;
    std::vector<std::string> districts; // empty: citywide
    std::vector<std::string> hooks;
    std::string sha256;   // of the file on disk
    std::string loadedAt; // of the version running; empty when none runs
    bool active = false;  // "active": a version runs; "failed": none does
    std::string error;    // why the file on disk did not load (also when an older version still runs)
    bool managed = false; // origin "uploaded" (a managed version submitted over the API) or "bundled" (plugins.dir)
    std::string replacedBy; // a bundled file whose name an active managed version took: that version
};

/// {"name","file","version","districts","hooks","sha256","loaded_at","status":"active"|"failed"|"replaced",
///  "origin":"bundled"|"uploaded","active_version","error"}.
Poco::JSON::Object::Ptr toJson(const PluginStatus& status);

/// An immutable snapshot of the running plugins.
struct PluginSet {
    std::uint64_t generation = 0;
    std::vector<std::shared_ptr<const PluginSource>> plugins; // running, in name order
    std::vector<PluginStatus> statuses;                       // every file, in name order

    /// The running plugins that apply to `district` (citywide ones included), in name order.
    std::vector<std::shared_ptr<const PluginSource>> forDistrict(const std::string& district) const;
};

/// An active managed version, as PluginRegistry::setManaged takes it.
struct ManagedSource {
    std::string file; // "haidian/cap-check@1.1.0.lua" (domain::PluginVersion::file)
    std::string code;
};

struct LoadReport {
    std::size_t active = 0; // plugins running after the load
    std::size_t failed = 0; // files that did not load (some may have an older version running)
    bool changed = false;   // anything differs from before
    std::string error;      // the directory itself could not be read; nothing changed then
};

class PluginRegistry {
public:
    /// `log` receives what plugins print while they are checked.
    explicit PluginRegistry(HostSettings settings, LogSink log = serverLogSink());

    /// Loads every plugin under `directory`. Never throws for a bad plugin; see LoadReport.
    LoadReport load(const std::string& directory);

    /// Loads the directory of the last load() again: unchanged files (same sha256) are kept as they are.
    LoadReport reload();

    /// The active managed versions from now on (replacing the ones set before), loaded with the directory
    /// of the last load(): a managed version replaces a bundled plugin of the same name. One that fails to
    /// load here is reported in its status, and the version of its name that ran before goes on running.
    LoadReport setManaged(std::vector<ManagedSource> managed);

    std::shared_ptr<const PluginSet> current() const;
    std::vector<PluginStatus> list() const { return current()->statuses; }
    const HostSettings& settings() const { return _settings; }
    const std::string& directory() const { return _directory; }

private:
    LoadReport loadLocked(const std::string& directory);

    HostSettings _settings;
    LogSink _log;
    std::mutex _loading; // one load at a time
    std::string _directory;
    std::vector<ManagedSource> _managed; // guarded by _loading
    mutable std::mutex _mutex; // guards _current
    std::shared_ptr<const PluginSet> _current;
};

/// The result of checking one plugin file on its own, as the registry and `plugin check` do.
struct CheckedPlugin {
    std::shared_ptr<PluginSource> source; // null when the file did not load
    std::string name;                     // the manifest's name when it could be read
    std::string error;                    // "common/x.lua:3: ..." when it did not load
};

/// Checks `code` as the file `file` (relative path, whose folder decides where it may apply) in a
/// scratch state: runs it, reads its manifest, places it, builds its config from the scratch's
/// pluginSettings.
CheckedPlugin checkPluginSource(const std::string& code, const std::string& file, Scratch& scratch);
/// The same in a scratch of its own (a sandbox process started for this one file, with process isolation).
CheckedPlugin checkPluginSource(const std::string& code, const std::string& file,
                                const HostSettings& settings, const LogSink& log);

/// Hex SHA-256 of a file's bytes.
std::string sha256Hex(const std::string& bytes);

} // namespace registry::plugins
