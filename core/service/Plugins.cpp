#include "service/Plugins.h"

#include "plugins/PluginHost.h"
#include "service/Permissions.h"
#include "service/Refusal.h"

namespace registry::service {

std::vector<plugins::PluginStatus> Plugins::list(const Principal& who) {
    requireOwn(who, Action::Read);
    return _c.plugins ? _c.plugins->plugins() : std::vector<plugins::PluginStatus>{};
}

bool Plugins::mayReload(const Principal& who) const { return mayOwn(who, Action::ManagePlugins); }

PluginReload Plugins::reload(const Principal& who) {
    requireOwn(who, Action::ManagePlugins);
    if (!_c.plugins) throw Unavailable("本服务未加载插件目录", "this server runs without a plugins directory");
    PluginReload out;
    out.report = _c.plugins->reload();
    out.plugins = _c.plugins->plugins();
    return out;
}

} // namespace registry::service
