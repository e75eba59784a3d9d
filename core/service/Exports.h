#pragma once
// Exports of facilities, burial sites, prices, findings and rectification notices as CSV (UTF-8 with BOM,
// for Excel), XLSX (one worksheet, codec/Xlsx.h), GeoJSON (RFC 7946) or JSON, read page by page so that
// memory stays flat whatever the size. Shared by GET /api/v1/export/..., the web's /exports and
// `funeral-registry export`.

#include "service/Context.h"
#include "store/BurialSiteRepository.h"
#include "store/Database.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "service/Notices.h"
#include "store/PriceRepository.h"

#include <functional>
#include <optional>
#include <ostream>
#include <string>

namespace registry::service {

enum class ExportKind { Facilities, BurialSites, Prices, Findings, Notices };
enum class ExportFormat { Csv, GeoJson, Json, Xlsx };

struct ExportRequest {
    ExportKind kind = ExportKind::Facilities;
    ExportFormat format = ExportFormat::Csv;
    store::FacilityFilter facilities;
    store::BurialSiteFilter burialSites;
    store::PriceFilter prices;
    store::FindingFilter findings;
    /// As GET /api/v1/notices takes them; Exports::authorize scopes them through service::Notices.
    NoticeFilter notices;
    NoticeTiming noticeTiming;
    /// The district asked for (all four filters take it once authorized).
    std::optional<std::string> district;
    /// Set by Exports::authorize only; Exports::write refuses a request without it.
    bool authorized = false;
};

/// "facilities", "burial-sites", "prices", "findings", "notices"; nullopt otherwise.
std::optional<ExportKind> parseExportKind(const std::string& text);
/// "csv", "geojson", "json", "xlsx"; nullopt otherwise.
std::optional<ExportFormat> parseExportFormat(const std::string& text);
/// The names above, for messages: "facilities, burial-sites, prices, findings, notices" and
/// "csv, geojson, json, xlsx".
extern const char* const exportKindNames;
extern const char* const exportFormatNames;
/// Only facilities and burial sites have a location: GeoJSON of prices, findings or notices is not offered.
bool formatSupported(ExportKind kind, ExportFormat format);

std::string contentType(ExportFormat format);
std::string fileName(ExportKind kind, ExportFormat format);

/// Gives the stream to write to, once the export is sure to succeed as far as it can tell: CSV, GeoJSON
/// and JSON ask for it at once (they stream), XLSX only when the workbook is complete, so that a refusal
/// found while reading (more rows than a worksheet holds) is still answered as such.
using ExportOutput = std::function<std::ostream&()>;

/// Exports as a use case: the district filter is the principal's own when they have one (another
/// district is NotAllowed), then every matching record is written. Before anything is written, so a
/// refusal can still be answered as such.
class Exports {
public:
    /// `today` (YYYY-MM-DD, as service::Notices takes it) dates notices: overdue, due within days.
    Exports(Context context, std::string today) : _c(std::move(context)), _today(std::move(today)) {}
    /// Checks the request (scope, a format the kind offers): throws NotAllowed, NotFound (an operator's
    /// notices of another facility) or Invalid. Returns it with the district filled in; notices scoped
    /// by service::Notices::scope, as their list is.
    ExportRequest authorize(const Principal& who, ExportRequest request);
    /// Writes an authorized request; returns the number of records written. Throws Invalid before asking
    /// for the stream when an XLSX export has more rows than one worksheet holds.
    std::size_t write(const ExportRequest& authorized, const ExportOutput& output);
    std::size_t write(const ExportRequest& authorized, std::ostream& out);

private:
    Context _c;
    std::string _today;
};

} // namespace registry::service
