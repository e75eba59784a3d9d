// /api/v1/plugins: which district rules run, and reloading them after an edit (service::Plugins).

#include "http/Api.h"
#include "http/Responses.h"
#include "service/Plugins.h"

namespace registry::http {

void addPluginRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/plugins", [&context](Exchange& ex) {
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        service::Plugins plugins(context.services());
        const auto sandbox = plugins.sandbox(); // the same for every plugin: they run in the same processes
        for (const auto& p : plugins.list(ex.principal())) {
            auto item = plugins::toJson(p);
            item->set("sandbox", sandbox);
            out->add(item);
        }
        ex.sendJson(200, out);
    });

    router.add("POST", "/api/v1/plugins/reload", [&context](Exchange& ex) {
        const auto reloaded = service::Plugins(context.services()).reload(ex.principal());
        const auto& report = reloaded.report;
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        out->set("active", report.active);
        out->set("failed", report.failed);
        out->set("changed", report.changed);
        if (!report.error.empty()) out->set("error", report.error);
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& p : reloaded.plugins) list->add(plugins::toJson(p));
        out->set("plugins", list);
        ex.sendJson(200, out);
    });
}

} // namespace registry::http
