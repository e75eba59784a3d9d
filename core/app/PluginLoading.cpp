// Loading plugins.dir for the verbs that run district rules outside the server (import, audit).

#include "app/RegistryApp.h"

#include "plugins/PluginHost.h"

#include <iostream>

namespace registry::app {

plugins::LoadReport RegistryApp::loadPlugins(plugins::PluginHost& host) {
    const std::string dir = settings().pluginsDir;
    const auto loaded = host.load(dir);
    if (!loaded.error.empty())
        std::cerr << "funeral-registry: warning: " << loaded.error << ": no district rule runs\n";
    else if (loaded.failed > 0)
        std::cerr << "funeral-registry: " << loaded.failed << " plugin(s) in " << dir
                  << " failed to load and do not run (see funeral-registry plugin test)\n";
    return loaded;
}

} // namespace registry::app
