// /api/v1/findings: what the plugins found, and inspectors working through it (service::Findings).

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Findings.h"

namespace registry::http {

void addFindingRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/findings", [&context](Exchange& ex) {
        service::FindingFilter filter;
        filter.district = districtParam(ex);
        filter.severity = ex.queryEnum<domain::Severity>("severity");
        filter.status = ex.queryEnum<domain::FindingStatus>("status");
        filter.plugin = ex.query("plugin");
        filter.rule = ex.query("rule");
        filter.auditId = ex.queryId("audit_id");
        filter.subjectType = ex.queryEnum<domain::SubjectType>("subject_type");
        filter.subjectId = ex.queryId("subject_id");
        sendPageOf(ex, service::Findings(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("GET", "/api/v1/findings/{id}", [&context](Exchange& ex) {
        const auto finding = service::Findings(context.services()).get(ex.principal(), ex.id());
        ex.sendRecord(200, codec::toJson(finding), finding.version);
    });

    router.add("POST", "/api/v1/findings/{id}/status", [&context](Exchange& ex) {
        const auto updated = service::Findings(context.services()).setStatus(ex.principal(), ex.id(), [&ex] {
            const auto body = ex.jsonBody();
            domain::Validator errors;
            codec::JsonReader reader(*body, errors);
            service::StatusChange change;
            change.status = reader.enumeration<domain::FindingStatus>("status", true);
            change.note = reader.text("note", false);
            reader.rejectUnknown();
            return draft(std::move(change), errors);
        });
        ex.sendRecord(200, codec::toJson(updated), updated.version);
    });
}

} // namespace registry::http
