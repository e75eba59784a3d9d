#pragma once
// Public price disclosure (价格公示, API.md): what a family choosing a funeral home or a cemetery may see
// without signing in. Only operating facilities, only their displayed current prices (and how those
// changed), each beside the reference cap where one applies. The types below hold the public fields and
// nothing else: a field not here cannot reach a public page or answer.

#include "domain/Enums.h"
#include "service/Context.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace registry::service {

struct PublicFacility {
    long long id = 0;
    std::string name;
    domain::FacilityKind kind = domain::FacilityKind::FuneralHome;
    std::string district;
    std::string address;
    std::string operatorName;
    std::optional<double> lat, lon;
};

struct PublicPrice {
    std::string item;
    long long amountFen = 0;
    std::string unit;
    std::string effectiveFrom;
    std::optional<std::string> effectiveTo; // history only: the day before the next price
    std::optional<long long> capFen;         // the reference cap in force today, where one applies
};

struct PublicFacilityPrices {
    PublicFacility facility;
    std::vector<PublicPrice> prices;  // current, in catalogue order
    std::vector<PublicPrice> history; // every displayed price in force during the last 24 months, by item and date
};

/// One facility's current price of the compared item.
struct PublicComparisonRow {
    long long facilityId = 0;
    std::string facilityName;
    domain::FacilityKind facilityKind = domain::FacilityKind::FuneralHome;
    std::string district;
    PublicPrice price;
};

struct PublicFacilityFilter {
    std::optional<std::string> district;
    std::optional<domain::FacilityKind> kind;
    std::string q; // part of the name or the address
};

/// The most rows a comparison lists (cheapest first within each unit, the catalogue's unit first).
constexpr std::size_t kMaxComparisonRows = 2000;
/// How far back a facility's price history reaches: 24 months.
constexpr int kHistoryDays = 730;

class PublicDisclosure {
public:
    explicit PublicDisclosure(Context context) : _c(std::move(context)) {}

    Page<PublicFacility> facilities(const PublicFacilityFilter& filter, const PageRequest& page);
    /// NotFound for a facility that does not exist or is not operating.
    PublicFacilityPrices facility(long long id, const std::string& today);
    /// Invalid for an item not in the catalogue.
    std::vector<PublicComparisonRow> compare(const std::string& item, const std::optional<std::string>& district,
                                             const std::string& today);

    /// Open data: every displayed price in force today at an operating facility with the facility's public
    /// fields and today's cap, as CSV (UTF-8 with BOM, formula cells neutralised, for Excel) or as a JSON
    /// array, read page by page. Returns the number of rows written.
    std::size_t writeOpenData(std::ostream& out, bool json, const std::string& today);

private:
    Context _c;
};

} // namespace registry::service
