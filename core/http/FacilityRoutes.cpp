// /api/v1/facilities: register, read, list and edit funeral facilities (service::Facilities). No DELETE: a
// facility is closed by its status.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Facilities.h"

namespace registry::http {

void addFacilityRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/facilities", [&context](Exchange& ex) {
        service::FacilityFilter filter;
        filter.district = districtParam(ex);
        filter.kind = ex.queryEnum<domain::FacilityKind>("kind");
        filter.status = ex.queryEnum<domain::FacilityStatus>("status");
        filter.planAction = ex.queryEnum<domain::PlanAction>("plan_action");
        filter.q = ex.query("q").value_or("");
        sendPageOf(ex, service::Facilities(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("POST", "/api/v1/facilities", [&context](Exchange& ex) {
        const auto written = service::Facilities(context.services()).create(ex.principal(), [&ex] {
            domain::Validator errors;
            auto facility = codec::decodeFacility(*ex.jsonBody(), errors);
            return draft(std::move(facility), errors);
        });
        ex.response().set("Location", "/api/v1/facilities/" + std::to_string(written.record.id));
        ex.sendRecord(201, writtenJson(written), written.record.version);
    });

    router.add("GET", "/api/v1/facilities/{id}", [&context](Exchange& ex) {
        const auto facility = service::Facilities(context.services()).get(ex.principal(), ex.id());
        ex.sendRecordText(200, codec::toJsonText(facility), facility.version);
    });

    router.add("PUT", "/api/v1/facilities/{id}", [&context](Exchange& ex) {
        const auto written = service::Facilities(context.services()).update(ex.principal(), ex.id(), [&ex] {
            const long long expected = ex.ifMatch();
            domain::Validator errors;
            auto facility = codec::decodeFacility(*ex.jsonBody(), errors);
            return draft(std::move(facility), errors, expected);
        });
        ex.sendRecord(200, writtenJson(written), written.record.version);
    });
}

} // namespace registry::http
