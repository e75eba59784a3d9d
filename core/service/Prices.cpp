#include "service/Prices.h"

#include "service/RecordChecks.h"
#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "service/Permissions.h"
#include "service/StoreErrors.h"
#include "store/FacilityRepository.h"

namespace registry::service {

namespace {
std::optional<std::string> facilityDistrict(Context& c, long long facilityId) {
    const auto facility = store::FacilityRepository(c.db).get(facilityId);
    if (!facility) return std::nullopt;
    return facility->district;
}
} // namespace

Page<domain::PriceRecord> Prices::list(const Principal& who, PriceFilter filter, const PageRequest& page) {
    filter.district = listScope(who, filter.district);
    return store::PriceRepository(_c.db).list(filter, page);
}

domain::PriceRecord Prices::get(const Principal& who, long long id) {
    auto price = store::PriceRepository(_c.db).get(id);
    if (!price) throw NotFound("price");
    require(who, Action::Read, facilityDistrict(_c, price->facilityId));
    return std::move(*price);
}

Written<domain::PriceRecord> Prices::create(const Principal& who, const DraftSource<domain::PriceRecord>& source) {
    requireOwn(who, Action::WriteRecord);
    auto draft = source();
    auto& price = draft.value;
    if (price.facilityId > 0)
        if (const auto district = facilityDistrict(_c, price.facilityId))
            require(who, Action::WriteRecord, district);
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(price)));
    if (price.unit.empty()) price.unit = domain::defaultUnit(price.item);
    service::RecordChecks::Verdict verdict;
    if (_c.checks) { // before the transaction, on the record as it will be stored
        if (auto refusal = _c.checks->validatePrice(price)) throw RefusedByPlugin(*refusal);
        auto asStored = price;
        asStored.recordedBy = who.username;
        asStored.createdAt = domain::nowTimestamp();
        asStored.version = 1;
        asStored.effectiveTo.reset();
        asStored.supersededBy.reset();
        verdict = _c.checks->checkPrice(asStored);
    }
    auto created = storeWrite<domain::PriceRecord>(
        [&] { return store::PriceRepository(_c.db).create(price, who.username, verdict.toStore); });
    return {std::move(created), std::move(verdict.reported)};
}

std::vector<domain::PriceRecord> Prices::currentForFacility(const Principal& who, long long facilityId) {
    const auto district = facilityDistrict(_c, facilityId);
    if (!district) throw NotFound("facility");
    require(who, Action::Read, district);
    return store::PriceRepository(_c.db).currentForFacility(facilityId);
}

std::vector<domain::PriceRecord> Prices::history(const Principal& who, long long facilityId, const std::string& item) {
    const auto district = facilityDistrict(_c, facilityId);
    if (!district) throw NotFound("facility");
    require(who, Action::Read, district);
    return store::PriceRepository(_c.db).history(facilityId, item);
}

Page<domain::ReferencePrice> ReferencePrices::list(const Principal&, const ReferencePriceFilter& filter,
                                                   const PageRequest& page) {
    // Caps are public knowledge within the bureau: every signed-in role reads every district's.
    return store::ReferencePriceRepository(_c.db).list(filter, page);
}

domain::ReferencePrice ReferencePrices::get(const Principal&, long long id) {
    auto reference = store::ReferencePriceRepository(_c.db).get(id);
    if (!reference) throw NotFound("reference price");
    return std::move(*reference);
}

domain::ReferencePrice ReferencePrices::create(const Principal& who, const DraftSource<domain::ReferencePrice>& source) {
    requireOwn(who, Action::WriteReference);
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    require(who, Action::WriteReference, draft.value.district);
    return storeWrite<domain::ReferencePrice>(
        [&] { return store::ReferencePriceRepository(_c.db).create(draft.value, who.username); });
}

domain::ReferencePrice ReferencePrices::update(const Principal& who, long long id,
                                               const DraftSource<domain::ReferencePrice>& source) {
    requireOwn(who, Action::WriteReference);
    store::ReferencePriceRepository references(_c.db);
    const auto current = references.get(id);
    if (!current) throw NotFound("reference price");
    require(who, Action::WriteReference, current->district);
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    require(who, Action::WriteReference, draft.value.district);
    draft.value.id = id;
    return storeWrite<domain::ReferencePrice>(
        [&] { return references.update(draft.value, draft.expectedVersion, who.username); });
}

} // namespace registry::service
