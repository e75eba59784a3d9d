// /api/v1/audits: running a price-compliance audit now, following its progress, cancelling it, and its
// report as JSON, CSV (for Excel) or a standalone HTML page (service::Audits).

#include "audit/AuditReport.h"
#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Audits.h"

namespace registry::http {

using Poco::Net::HTTPResponse;

namespace {

/// 409 of an audit in a state that does not allow the request, with the run as it is now.
HttpError auditConflict(const std::string& title, const std::string& titleEn, const service::Refusal& refusal) {
    HttpError e({HTTPResponse::HTTP_CONFLICT, title, titleEn, refusal.messageZh(), refusal.messageEn(), {}});
    e.extra = new Poco::JSON::Object;
    e.extra->set("current", refusal.currentJson());
    return e;
}

void sendRun(Exchange& ex, int status, const domain::AuditRun& run) {
    ex.response().set("Location", "/api/v1/audits/" + std::to_string(run.id));
    ex.sendJson(status, codec::toJson(run));
}

} // namespace

void addAuditRoutes(Router& router, ApiContext& context) {
    router.add("POST", "/api/v1/audits", [&context](Exchange& ex) {
        const auto run = service::Audits(context.services()).start(ex.principal(), [&ex] {
            // The body is optional: no body (or {}) audits the principal's scope (their district, or the city).
            // (`curl -X POST` sends no Content-Length at all: that is no body too.)
            service::Draft<std::optional<std::string>> out;
            const auto& request = ex.request();
            const bool hasBody = request.getChunkedTransferEncoding() ||
                                 (request.hasContentLength() && request.getContentLength64() > 0);
            if (!hasBody) return out;
            const auto body = ex.jsonBody();
            domain::Validator errors;
            codec::JsonReader reader(*body, errors);
            auto district = reader.optionalText("district");
            reader.rejectUnknown();
            return draft(std::move(district), errors);
        });
        sendRun(ex, 202, run);
    });

    router.add("GET", "/api/v1/audits", [&context](Exchange& ex) {
        service::AuditRunFilter filter;
        filter.district = districtParam(ex);
        sendPageOf(ex, service::Audits(context.services()).list(ex.principal(), filter, ex.page()));
    });

    router.add("GET", "/api/v1/audits/{id}", [&context](Exchange& ex) {
        ex.sendJson(200, codec::toJson(service::Audits(context.services()).get(ex.principal(), ex.id())));
    });

    router.add("POST", "/api/v1/audits/{id}/cancel", [&context](Exchange& ex) {
        try {
            sendRun(ex, 202, service::Audits(context.services()).cancel(ex.principal(), ex.id()));
        } catch (const service::Conflict<domain::AuditRun>& e) {
            throw auditConflict("审计已结束", "Audit has finished", e);
        }
    });

    router.add("GET", "/api/v1/audits/{id}/report", [&context](Exchange& ex) {
        service::Audits audits(context.services());
        const auto run = audits.get(ex.principal(), ex.id());
        const std::string format = ex.query("format").value_or("json");
        if (format != "json" && format != "csv" && format != "html")
            throw HttpError::badRequest("查询参数 format 的取值无效,可选值:json, csv, html",
                                        "query parameter format must be one of: json, csv, html");
        Poco::JSON::Object::Ptr report;
        try {
            report = audits.report(ex.principal(), run);
        } catch (const service::Conflict<domain::AuditRun>& e) {
            throw auditConflict("审计尚无报告", "No report yet", e);
        }
        if (format == "json") return ex.sendJson(200, report);
        const std::string name = "audit-" + std::to_string(run.id);
        if (format == "csv") {
            ex.response().set("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
            return ex.sendText(200, "text/csv; charset=utf-8", audit::reportCsv(*report));
        }
        if (!context.reportHtml) throw std::logic_error("no HTML renderer for audit reports is wired");
        ex.sendText(200, "text/html; charset=utf-8", context.reportHtml(*report, ex.english() ? "en" : "zh"));
    });
}

} // namespace registry::http
