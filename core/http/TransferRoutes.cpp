// Import of price lists (CSV as Excel saves it) and exports of the lists as CSV, XLSX, GeoJSON or JSON.

#include "codec/Csv.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Exports.h"
#include "service/Imports.h"

#include <Poco/String.h>

namespace registry::http {

namespace {

Poco::JSON::Object::Ptr importProblemJson(const service::ImportProblem& p, bool english) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("line", p.line);
    o->set("field", p.field);
    o->set("message", english ? p.messageEn : p.messageZh);
    return o;
}

} // namespace

void addTransferRoutes(Router& router, ApiContext& context) {
    router.add("POST", "/api/v1/import/prices", [&context](Exchange& ex) {
        const bool dryRun = ex.queryFlag("dry_run");
        service::Imports imports(context.services());
        service::ImportReport report;
        try {
            report = imports.importPrices(ex.principal(), [&] {
                // The media type first: a body that is not CSV is not read at all.
                std::string type = Poco::toLower(ex.request().getContentType());
                type = Poco::trim(type.substr(0, type.find(';')));
                if (type != "text/csv" && type != "application/csv")
                    throw HttpError({Poco::Net::HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, "不支持的内容类型",
                                     "Unsupported media type", "价格表须以 CSV 上传,Content-Type: text/csv",
                                     "upload the price list as CSV with Content-Type: text/csv", {}});
                service::ImportRequest request;
                if (const auto name = ex.query("encoding")) {
                    request.encoding = codec::parseTextEncoding(*name);
                    if (!request.encoding)
                        throw HttpError::badRequest("encoding 须为 utf-8 或 gbk", "encoding must be utf-8 or gbk");
                }
                request.dryRun = dryRun;
                request.bytes = ex.rawBody(context.limits.maxUploadBytes);
                return request;
            }).report;
        } catch (const service::ImportRefused& refused) {
            const auto& r = refused.report();
            HttpError e({Poco::Net::HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, "价格表有误,未导入任何数据",
                         "The price list has errors; nothing was imported",
                         "共 " + std::to_string(r.rows) + " 行,发现问题,全部未导入;请改正后重新上传",
                         std::to_string(r.rows) + " rows read; fix the rows listed and upload again", {}});
            e.extra = new Poco::JSON::Object;
            Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
            for (const auto& p : r.problems) errors->add(importProblemJson(p, ex.english()));
            e.extra->set("errors", errors);
            e.extra->set("rows", r.rows);
            throw e;
        }
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        out->set("dry_run", dryRun);
        out->set("rows", report.rows);
        out->set("superseded", report.superseded);
        out->set("stored", report.stored);
        if (report.stored) {
            out->set("first_id", report.firstId);
            out->set("last_id", report.lastId);
        }
        out->set("errors", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        ex.sendJson(200, out);
    });

    router.add("GET", "/api/v1/export/{kind}", [&context](Exchange& ex) {
        const auto kind = service::parseExportKind(ex.pathParam("kind"));
        // An unknown list is a path that does not exist: 404, naming the lists that do.
        if (!kind)
            throw HttpError({Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "没有这种导出", "No such export",
                             std::string("可导出的列表:") + service::exportKindNames,
                             std::string("the lists to export are: ") + service::exportKindNames, {}});
        const auto format = service::parseExportFormat(ex.query("format").value_or("csv"));
        if (!format)
            throw HttpError::badRequest(std::string("format 须为以下之一:") + service::exportFormatNames,
                                        std::string("format must be one of: ") + service::exportFormatNames);
        if (!service::formatSupported(*kind, *format))
            throw HttpError::badRequest("价格、问题和整改通知没有位置,不能导出为 GeoJSON(可用 csv、json、xlsx)",
                                        "prices, findings and notices have no location: GeoJSON is for facilities and "
                                        "burial sites (use csv, json or xlsx)");
        service::ExportRequest request;
        request.kind = *kind;
        request.format = *format;
        request.district = districtParam(ex);
        // Each list's own filters only: `status` and `kind` mean something else in each.
        if (*kind == service::ExportKind::Facilities) {
            request.facilities.kind = ex.queryEnum<domain::FacilityKind>("kind");
            request.facilities.status = ex.queryEnum<domain::FacilityStatus>("status");
            request.facilities.planAction = ex.queryEnum<domain::PlanAction>("plan_action");
            request.facilities.q = ex.query("q").value_or("");
        }
        if (*kind == service::ExportKind::BurialSites) {
            request.burialSites.kind = ex.queryEnum<domain::BurialSiteKind>("kind");
            request.burialSites.status = ex.queryEnum<domain::BurialSiteStatus>("status");
            request.burialSites.measure = ex.queryEnum<domain::Measure>("measure");
            request.burialSites.overdueOnly = ex.queryFlag("overdue");
        }
        if (*kind == service::ExportKind::Findings) {
            request.findings.severity = ex.queryEnum<domain::Severity>("severity");
            request.findings.status = ex.queryEnum<domain::FindingStatus>("status");
            request.findings.plugin = ex.query("plugin");
            request.findings.rule = ex.query("rule");
            request.findings.auditId = ex.queryId("audit_id");
            request.findings.subjectType = ex.queryEnum<domain::SubjectType>("subject_type");
            request.findings.subjectId = ex.queryId("subject_id");
        }
        if (*kind == service::ExportKind::Prices) {
            request.prices.facilityId = ex.queryId("facility_id");
            request.prices.item = ex.query("item");
            request.prices.currentOnly = ex.queryFlag("current");
        }
        if (*kind == service::ExportKind::Notices) {
            request.notices = noticeFilterParams(ex, request.noticeTiming);
        }
        service::Exports exports(context.services(), context.todayDate());
        request = exports.authorize(ex.principal(), std::move(request));
        // The headers go out with the first byte: a refusal found while an XLSX workbook is being made
        // (too many rows) is still a problem document.
        exports.write(request, [&]() -> std::ostream& { return startExport(ex, *kind, *format); });
    });
}

} // namespace registry::http
