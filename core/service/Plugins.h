#pragma once
// Which district rules run, and reloading them after an edit.

#include "plugins/PluginRegistry.h"
#include "service/Context.h"

#include <vector>

namespace registry::service {

struct PluginReload {
    plugins::LoadReport report;
    std::vector<plugins::PluginStatus> plugins; // as they run after the reload
};

class Plugins {
public:
    explicit Plugins(Context context) : _c(std::move(context)) {}

    /// Every signed-in role may see which rules run (empty without a plugin host).
    std::vector<plugins::PluginStatus> list(const Principal& who);
    bool enabled() const { return _c.plugins != nullptr; }
    bool mayReload(const Principal& who) const;
    /// Throws NotAllowed, or Unavailable when this server runs without plugins.
    PluginReload reload(const Principal& who);
    /// How the plugins are confined: {"isolation","seccomp","address_space_mb","note"} (PluginHost).
    Poco::JSON::Object::Ptr sandbox() const;

private:
    Context _c;
};

} // namespace registry::service
