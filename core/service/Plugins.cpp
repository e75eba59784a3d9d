#include "service/Plugins.h"

#include "plugins/PluginHost.h"
#include "service/Permissions.h"
#include "service/Refusal.h"

namespace registry::service {

std::vector<plugins::PluginStatus> Plugins::list(const Principal& who) {
    requireOwn(who, Action::Read);
    return _c.plugins ? _c.plugins->plugins() : std::vector<plugins::PluginStatus>{};
}

Poco::JSON::Object::Ptr Plugins::sandbox() const {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!_c.plugins) return out;
    const auto status = _c.plugins->sandbox();
    const bool process = status.isolation == plugins::Isolation::Process;
    out->set("isolation", process ? "process" : "thread");
    out->set("seccomp", !process ? "off" : !status.started ? "not_started" : status.seccomp ? "enabled" : "refused");
    out->set("address_space_mb", process && status.addressSpaceBytes > 0
                                     ? Poco::Dynamic::Var(status.addressSpaceBytes >> 20)
                                     : Poco::Dynamic::Var());
    out->set("note", status.seccompError.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(status.seccompError));
    return out;
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
