// Loading plugins.dir and the active managed versions for the verbs that run district rules outside the server (import, audit).

#include "app/RegistryApp.h"

#include "plugins/PluginHost.h"
#include "service/PluginVersions.h"

#include <iostream>

namespace registry::app {

plugins::LoadReport RegistryApp::loadPlugins(plugins::PluginHost& host, store::Database& db, bool quietWhenNone) {
    const std::string dir = settings().pluginsDir;
    host.load(dir);
    // And the active managed versions, as the server runs them.
    const auto loaded = service::loadManagedPlugins(db, host);
    if (!loaded.error.empty() && !quietWhenNone)
        std::cerr << "funeral-registry: warning: " << loaded.error
                  << (loaded.active == 0 ? ": no district rule runs\n" : "\n");
    else if (!loaded.error.empty() && loaded.active > 0)
        std::cerr << "funeral-registry: warning: " << loaded.error << "\n";
    else if (loaded.failed > 0)
        std::cerr << "funeral-registry: " << loaded.failed << " plugin(s) in " << dir
                  << " failed to load and do not run (see funeral-registry plugin test)\n";
    return loaded;
}

} // namespace registry::app
