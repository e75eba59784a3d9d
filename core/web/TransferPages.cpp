// Import of a price list (CSV, UTF-8 or GBK as Excel saves it) with a preview of every bad row before
// anything is stored, and exports (CSV and XLSX for Excel, GeoJSON) downloaded with the session instead of
// a bearer token, written by the API's own exporter (service/Exports.h).

#include "codec/Csv.h"
#include "http/Responses.h"
#include "service/Refusal.h"
#include "service/Exports.h"
#include "service/Imports.h"
#include "service/Permissions.h"
#include "web/Forms.h"
#include "web/Views.h"

#include <Poco/String.h>

namespace registry::web {
namespace {

using service::Action;

std::string uploadedName(const Request& req) {
    const auto* file = req.file("file");
    return file ? file->fileName : std::string();
}

mstch::map reportView(const Request& req, const service::ImportReport& report) {
    mstch::array problems;
    for (const auto& p : report.problems)
        problems.push_back(mstch::map{{"line", p.line ? std::to_string(p.line) : std::string("—")},
                                      {"field", p.field},
                                      {"message", req.en() ? p.messageEn : p.messageZh}});
    return mstch::map{{"rows", std::to_string(report.rows)},
                      {"superseded", std::to_string(report.superseded)},
                      {"problems", problems},
                      {"problem_count", std::to_string(report.problems.size())},
                      {"has_problems", !report.problems.empty()}};
}

void importForm(WebUi& ui, Request& req) {
    service::Imports::requireMayImport(req.principal());
    ui.render(req, "import", mstch::map{{"step_upload", true}, {"operator", service::isOperator(req.principal())}}, 200,
              "import_title");
}

/// Checks (dry run) or stores the file; the page shows every bad row, or what was (or would be) stored.
void runImport(WebUi& ui, Request& req, bool dryRun) {
    mstch::map view{{"step_upload", true}};
    try {
        const auto result = service::Imports(ui.services()).importPrices(req.principal(), [&] {
            service::ImportRequest request;
            request.dryRun = dryRun;
            if (dryRun) {
                if (const auto* file = req.file("file")) request.bytes = file->content;
                if (const auto name = req.field("encoding"); !name.empty() && name != "auto")
                    request.encoding = codec::parseTextEncoding(name);
            } else {
                request.bytes = req.field("csv"); // the preview's text, UTF-8, checked again
                request.encoding = codec::TextEncoding::Utf8;
            }
            return request;
        });
        view = reportView(req, result.report);
        if (dryRun) {
            view["file_name"] = uploadedName(req);
            view["csv"] = result.text; // carried to the confirmation, checked again there
            return ui.render(req, "import", view, 200, "import_preview_title");
        }
        view["stored"] = true;
        return ui.render(req, "import", view, 200, "import_done_title");
    } catch (const service::ImportRefused& e) {
        view = reportView(req, e.report());
        view["step_upload"] = true;
        if (dryRun) view["file_name"] = uploadedName(req);
        return ui.render(req, "import", view, 422, "import_preview_title");
    } catch (const service::Invalid&) {
        view["upload_error"] = req.t("err_import_encoding");
        return ui.render(req, "import", view, 422, "import_title");
    }
}

void importPreview(WebUi& ui, Request& req) {
    service::Imports::requireMayImport(req.principal());
    if (const auto* file = req.file("file"); !file || file->content.empty()) {
        mstch::map view{{"step_upload", true}, {"upload_error", req.t("err_import_no_file")}};
        return ui.render(req, "import", view, 422, "import_title");
    }
    runImport(ui, req, true);
}

void exportsPage(WebUi& ui, Request& req) {
    const auto district = service::listScope(req.principal(), std::nullopt);
    mstch::array links;
    const std::vector<std::pair<std::string, std::string>> kinds{
        {"facilities", "nav_facilities"}, {"burial-sites", "nav_burial_sites"}, {"prices", "export_prices"},
        {"findings", "nav_findings"}, {"notices", "nav_notices"}};
    for (const auto& [kind, label] : kinds) {
        mstch::array formats;
        for (const auto* format : {"xlsx", "csv", "geojson"}) {
            const auto k = service::parseExportKind(kind);
            const auto f = service::parseExportFormat(format);
            if (!service::formatSupported(*k, *f)) continue;
            formats.push_back(mstch::map{{"href", "/exports/" + kind + "?format=" + format},
                                         {"label", req.t(std::string("export_format_") + format)}});
        }
        links.push_back(mstch::map{{"label", req.t(label)}, {"formats", formats}});
    }
    ui.render(req, "exports",
              mstch::map{{"links", links}, {"scope", district ? districtName(req, *district) : req.t("citywide")}}, 200,
              "exports_title");
}

void download(WebUi& ui, Request& req) {
    const auto kind = service::parseExportKind(req.pathParam("kind"));
    if (!kind) throw service::NotFound("export");
    const auto format = service::parseExportFormat(req.query("format").value_or("csv"));
    if (!format || !service::formatSupported(*kind, *format))
        throw http::HttpError::badRequest("不支持这种导出格式", "this export format is not offered");
    service::Exports exports(ui.services(), ui.api().todayDate());
    service::ExportRequest request;
    request.kind = *kind;
    request.format = *format;
    // The notices list page links here with its filters (district, status, open, overdue, due_within_days).
    if (*kind == service::ExportKind::Notices) {
        request.notices = http::noticeFilterParams(req, request.noticeTiming);
        request.district = request.notices.district;
    }
    request = exports.authorize(req.principal(), std::move(request));
    exports.write(request, [&]() -> std::ostream& { return http::startExport(req, *kind, *format); });
}

} // namespace

void addTransferPages(WebUi& ui) {
    ui.get("/import", [&ui](Request& req) { importForm(ui, req); });
    ui.post("/import", [&ui](Request& req) { importPreview(ui, req); });
    ui.post("/import/confirm", [&ui](Request& req) { runImport(ui, req, false); });
    ui.get("/exports", [&ui](Request& req) { exportsPage(ui, req); });
    ui.get("/exports/{kind}", [&ui](Request& req) { download(ui, req); });
}

} // namespace registry::web
