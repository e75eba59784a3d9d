#include "app/PluginWatcher.h"

#include "domain/LogText.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/RecursiveDirectoryIterator.h>

namespace registry::app {

PluginWatcher::PluginWatcher(plugins::PluginHost& host, std::string directory, long intervalMs)
    : _host(host), _directory(std::move(directory)), _timer(intervalMs, intervalMs) {
    _last = fingerprint();
    if (intervalMs > 0) _timer.start(Poco::TimerCallback<PluginWatcher>(*this, &PluginWatcher::tick));
}

PluginWatcher::~PluginWatcher() { _timer.stop(); }

std::string PluginWatcher::fingerprint() const {
    std::string print;
    try {
        if (!Poco::File(_directory).exists()) return print;
        Poco::SimpleRecursiveDirectoryIterator end;
        for (Poco::SimpleRecursiveDirectoryIterator it(_directory); it != end; ++it) {
            const auto path = it->path();
            if (path.size() < 4 || path.compare(path.size() - 4, 4, ".lua") != 0) continue;
            print += path + ":" + std::to_string(it->getSize()) + ":" +
                     std::to_string(it->getLastModified().epochMicroseconds()) + ";";
        }
    } catch (const Poco::Exception&) {
        // A file removed while listing: the next tick sees the settled folder.
    }
    return print;
}

void PluginWatcher::tick(Poco::Timer&) {
    const std::string now = fingerprint();
    if (now == _last) return;
    _last = now;
    try {
        const auto report = _host.reload();
        Poco::Logger::get("registry.plugins")
            .information("plugins changed on disk: %z active, %z failed", report.active, report.failed);
    } catch (const std::exception& e) {
        Poco::Logger::get("registry.plugins").error("plugin reload failed: %s", domain::logSafe(e.what()));
    }
}

} // namespace registry::app
