// /api/v1/inspections: inspections of facilities and burial sites (service::Inspections).

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Inspections.h"

namespace registry::http {

void addInspectionRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/inspections", [&context](Exchange& ex) {
        service::InspectionFilter filter;
        filter.district = districtParam(ex);
        filter.subjectType = ex.queryEnum<domain::SubjectType>("subject_type");
        filter.subjectId = ex.queryId("subject_id");
        sendPageOf(ex, service::Inspections(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("GET", "/api/v1/inspections/{id}", [&context](Exchange& ex) {
        const auto inspection = service::Inspections(context.services()).get(ex.principal(), ex.id());
        ex.sendRecord(200, codec::toJson(inspection), inspection.version);
    });

    router.add("POST", "/api/v1/inspections", [&context](Exchange& ex) {
        const auto created = service::Inspections(context.services()).create(ex.principal(), [&ex] {
            domain::Validator errors;
            auto inspection = codec::decodeInspection(*ex.jsonBody(), errors);
            return draft(std::move(inspection), errors);
        });
        ex.response().set("Location", "/api/v1/inspections/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });
}

} // namespace registry::http
