#pragma once
// Picks up edited plugins without a restart: every interval it compares the size and modification time of
// every *.lua under plugins.dir with what it saw last, and reloads the host when anything changed.

#include "plugins/PluginHost.h"

#include <Poco/Timer.h>

#include <string>

namespace registry::app {

class PluginWatcher {
public:
    /// `intervalMs` 0 turns watching off (reload only through POST /api/v1/plugins/reload).
    PluginWatcher(plugins::PluginHost& host, std::string directory, long intervalMs);
    ~PluginWatcher();

private:
    void tick(Poco::Timer&);
    std::string fingerprint() const;

    plugins::PluginHost& _host;
    std::string _directory;
    std::string _last;
    Poco::Timer _timer;
};

} // namespace registry::app
