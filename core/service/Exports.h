#pragma once
// Exports of facilities, burial sites, prices and findings as CSV (UTF-8 with BOM, for Excel), GeoJSON
// (RFC 7946) or JSON, streamed page by page so that memory stays flat whatever the size. Shared by
// GET /api/v1/export/... and `funeral-registry export`.

#include "service/Context.h"
#include "store/BurialSiteRepository.h"
#include "store/Database.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/PriceRepository.h"

#include <optional>
#include <ostream>
#include <string>

namespace registry::service {

enum class ExportKind { Facilities, BurialSites, Prices, Findings };
enum class ExportFormat { Csv, GeoJson, Json };

struct ExportRequest {
    ExportKind kind = ExportKind::Facilities;
    ExportFormat format = ExportFormat::Csv;
    store::FacilityFilter facilities;
    store::BurialSiteFilter burialSites;
    store::PriceFilter prices;
    store::FindingFilter findings;
    /// The district asked for (all four filters take it once authorized).
    std::optional<std::string> district;
    /// Set by Exports::authorize only; Exports::write refuses a request without it.
    bool authorized = false;
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

/// Exports as a use case: the district filter is the principal's own when they have one (another
/// district is NotAllowed), then every matching record is written. Before anything is written, so a
/// refusal can still be answered as such.
class Exports {
public:
    explicit Exports(Context context) : _c(std::move(context)) {}
    /// Checks the request (scope, a format the kind offers): throws NotAllowed or Invalid. Returns it
    /// with the district filled in.
    ExportRequest authorize(const Principal& who, ExportRequest request);
    /// Writes an authorized request; returns the number of records written.
    std::size_t write(const ExportRequest& authorized, std::ostream& out);

private:
    Context _c;
};

} // namespace registry::service
