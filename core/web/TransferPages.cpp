// Import of a price list (CSV, UTF-8 or GBK as Excel saves it) with a preview of every bad row before
// anything is stored, and exports (CSV for Excel, GeoJSON) downloaded with the session instead of a
// bearer token, written by the API's own exporter (http/Export.h).

#include "codec/Csv.h"
#include "http/Export.h"
#include "store/Errors.h"
#include "store/PriceImport.h"
#include "web/Forms.h"
#include "web/Views.h"

#include <Poco/String.h>

namespace registry::web {
namespace {

using auth::Action;

store::ImportOptions importOptions(WebUi& ui, Request& req, bool dryRun) {
    store::ImportOptions options;
    options.dryRun = dryRun;
    options.actor = req.principal().username;
    options.district = req.principal().district;
    options.strategy = ui.api().bulkStrategy;
    if (ui.api().checks)
        options.validate = [&ui](const domain::PriceRecord& p) { return ui.api().checks->validatePrice(p); };
    return options;
}

mstch::map reportView(const Request& req, const store::ImportReport& report) {
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
    req.require(Action::WriteRecord);
    ui.render(req, "import", mstch::map{{"step_upload", true}}, 200, "import_title");
}

void importPreview(WebUi& ui, Request& req) {
    req.require(Action::WriteRecord);
    mstch::map view{{"step_upload", true}};
    if (req.upload.empty()) {
        view["upload_error"] = req.t("err_import_no_file");
        return ui.render(req, "import", view, 422, "import_title");
    }
    std::optional<codec::TextEncoding> encoding;
    if (const auto name = req.field("encoding"); !name.empty() && name != "auto") encoding = codec::parseTextEncoding(name);
    std::string text;
    try {
        text = codec::toUtf8(req.upload, encoding.value_or(codec::detectEncoding(req.upload)));
    } catch (const std::invalid_argument&) {
        view["upload_error"] = req.t("err_import_encoding");
        return ui.render(req, "import", view, 422, "import_title");
    }
    const auto report = store::importPrices(ui.api().db, text, importOptions(ui, req, true));
    view = reportView(req, report);
    view["file_name"] = req.uploadFileName;
    if (report.problems.empty()) view["csv"] = text; // carried to the confirmation, checked again there
    else view["step_upload"] = true;
    ui.render(req, "import", view, report.problems.empty() ? 200 : 422, "import_preview_title");
}

void importConfirm(WebUi& ui, Request& req) {
    req.require(Action::WriteRecord);
    const std::string text = req.field("csv");
    const auto report = store::importPrices(ui.api().db, text, importOptions(ui, req, false));
    mstch::map view = reportView(req, report);
    if (!report.problems.empty()) {
        view["step_upload"] = true;
        return ui.render(req, "import", view, 422, "import_preview_title");
    }
    view["stored"] = true;
    ui.render(req, "import", view, 200, "import_done_title");
}

void exportsPage(WebUi& ui, Request& req) {
    const auto district = req.listDistrict(std::nullopt);
    mstch::array links;
    const std::vector<std::pair<std::string, std::string>> kinds{
        {"facilities", "nav_facilities"}, {"burial-sites", "nav_burial_sites"}, {"prices", "export_prices"},
        {"findings", "nav_findings"}};
    for (const auto& [kind, label] : kinds) {
        mstch::array formats;
        for (const auto* format : {"csv", "geojson"}) {
            const auto k = http::parseExportKind(kind);
            const auto f = http::parseExportFormat(format);
            if (!http::formatSupported(*k, *f)) continue;
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
    const auto kind = http::parseExportKind(req.pathParam("kind"));
    if (!kind) throw store::NotFound("export");
    const auto format = http::parseExportFormat(req.query("format").value_or("csv"));
    if (!format || !http::formatSupported(*kind, *format))
        throw http::HttpError::badRequest("不支持这种导出格式", "this export format is not offered");
    http::ExportRequest request;
    request.kind = *kind;
    request.format = *format;
    request.facilities.district = request.burialSites.district = request.prices.district = request.findings.district =
        req.listDistrict(std::nullopt);
    auto& response = req.response();
    response.setChunkedTransferEncoding(true);
    response.setContentType(http::contentType(*format));
    response.set("Content-Disposition", "attachment; filename=\"" + http::fileName(*kind, *format) + "\"");
    response.set("Cache-Control", "no-store");
    std::ostream& out = response.send();
    http::writeExport(ui.api().db, ui.api().window, request, out);
}

} // namespace

void addTransferPages(WebUi& ui) {
    ui.get("/import", [&ui](Request& req) { importForm(ui, req); });
    ui.post("/import", [&ui](Request& req) { importPreview(ui, req); });
    ui.post("/import/confirm", [&ui](Request& req) { importConfirm(ui, req); });
    ui.get("/exports", [&ui](Request& req) { exportsPage(ui, req); });
    ui.get("/exports/{kind}", [&ui](Request& req) { download(ui, req); });
}

} // namespace registry::web
