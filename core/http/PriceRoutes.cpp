// /api/v1/prices: price records (service::Prices). No PUT and no DELETE: a new record for the same
// facility and item supersedes the current one, so the history of every price stays readable.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Prices.h"

namespace registry::http {

void addPriceRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/prices", [&context](Exchange& ex) {
        service::PriceFilter filter;
        filter.district = districtParam(ex);
        filter.facilityId = ex.queryId("facility_id");
        filter.item = ex.query("item");
        filter.currentOnly = ex.queryFlag("current");
        sendPageOf(ex, service::Prices(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("GET", "/api/v1/prices/{id}", [&context](Exchange& ex) {
        const auto price = service::Prices(context.services()).get(ex.principal(), ex.id());
        ex.sendRecordText(200, codec::toJsonText(price), price.version);
    });

    router.add("POST", "/api/v1/prices", [&context](Exchange& ex) {
        const auto written = service::Prices(context.services()).create(ex.principal(), [&ex] {
            domain::Validator errors;
            auto price = codec::decodePriceRecord(*ex.jsonBody(), errors);
            return draft(std::move(price), errors);
        });
        ex.response().set("Location", "/api/v1/prices/" + std::to_string(written.record.id));
        ex.sendRecord(201, writtenJson(written), written.record.version);
    });
}

} // namespace registry::http
