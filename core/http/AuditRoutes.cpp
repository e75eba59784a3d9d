// /api/v1/audits: running a price-compliance audit now, following its progress, cancelling it, and its
// report as JSON, CSV (for Excel) or a standalone HTML page.

#include "audit/AuditReport.h"
#include "audit/AuditService.h"
#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/AuditRunRepository.h"

namespace registry::http {

using auth::Action;
using Poco::Net::HTTPResponse;

namespace {

audit::AuditService& service(ApiContext& context) {
    if (!context.audits)
        throw HttpError({HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "审计未启用", "Audits are off",
                         "本服务未加载插件，不能运行审计", "this server runs without plugins, so it cannot run audits",
                         {}});
    return *context.audits;
}

domain::AuditRun findRun(ApiContext& context, Exchange& ex) {
    const auto run = store::AuditRunRepository(context.db).get(ex.id());
    if (!run) throw HttpError::notFound(ex.request().getURI());
    ex.require(Action::Read, run->district);
    return *run;
}

/// 409 with the run as it is now.
HttpError auditConflict(const std::string& title, const std::string& titleEn, const std::string& zh,
                        const std::string& en, const domain::AuditRun& current) {
    HttpError e({HTTPResponse::HTTP_CONFLICT, title, titleEn, zh, en, {}});
    e.extra = new Poco::JSON::Object;
    e.extra->set("current", codec::toJson(current));
    return e;
}

void sendRun(Exchange& ex, int status, const domain::AuditRun& run) {
    ex.response().set("Location", "/api/v1/audits/" + std::to_string(run.id));
    ex.sendJson(status, codec::toJson(run));
}

} // namespace

void addAuditRoutes(Router& router, ApiContext& context) {
    router.add("POST", "/api/v1/audits", [&context](Exchange& ex) {
        ex.require(Action::RunAudit);
        // The body is optional: no body (or {}) audits the whole city, or the user's own district.
        std::optional<std::string> district;
        // (`curl -X POST` sends no Content-Length at all: that is no body too.)
        const auto& request = ex.request();
        const bool hasBody = request.getChunkedTransferEncoding() ||
                             (request.hasContentLength() && request.getContentLength64() > 0);
        if (hasBody) {
            const auto body = ex.jsonBody();
            domain::Validator errors;
            codec::JsonReader reader(*body, errors);
            district = reader.optionalText("district");
            reader.rejectUnknown();
            if (district) errors.district("district", *district, false);
            failIfInvalid(errors, {});
        }
        if (!district) district = ex.principal().district;
        ex.require(Action::RunAudit, district);
        const auto run = service(context).request(district, ex.principal().username);
        sendRun(ex, 202, run);
    });

    router.add("GET", "/api/v1/audits", [&context](Exchange& ex) {
        store::AuditRunFilter filter;
        filter.district = ex.listDistrict(districtParam(ex));
        const auto page = store::AuditRunRepository(context.db).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& r : page.items) items->add(codec::toJson(r));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("GET", "/api/v1/audits/{id}", [&context](Exchange& ex) {
        ex.sendJson(200, codec::toJson(findRun(context, ex)));
    });

    router.add("POST", "/api/v1/audits/{id}/cancel", [&context](Exchange& ex) {
        const auto run = findRun(context, ex);
        ex.require(Action::RunAudit, run.district);
        const bool asked = !run.finished() && service(context).cancel(run.id);
        const auto current = *store::AuditRunRepository(context.db).get(run.id);
        if (!asked && current.finished())
            throw auditConflict("审计已结束", "Audit has finished",
                                "该审计已结束(" + domain::zhName(current.status) + ")，不能再取消",
                                "the audit has finished (" + domain::toString(current.status) +
                                    "); there is nothing to cancel",
                                current);
        sendRun(ex, 202, current); // cancelled, or stopping at its next batch
    });

    router.add("GET", "/api/v1/audits/{id}/report", [&context](Exchange& ex) {
        const auto run = findRun(context, ex);
        const std::string format = ex.query("format").value_or("json");
        if (format != "json" && format != "csv" && format != "html")
            throw HttpError::badRequest("查询参数 format 的取值无效,可选值:json, csv, html",
                                        "query parameter format must be one of: json, csv, html");
        if (run.status != domain::AuditStatus::Succeeded)
            throw auditConflict("审计尚无报告", "No report yet",
                                "审计 #" + std::to_string(run.id) + " 的状态是" + domain::zhName(run.status) +
                                    "，只有已完成的审计才有报告",
                                "audit " + std::to_string(run.id) + " is " + domain::toString(run.status) +
                                    "; only a succeeded audit has a report",
                                run);
        // A district user sees their district's part of a citywide audit.
        const auto report = audit::reportJson(run, ex.principal().district);
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
