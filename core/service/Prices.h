#pragma once
// Price records and reference prices. A price is never changed or deleted: a new record for the same
// facility and item supersedes the current one, so the history of every price stays readable.

#include "domain/Price.h"
#include "service/Context.h"
#include "store/PriceRepository.h"
#include "store/ReferencePriceRepository.h"

namespace registry::service {

using PriceFilter = store::PriceFilter;
using ReferencePriceFilter = store::ReferencePriceFilter;

class Prices {
public:
    explicit Prices(Context context) : _c(std::move(context)) {}

    Page<domain::PriceRecord> list(const Principal& who, PriceFilter filter, const PageRequest& page);
    domain::PriceRecord get(const Principal& who, long long id);
    /// The facility decides the district: another district's facility is refused before any field talk.
    Written<domain::PriceRecord> create(const Principal& who, const DraftSource<domain::PriceRecord>& draft);
    /// A facility's price list at once (an operator's filing, or an inspector's for it): every record
    /// checked before any is stored, then all of them stored in one transaction, or none. The errors of the
    /// record at index i name `prices[i].<field>`; a plugin's refusal of it, `prices[i]`.
    std::vector<Written<domain::PriceRecord>> fileList(const Principal& who, long long facilityId,
                                                       const DraftSource<std::vector<domain::PriceRecord>>& draft);

    /// A facility's current prices, and one item's history (newest first), for one it may read.
    std::vector<domain::PriceRecord> currentForFacility(const Principal& who, long long facilityId);
    std::vector<domain::PriceRecord> history(const Principal& who, long long facilityId, const std::string& item);

private:
    Context _c;
};

/// Caps set by the price authority: citywide (no district) or a district's. Everyone reads them; admins
/// write those of their scope.
class ReferencePrices {
public:
    explicit ReferencePrices(Context context) : _c(std::move(context)) {}

    Page<domain::ReferencePrice> list(const Principal& who, const ReferencePriceFilter& filter, const PageRequest& page);
    domain::ReferencePrice get(const Principal& who, long long id);
    domain::ReferencePrice create(const Principal& who, const DraftSource<domain::ReferencePrice>& draft);
    domain::ReferencePrice update(const Principal& who, long long id, const DraftSource<domain::ReferencePrice>& draft);

private:
    Context _c;
};

} // namespace registry::service
