#pragma once
// Price records (价格记录) and reference prices (caps set by the price authority).

#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>

namespace registry::domain {

/// One observed price of one item at one facility. Never updated: a newer record for the same facility
/// and item supersedes it, closing `effectiveTo` the day before the newer one starts.
struct PriceRecord {
    std::int64_t id = 0;
    std::int64_t facilityId = 0;
    std::string item; // catalogue code, or whatever the facility charges (plugins flag unknown items)
    std::int64_t amountFen = 0;
    std::string unit; // defaults to the catalogue item's unit
    std::string effectiveFrom;
    std::optional<std::string> effectiveTo; // nullopt while current
    bool displayed = false; // 明码标价
    bool bundled = false;   // bundled or forced with another service
    std::optional<double> areaM2;
    std::optional<std::int64_t> termYears;
    PriceSource source = PriceSource::Inspection;
    std::string note;
    std::optional<std::int64_t> supersededBy; // the record that replaced this one
    std::string recordedBy;
    std::string createdAt;
    std::int64_t version = 1;
};

FieldErrors validate(const PriceRecord& price);
/// An operator's price named another source than self_report (`source`, as written): the API's, the web
/// form's and the import's one wording.
FieldError operatorSourceRefused(const std::string& source);

/// A price cap for an item, citywide (no district) or for one district, over a date range.
struct ReferencePrice {
    std::int64_t id = 0;
    std::string item;
    std::optional<std::string> district;
    std::int64_t capFen = 0;
    std::string effectiveFrom;
    std::optional<std::string> effectiveTo;
    std::string basis; // the document the cap comes from
    std::int64_t version = 0;
    std::string createdAt;
    std::string updatedAt;
};

FieldErrors validate(const ReferencePrice& reference);

/// The most fen a single price may be: 100 million yuan, far beyond any real funeral price, so that a
/// mistyped amount is caught instead of stored.
constexpr std::int64_t maxAmountFen = 10'000'000'000;

} // namespace registry::domain
