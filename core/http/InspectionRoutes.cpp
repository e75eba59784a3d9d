// /api/v1/inspections: inspections of facilities and burial sites.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/BurialSiteRepository.h"
#include "store/FacilityRepository.h"
#include "store/InspectionRepository.h"

namespace registry::http {

using auth::Action;

void addInspectionRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/inspections", [&context](Exchange& ex) {
        store::InspectionFilter filter;
        filter.district = ex.listDistrict(districtParam(ex));
        filter.subjectType = ex.queryEnum<domain::SubjectType>("subject_type");
        filter.subjectId = ex.queryId("subject_id");
        const auto page = store::InspectionRepository(context.db).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& i : page.items) items->add(codec::toJson(i));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("GET", "/api/v1/inspections/{id}", [&context](Exchange& ex) {
        const auto inspection = store::InspectionRepository(context.db).get(ex.id());
        if (!inspection) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::Read, inspection->district);
        ex.sendRecord(200, codec::toJson(*inspection), inspection->version);
    });

    router.add("POST", "/api/v1/inspections", [&context](Exchange& ex) {
        ex.require(Action::WriteRecord);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto inspection = codec::decodeInspection(*body, errors);
        if (!errors.has("subject_id") && !errors.has("subject_type") && inspection.subjectId > 0) {
            std::optional<std::string> district;
            if (inspection.subjectType == domain::SubjectType::Facility) {
                if (auto f = store::FacilityRepository(context.db).get(inspection.subjectId)) district = f->district;
            } else if (auto s = store::BurialSiteRepository(context.db, context.window).get(inspection.subjectId)) {
                district = s->district;
            }
            if (district) {
                ex.require(Action::WriteRecord, district);
            }
        }
        failIfInvalid(errors, domain::validate(inspection));
        const auto created = store::InspectionRepository(context.db).create(inspection, ex.principal().username);
        ex.response().set("Location", "/api/v1/inspections/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });
}

} // namespace registry::http
