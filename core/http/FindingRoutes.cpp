// /api/v1/findings: what the plugins found, and inspectors working through it.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/FindingRepository.h"

namespace registry::http {

using auth::Action;

void addFindingRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/findings", [&context](Exchange& ex) {
        store::FindingFilter filter;
        filter.district = ex.listDistrict(districtParam(ex));
        filter.severity = ex.queryEnum<domain::Severity>("severity");
        filter.status = ex.queryEnum<domain::FindingStatus>("status");
        filter.plugin = ex.query("plugin");
        filter.rule = ex.query("rule");
        filter.auditId = ex.queryId("audit_id");
        filter.subjectType = ex.queryEnum<domain::SubjectType>("subject_type");
        filter.subjectId = ex.queryId("subject_id");
        const auto page = store::FindingRepository(context.db).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& f : page.items) items->add(codec::toJson(f));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("GET", "/api/v1/findings/{id}", [&context](Exchange& ex) {
        const auto finding = store::FindingRepository(context.db).get(ex.id());
        if (!finding) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::Read, finding->district);
        ex.sendRecord(200, codec::toJson(*finding), finding->version);
    });

    router.add("POST", "/api/v1/findings/{id}/status", [&context](Exchange& ex) {
        store::FindingRepository findings(context.db);
        const auto finding = findings.get(ex.id());
        if (!finding) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::WriteRecord, finding->district);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        codec::JsonReader reader(*body, errors);
        const auto status = reader.enumeration<domain::FindingStatus>("status", true);
        const std::string note = reader.text("note", false);
        reader.rejectUnknown();
        failIfInvalid(errors, status ? domain::validateStatusChange(*status, note) : domain::FieldErrors{});
        const auto updated = findings.setStatus(finding->id, *status, note, ex.principal().username);
        ex.sendRecord(200, codec::toJson(updated), updated.version);
    });
}

} // namespace registry::http
