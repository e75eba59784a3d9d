#pragma once
// What the public may see of prices (API.md, Public price disclosure): only displayed price records of
// operating facilities, and of those only the fields a price list on the wall shows. These queries select
// exactly those columns, so nothing else can reach a public answer from here.

#include "domain/Enums.h"
#include "store/Database.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {

struct PublicPriceRow {
    long long facilityId = 0;
    std::string facilityName;
    domain::FacilityKind facilityKind = domain::FacilityKind::FuneralHome;
    std::string district;
    std::string item;
    long long amountFen = 0;
    std::string unit;
    std::string effectiveFrom;
    std::optional<std::string> effectiveTo; // none: the current record
};

/// A row of the open-data export: a current displayed price with its facility's public fields.
struct PublicExportRow {
    long long priceId = 0; // the page key; not exported
    PublicPriceRow price;
    std::string address, operatorName;
    std::optional<double> lat, lon;
};

class PublicPrices {
public:
    explicit PublicPrices(Database& db) : _db(db) {}

    /// The displayed price of `item` in force on `today` at every operating facility (of `district`),
    /// cheapest first, then by facility name; at most `limit` rows.
    std::vector<PublicPriceRow> current(const std::string& item, const std::optional<std::string>& district,
                                        const std::string& today, std::size_t limit);

    /// The displayed price records of operating facility `facilityId` in force on `since` or later (the
    /// current ones included), by item, then by date. Empty for a facility that is not operating.
    std::vector<PublicPriceRow> history(long long facilityId, const std::string& since);

    /// Every displayed price in force on `today` at an operating facility, by price id after
    /// `afterPriceId`, at most `limit` rows: the open-data export, page by page.
    std::vector<PublicExportRow> exportPage(const std::string& today, long long afterPriceId, std::size_t limit);

private:
    Database& _db;
};

} // namespace registry::store
