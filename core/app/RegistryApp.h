#pragma once
// The funeral-registry executable: settings, then one verb. Wiring only; the work is in the modules.

#include "app/Settings.h"
#include "service/AuditService.h"
#include "domain/BurialSite.h"

#include <Poco/Util/ServerApplication.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {
class Database;
}
namespace registry::plugins {
class PluginHost;
struct LoadReport;
} // namespace registry::plugins

namespace registry::app {

/// The command line as the operator typed it, split into global options and the verb with its arguments.
struct CommandLine {
    std::string configFile;   // --config FILE (empty: etc/registry.properties if present)
    bool configExplicit = false;
    std::vector<std::pair<std::string, std::string>> overrides; // --set KEY=VALUE, in order
    std::string verb;
    std::vector<std::string> args;
    bool help = false;

    /// Throws std::invalid_argument with a message for the operator.
    static CommandLine parse(int argc, char** argv);
};

class RegistryApp : public Poco::Util::ServerApplication {
public:
    explicit RegistryApp(CommandLine commandLine);
    ~RegistryApp() override;

    /// Every setting, read and checked from the configuration on first use (std::invalid_argument naming
    /// the key for a bad value).
    const Settings& settings();

    /// Opens the database that `db.url` names (migrating it first when `migrate` is true).
    std::unique_ptr<store::Database> openDatabase(bool migrate);

protected:
    void initialize(Poco::Util::Application& self) override;
    int main(const std::vector<std::string>& args) override;

private:
    int serve();
    int migrate();
    int version();
    int user(const std::vector<std::string>& args);
    int demoData(const std::vector<std::string>& args);
    int importVerb(const std::vector<std::string>& args);
    int pluginVerb(const std::vector<std::string>& args);
    int exportVerb(const std::vector<std::string>& args);
    int auditVerb(const std::vector<std::string>& args);
    int backupVerb(const std::vector<std::string>& args);
    int restoreVerb(const std::vector<std::string>& args);
    /// Loads plugins.dir into `host`; says on stderr what did not load.
    // quietWhenNone: the caller reports "nothing loaded" itself (the audit verb refuses to run).
    plugins::LoadReport loadPlugins(plugins::PluginHost& host, store::Database& db, bool quietWhenNone = false);
    /// `alerts`: the mail to record when an audit opens violations (null: none).
    service::AuditServiceSettings auditServiceSettings(const std::string& instanceId, std::function<std::string()> today,
                                                       const service::Alerts* alerts);

    CommandLine _commandLine;
    std::optional<Settings> _settings;
};

/// Usage text of the whole program or of one verb.
std::string usage(const std::string& verb = "");

} // namespace registry::app
