#pragma once
// Managed plugins (API.md, Managed plugins): district IT submit a plugin with its tests, the tests run in
// the sandbox, a version exists only when every case passed; activating a version makes every instance
// run it (PluginSync), rolling back is activating an older one.
//
// Who may: ManagePlugins on the plugin's district (`<pinyin>.*`), or on the city for `common.*`; reading
// versions is Read on the same target. A plugin's name decides its target, so a district's IT can neither
// submit nor activate another district's or a citywide plugin.

#include "domain/Audit.h"
#include "domain/PluginVersion.h"
#include "plugins/PluginHost.h"
#include "plugins/PluginTestRunner.h"
#include "service/Context.h"

#include <Poco/Timer.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace registry::service {

struct PluginSubmission {
    std::string source;
    std::string tests;
    std::optional<std::string> note;
};

struct SubmittedVersion {
    domain::PluginVersion version;
    bool existed = false; // the same text was submitted before under this name and version
};

/// {"passed","failed","cases":[{"name","ok","message"}]} of a test run.
Poco::JSON::Object::Ptr testsJson(const plugins::SourceTestReport& report);

class PluginVersions {
public:
    /// Texts longer than this are refused (each of source and tests).
    static constexpr std::size_t kMaxSourceBytes = 256 * 1024;

    explicit PluginVersions(Context context) : _c(std::move(context)) {}

    /// Loads the source in the sandbox and runs its tests there. Refuses (Invalid, with every case in
    /// extraJson) a source that does not load, a test file without cases, or any failing case; NotAllowed
    /// for a name outside the principal's reach; Conflict when name+version was used for another text.
    SubmittedVersion submit(const Principal& who, const PluginSubmission& submission);

    /// Every version of `name`, newest first; NotFound when it has none the principal may see.
    std::vector<domain::PluginVersion> versions(const Principal& who, const std::string& name);
    domain::PluginVersion version(const Principal& who, const std::string& name, const std::string& version);

    /// Queues a dry run of `version` over the plugin's district (the city for common.*): an audit run in
    /// which this version runs alone and no finding is written; its report lists what would change.
    /// NotFound for an unknown version; Unavailable when this server runs no audits.
    domain::AuditRun dryRun(const Principal& who, const std::string& name, const std::string& version);

    /// Activates `version` (the active one is retired) and loads the active set on this server at once;
    /// other instances follow within plugins.sync_seconds.
    domain::PluginVersion activate(const Principal& who, const std::string& name, const std::string& version);
    /// Stops the active version of `name` (a bundled plugin of that name runs again). NotFound when none is
    /// active.
    void deactivate(const Principal& who, const std::string& name);

private:
    /// The plugin's target for the permission table: nullopt for common.*, the district of `<pinyin>.*`.
    /// Invalid for a name that is neither.
    std::optional<std::string> targetOf(const std::string& name) const;

    Context _c;
};

/// Loads the active managed versions into `host` (PluginRegistry::setManaged).
plugins::LoadReport loadManagedPlugins(store::Database& db, plugins::PluginHost& host);

/// Every `intervalMs`, reads the generation counter (one row) and loads the active managed versions
/// again when it changed: how every instance comes to run what was activated on any of them.
class PluginSync {
public:
    /// Loads once now; `intervalMs` 0 loads only now.
    PluginSync(store::Database& db, plugins::PluginHost& host, long intervalMs);
    ~PluginSync();

    /// Reads the counter and loads when it moved; true when it loaded.
    bool poll();

private:
    void tick(Poco::Timer&);

    store::Database& _db;
    plugins::PluginHost& _host;
    std::atomic<long long> _seen{-1};
    Poco::Timer _timer;
};

} // namespace registry::service
