// Reference data: districts and the price item catalogue (public), and reference prices (caps set by the
// price authority; admins write them).

#include "codec/RecordDecode.h"
#include "domain/District.h"
#include "domain/PriceItem.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Prices.h"

namespace registry::http {

void addReferenceRoutes(Router& router, ApiContext& context) {
    router.add(
        "GET", "/api/v1/districts",
        [](Exchange& ex) {
            Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
            for (const auto& d : domain::districts()) {
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                o->set("code", d.code);
                o->set("name_zh", d.nameZh);
                o->set("name_en", d.nameEn);
                o->set("pinyin", d.pinyin);
                out->add(o);
            }
            ex.sendJson(200, out);
        },
        false);

    router.add(
        "GET", "/api/v1/price-items",
        [](Exchange& ex) {
            Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
            for (const auto& item : domain::priceItems()) {
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                o->set("code", item.code);
                o->set("name_zh", item.nameZh);
                o->set("name_en", item.nameEn);
                o->set("category", domain::toString(item.category));
                o->set("regime", domain::toString(item.regime));
                o->set("unit", item.unit);
                o->set("unit_zh", domain::unitZh(item.unit));
                out->add(o);
            }
            ex.sendJson(200, out);
        },
        false);

    router.add("GET", "/api/v1/reference-prices", [&context](Exchange& ex) {
        service::ReferencePriceFilter filter;
        filter.item = ex.query("item");
        filter.district = districtParam(ex);
        sendPageOf(ex, service::ReferencePrices(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("GET", "/api/v1/reference-prices/{id}", [&context](Exchange& ex) {
        const auto reference = service::ReferencePrices(context.services()).get(ex.principal(), ex.id());
        ex.sendRecord(200, codec::toJson(reference), reference.version);
    });

    router.add("POST", "/api/v1/reference-prices", [&context](Exchange& ex) {
        const auto created = service::ReferencePrices(context.services()).create(ex.principal(), [&ex] {
            domain::Validator errors;
            auto reference = codec::decodeReferencePrice(*ex.jsonBody(), errors);
            return draft(std::move(reference), errors);
        });
        ex.response().set("Location", "/api/v1/reference-prices/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });

    router.add("PUT", "/api/v1/reference-prices/{id}", [&context](Exchange& ex) {
        const auto updated = service::ReferencePrices(context.services()).update(ex.principal(), ex.id(), [&ex] {
            const long long expected = ex.ifMatch();
            domain::Validator errors;
            auto reference = codec::decodeReferencePrice(*ex.jsonBody(), errors);
            return draft(std::move(reference), errors, expected);
        });
        ex.sendRecord(200, codec::toJson(updated), updated.version);
    });
}

} // namespace registry::http
