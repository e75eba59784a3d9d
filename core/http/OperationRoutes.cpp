// Operations: /healthz (the process answers), /readyz (and so does the database), /metrics (Prometheus),
// and the change log.

#include "http/Api.h"
#include "http/Networks.h"
#include "http/Responses.h"
#include "service/Changes.h"
#include "service/MetricsReport.h"

#include <Poco/JSON/Parser.h>

namespace registry::http {

void addOperationRoutes(Router& router, ApiContext& context) {
    router.add(
        "GET", "/healthz",
        [](Exchange& ex) {
            Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
            body->set("status", "ok");
            ex.sendJson(200, body);
        },
        false);

    router.add(
        "GET", "/readyz",
        [&context](Exchange& ex) {
            if (!context.db.ping()) {
                HttpError e({Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "服务暂不可用", "Service unavailable",
                             "数据库暂时无法访问,请稍后重试", "The database cannot be reached now; retry later", {}});
                e.headers["Retry-After"] = "5";
                throw e;
            }
            Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
            body->set("status", "ready");
            body->set("database", "ok");
            ex.sendJson(200, body);
        },
        false);

    // Not signed in: a scraper has no account. Who may read it is decided by address (http.metrics_from,
    // loopback by default), as the client is known after http.trusted_proxies.
    auto report = std::make_shared<service::MetricsReport>(context.services(), context.today,
                                                           context.limits.metricsCacheSeconds);
    router.add(
        "GET", "/metrics",
        [&context, report, from = NetworkList::parse(context.limits.metricsFrom)](Exchange& ex) {
            const std::string client = clientAddress(ex.request(), context.limits);
            if (!from.contains(client))
                throw HttpError::forbidden("指标只对 http.metrics_from 中的地址开放(默认仅本机)",
                                           "metrics are served only to the addresses in http.metrics_from "
                                           "(by default this machine only); " + client + " is not one");
            ex.response().set("Cache-Control", "no-store");
            ex.sendText(200, "text/plain; version=0.0.4; charset=utf-8", report->render());
        },
        false);

    // The change log spans every district, so it is for citywide admins and auditors.
    router.add("GET", "/api/v1/changes", [&context](Exchange& ex) {
        service::ChangeFilter filter;
        filter.entity = ex.query("entity");
        filter.entityId = ex.queryId("entity_id");
        const auto page = service::Changes(context.services()).list(ex.principal(), filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        Poco::JSON::Parser parser;
        for (const auto& c : page.items) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            o->set("id", c.id);
            o->set("at", c.at);
            o->set("actor", c.actor);
            o->set("action", c.action);
            o->set("entity", c.entity);
            o->set("entity_id", c.entityId);
            o->set("before", c.beforeJson ? parser.parse(*c.beforeJson) : Poco::Dynamic::Var());
            parser.reset();
            o->set("after", c.afterJson ? parser.parse(*c.afterJson) : Poco::Dynamic::Var());
            parser.reset();
            items->add(o);
        }
        ex.sendPage(items, page.nextAfterId);
    });
}

} // namespace registry::http
