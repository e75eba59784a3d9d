#pragma once
// The price item catalogue of DOMAIN.md. Items outside it can still be recorded (an inspector writes down
// what a facility charges); plugins flag them as unauthorised fee items.

#include "domain/Enums.h"

#include <string>
#include <vector>

namespace registry::domain {

struct PriceItem {
    std::string code; // "basic.cremation"
    std::string nameZh;
    std::string nameEn;
    PriceCategory category;
    PriceRegime regime; // as listed; see effectiveRegime for cemetery items
    std::string unit;   // "per_body"
};

const std::vector<PriceItem>& priceItems();

/// nullptr for an item outside the catalogue.
const PriceItem* findPriceItem(const std::string& code);

/// The unit of a price given without one: its catalogue item's, or "per_item" for an item outside it.
std::string defaultUnit(const std::string& itemCode);

/// Cemetery items are government-guided at public-welfare cemeteries and market-priced elsewhere.
PriceRegime effectiveRegime(const PriceItem& item, FacilityKind kind);

/// Chinese display name of a unit code ("per_body" → "每具").
std::string unitZh(const std::string& unit);

} // namespace registry::domain
