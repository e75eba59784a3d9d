// /api/v1/burial-sites: historical burial sites and scattered graves, their forward-only rectification
// status, and the append-only progress log (service::BurialSites).

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/BurialSites.h"

namespace registry::http {

void addBurialSiteRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/burial-sites", [&context](Exchange& ex) {
        service::BurialSiteFilter filter;
        filter.district = districtParam(ex);
        filter.kind = ex.queryEnum<domain::BurialSiteKind>("kind");
        filter.status = ex.queryEnum<domain::BurialSiteStatus>("status");
        filter.measure = ex.queryEnum<domain::Measure>("measure");
        filter.overdueOnly = ex.queryFlag("overdue");
        sendPageOf(ex, service::BurialSites(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("POST", "/api/v1/burial-sites", [&context](Exchange& ex) {
        const auto written = service::BurialSites(context.services()).create(ex.principal(), [&ex] {
            domain::Validator errors;
            auto site = codec::decodeBurialSite(*ex.jsonBody(), errors);
            return draft(std::move(site), errors);
        });
        ex.response().set("Location", "/api/v1/burial-sites/" + std::to_string(written.record.id));
        ex.sendRecord(201, writtenJson(written), written.record.version);
    });

    router.add("GET", "/api/v1/burial-sites/{id}", [&context](Exchange& ex) {
        const auto site = service::BurialSites(context.services()).get(ex.principal(), ex.id());
        ex.sendRecordText(200, codec::toJsonText(site), site.version);
    });

    router.add("PUT", "/api/v1/burial-sites/{id}", [&context](Exchange& ex) {
        const auto written = service::BurialSites(context.services()).update(ex.principal(), ex.id(), [&ex] {
            const long long expected = ex.ifMatch();
            domain::Validator errors;
            auto site = codec::decodeBurialSite(*ex.jsonBody(), errors);
            return draft(std::move(site), errors, expected);
        });
        ex.sendRecord(200, writtenJson(written), written.record.version);
    });

    router.add("GET", "/api/v1/burial-sites/{id}/progress", [&context](Exchange& ex) {
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& e : service::BurialSites(context.services()).progress(ex.principal(), ex.id()))
            items->add(codec::toJson(e));
        Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        body->set("items", items);
        body->set("next_cursor", Poco::Dynamic::Var());
        ex.sendJson(200, body);
    });

    router.add("POST", "/api/v1/burial-sites/{id}/progress", [&context](Exchange& ex) {
        const auto written = service::BurialSites(context.services()).appendProgress(ex.principal(), ex.id(), [&ex] {
            domain::Validator errors;
            auto entry = codec::decodeProgressEntry(*ex.jsonBody(), errors);
            return draft(std::move(entry), errors);
        });
        Poco::JSON::Object::Ptr out = codec::toJson(written.entry);
        out->set("site", codec::toJson(written.site));
        out->set("checks", checksJson(written.checks));
        ex.response().set("ETag", "\"" + std::to_string(written.site.version) + "\"");
        ex.sendJson(201, out);
    });
}

} // namespace registry::http
