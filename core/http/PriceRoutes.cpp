// /api/v1/prices: price records. No PUT and no DELETE: a new record for the same facility and item
// supersedes the current one, so the history of every price stays readable.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/FacilityRepository.h"
#include "store/PriceRepository.h"

namespace registry::http {

using auth::Action;

void addPriceRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/prices", [&context](Exchange& ex) {
        store::PriceFilter filter;
        filter.district = ex.listDistrict(districtParam(ex));
        filter.facilityId = ex.queryId("facility_id");
        filter.item = ex.query("item");
        filter.currentOnly = ex.queryFlag("current");
        const auto page = store::PriceRepository(context.db).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& p : page.items) items->add(codec::toJson(p));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("GET", "/api/v1/prices/{id}", [&context](Exchange& ex) {
        const auto price = store::PriceRepository(context.db).get(ex.id());
        if (!price) throw HttpError::notFound(ex.request().getURI());
        const auto facility = store::FacilityRepository(context.db).get(price->facilityId);
        ex.require(Action::Read, facility ? std::optional<std::string>(facility->district) : std::nullopt);
        ex.sendRecord(200, codec::toJson(*price), price->version);
    });

    router.add("POST", "/api/v1/prices", [&context](Exchange& ex) {
        ex.require(Action::WriteRecord);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto price = codec::decodePriceRecord(*body, errors);
        // The facility decides the district: reading it first gives 404/403 before any field talk.
        if (price.facilityId > 0) {
            const auto facility = store::FacilityRepository(context.db).get(price.facilityId);
            if (facility) {
                ex.require(Action::WriteRecord, facility->district);
            }
        }
        failIfInvalid(errors, domain::validate(price));
        if (context.checks)
            if (auto refusal = context.checks->validatePrice(price)) throw pluginRefusal(*refusal);
        const auto created = store::PriceRepository(context.db).create(price, ex.principal().username);
        Poco::JSON::Object::Ptr out = codec::toJson(created);
        out->set("checks", context.checks ? context.checks->checkPrice(created) : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        ex.response().set("Location", "/api/v1/prices/" + std::to_string(created.id));
        ex.sendRecord(201, out, created.version);
    });
}

} // namespace registry::http
