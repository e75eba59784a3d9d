#pragma once
// Exports of facilities, burial sites, prices and findings as CSV (UTF-8 with BOM, for Excel), GeoJSON
// (RFC 7946) or JSON, streamed page by page so that memory stays flat whatever the size. Shared by
// GET /api/v1/export/... and `funeral-registry export`.

#include "store/BurialSiteRepository.h"
#include "store/Database.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/PriceRepository.h"

#include <optional>
#include <ostream>
#include <string>

namespace registry::http {

enum class ExportKind { Facilities, BurialSites, Prices, Findings };
enum class ExportFormat { Csv, GeoJson, Json };

struct ExportRequest {
    ExportKind kind = ExportKind::Facilities;
    ExportFormat format = ExportFormat::Csv;
    store::FacilityFilter facilities;
    store::BurialSiteFilter burialSites;
    store::PriceFilter prices;
    store::FindingFilter findings;
};

/// "facilities", "burial-sites", "prices", "findings"; nullopt otherwise.
std::optional<ExportKind> parseExportKind(const std::string& text);
/// "csv", "geojson", "json"; nullopt otherwise.
std::optional<ExportFormat> parseExportFormat(const std::string& text);
/// Only facilities and burial sites have a location: GeoJSON of prices or findings is not offered.
bool formatSupported(ExportKind kind, ExportFormat format);

std::string contentType(ExportFormat format);
std::string fileName(ExportKind kind, ExportFormat format);

/// Writes every matching record to `out`. Returns the number of records written.
std::size_t writeExport(store::Database& db, const domain::PlanWindow& window, const ExportRequest& request,
                        std::ostream& out);

} // namespace registry::http
