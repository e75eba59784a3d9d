// /api/v1/plugins: which district rules run, and reloading them after an edit.

#include "http/Api.h"
#include "http/Responses.h"

namespace registry::http {

using auth::Action;

void addPluginRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/plugins", [&context](Exchange& ex) {
        ex.principal();
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        if (context.plugins)
            for (const auto& p : context.plugins->plugins()) out->add(plugins::toJson(p));
        ex.sendJson(200, out);
    });

    router.add("POST", "/api/v1/plugins/reload", [&context](Exchange& ex) {
        ex.require(Action::ManagePlugins);
        if (!context.plugins)
            throw HttpError({Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "插件未启用", "Plugins are off",
                             "本服务未加载插件目录", "this server runs without a plugins directory", {}});
        const auto report = context.plugins->reload();
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        out->set("active", report.active);
        out->set("failed", report.failed);
        out->set("changed", report.changed);
        if (!report.error.empty()) out->set("error", report.error);
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& p : context.plugins->plugins()) list->add(plugins::toJson(p));
        out->set("plugins", list);
        ex.sendJson(200, out);
    });
}

} // namespace registry::http
