// Reference data: districts and the price item catalogue (public), and reference prices (caps set by the
// price authority; admins write them).

#include "codec/RecordDecode.h"
#include "domain/District.h"
#include "domain/PriceItem.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/ReferencePriceRepository.h"

namespace registry::http {

using auth::Action;

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
        ex.principal();
        store::ReferencePriceFilter filter;
        filter.item = ex.query("item");
        filter.district = districtParam(ex);
        const auto page = store::ReferencePriceRepository(context.db).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& r : page.items) items->add(codec::toJson(r));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("GET", "/api/v1/reference-prices/{id}", [&context](Exchange& ex) {
        const auto reference = store::ReferencePriceRepository(context.db).get(ex.id());
        if (!reference) throw HttpError::notFound(ex.request().getURI());
        ex.sendRecord(200, codec::toJson(*reference), reference->version);
    });

    router.add("POST", "/api/v1/reference-prices", [&context](Exchange& ex) {
        ex.require(Action::WriteReference);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        const auto reference = codec::decodeReferencePrice(*body, errors);
        failIfInvalid(errors, domain::validate(reference));
        const auto created = store::ReferencePriceRepository(context.db).create(reference, ex.principal().username);
        ex.response().set("Location", "/api/v1/reference-prices/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });

    router.add("PUT", "/api/v1/reference-prices/{id}", [&context](Exchange& ex) {
        ex.require(Action::WriteReference);
        store::ReferencePriceRepository references(context.db);
        if (!references.get(ex.id())) throw HttpError::notFound(ex.request().getURI());
        const long long expected = ex.ifMatch();
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto changed = codec::decodeReferencePrice(*body, errors);
        failIfInvalid(errors, domain::validate(changed));
        changed.id = ex.id();
        try {
            const auto updated = references.update(changed, expected, ex.principal().username);
            ex.sendRecord(200, codec::toJson(updated), updated.version);
        } catch (const store::Conflict<domain::ReferencePrice>& e) {
            throw conflict(e.current());
        }
    });
}

} // namespace registry::http
