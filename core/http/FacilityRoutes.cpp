// /api/v1/facilities: register, read, list and edit funeral facilities. No DELETE: a facility is closed by
// its status.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/FacilityRepository.h"

namespace registry::http {

using auth::Action;

void addFacilityRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/facilities", [&context](Exchange& ex) {
        store::FacilityFilter filter;
        filter.district = ex.listDistrict(districtParam(ex));
        filter.kind = ex.queryEnum<domain::FacilityKind>("kind");
        filter.status = ex.queryEnum<domain::FacilityStatus>("status");
        filter.planAction = ex.queryEnum<domain::PlanAction>("plan_action");
        filter.q = ex.query("q").value_or("");
        const auto page = store::FacilityRepository(context.db).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& f : page.items) items->add(codec::toJson(f));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("POST", "/api/v1/facilities", [&context](Exchange& ex) {
        ex.require(Action::WriteRecord);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        const auto facility = codec::decodeFacility(*body, errors);
        failIfInvalid(errors, domain::validate(facility));
        ex.require(Action::WriteRecord, facility.district);
        if (context.checks)
            if (auto refusal = context.checks->validateFacility(facility)) throw pluginRefusal(*refusal);
        const auto created = store::FacilityRepository(context.db).create(facility, ex.principal().username);
        auto out = codec::toJson(created);
        out->set("checks", context.checks ? context.checks->checkFacility(created) : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        ex.response().set("Location", "/api/v1/facilities/" + std::to_string(created.id));
        ex.sendRecord(201, out, created.version);
    });

    router.add("GET", "/api/v1/facilities/{id}", [&context](Exchange& ex) {
        const auto facility = store::FacilityRepository(context.db).get(ex.id());
        if (!facility) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::Read, facility->district);
        ex.sendRecord(200, codec::toJson(*facility), facility->version);
    });

    router.add("PUT", "/api/v1/facilities/{id}", [&context](Exchange& ex) {
        store::FacilityRepository facilities(context.db);
        const auto current = facilities.get(ex.id());
        if (!current) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::WriteRecord, current->district);
        const long long expected = ex.ifMatch();
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto changed = codec::decodeFacility(*body, errors);
        failIfInvalid(errors, domain::validate(changed));
        ex.require(Action::WriteRecord, changed.district); // moving it needs the target district too
        changed.id = current->id;
        if (context.checks)
            if (auto refusal = context.checks->validateFacility(changed)) throw pluginRefusal(*refusal);
        try {
            const auto updated = facilities.update(changed, expected, ex.principal().username);
            auto out = codec::toJson(updated);
            out->set("checks", context.checks ? context.checks->checkFacility(updated) : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
            ex.sendRecord(200, out, updated.version);
        } catch (const store::Conflict<domain::Facility>& e) {
            throw conflict(e.current());
        }
    });
}

} // namespace registry::http
