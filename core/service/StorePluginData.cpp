#include "service/StorePluginData.h"

#include "store/FacilityRepository.h"
#include "store/PriceRepository.h"
#include "store/ReferencePriceRepository.h"

#include <algorithm>

namespace registry::service {

StorePluginData::StorePluginData(store::Database& db) : _db(db) {}

const std::vector<domain::ReferencePrice>& StorePluginData::caps(const std::string& item) {
    auto it = _caps.find(item);
    if (it != _caps.end()) return it->second;
    std::vector<domain::ReferencePrice> all;
    store::ReferencePriceRepository references(_db);
    store::ReferencePriceFilter filter;
    filter.item = item;
    store::PageRequest page;
    page.limit = store::maxPageLimit;
    for (;;) {
        auto result = references.list(filter, page);
        all.insert(all.end(), result.items.begin(), result.items.end());
        if (!result.nextAfterId) break;
        page.afterId = *result.nextAfterId;
    }
    return _caps.emplace(item, std::move(all)).first->second;
}

std::optional<domain::ReferencePrice> StorePluginData::referencePrice(const std::string& item,
                                                                      const std::string& district,
                                                                      const std::string& date) {
    return plugins::selectReferencePrice(caps(item), item, district, date);
}

bool StorePluginData::referencePricesOf(const std::string& item, std::vector<domain::ReferencePrice>& out) {
    out = caps(item);
    return true;
}

const domain::Facility* StorePluginData::facilityOf(std::int64_t facilityId) {
    auto it = _facilities.find(facilityId);
    if (it == _facilities.end())
        it = _facilities.emplace(facilityId, store::FacilityRepository(_db).get(facilityId)).first;
    return it->second ? &*it->second : nullptr;
}

std::optional<domain::Facility> StorePluginData::facilityRecord(std::int64_t facilityId) {
    const domain::Facility* f = facilityOf(facilityId);
    return f ? std::optional<domain::Facility>(*f) : std::nullopt;
}

void StorePluginData::preload(const std::vector<domain::PriceRecord>& prices) {
    std::vector<long long> ids, facilityIds;
    for (const auto& p : prices) {
        if (p.id > 0 && !_previous.count(p.id)) ids.push_back(p.id);
        if (!_facilities.count(p.facilityId)) facilityIds.push_back(p.facilityId);
    }
    std::sort(facilityIds.begin(), facilityIds.end());
    facilityIds.erase(std::unique(facilityIds.begin(), facilityIds.end()), facilityIds.end());
    for (long long id : facilityIds) _facilities[id] = std::nullopt;
    for (auto& f : store::FacilityRepository(_db).getMany(facilityIds)) _facilities[f.id] = std::move(f);
    for (long long id : ids) _previous[id] = std::nullopt;
    for (auto& p : store::PriceRepository(_db).previousOfMany(ids)) {
        auto& slot = _previous[*p.supersededBy];
        if (!slot) slot = std::move(p); // ids ascending: the first, as PriceRepository::previous finds it
    }
}

void StorePluginData::forgetRecords() {
    _facilities.clear();
    _previous.clear();
}

Poco::JSON::Object::Ptr StorePluginData::facility(std::int64_t facilityId) {
    const auto f = facilityRecord(facilityId);
    return f ? plugins::facilityView(*f) : nullptr;
}

Poco::JSON::Object::Ptr StorePluginData::previousPrice(const Poco::JSON::Object& price) {
    store::PriceRepository prices(_db);
    std::optional<domain::PriceRecord> previous;
    const long long id = price.optValue<Poco::Int64>("id", 0);
    if (id > 0) {
        const auto preloaded = _previous.find(id);
        previous = preloaded != _previous.end() ? preloaded->second : prices.previous(id);
    } else {
        // Not stored yet: the record it is about to replace is the current one of its facility and item.
        const long long facilityId = price.optValue<Poco::Int64>("facility_id", 0);
        const std::string item = price.optValue<std::string>("item", "");
        for (const auto& p : prices.currentForFacility(facilityId))
            if (p.item == item) previous = p;
    }
    if (!previous) return nullptr;
    const domain::Facility* f = facilityOf(previous->facilityId);
    return f ? plugins::priceView(*previous, *f) : nullptr;
}

bool StorePluginData::previousRecord(std::int64_t priceId, const domain::PriceRecord*& previous,
                                     const domain::Facility*& facility) {
    previous = nullptr;
    facility = nullptr;
    const auto preloaded = _previous.find(priceId);
    if (preloaded == _previous.end()) return false;
    if (preloaded->second) {
        facility = facilityOf(preloaded->second->facilityId);
        if (facility) previous = &*preloaded->second;
    }
    return true;
}

std::vector<Poco::JSON::Object::Ptr> StorePluginData::currentPrices(std::int64_t facilityId) {
    std::vector<Poco::JSON::Object::Ptr> out;
    const domain::Facility* f = facilityOf(facilityId);
    if (!f) return out;
    for (const auto& p : store::PriceRepository(_db).currentForFacility(facilityId))
        if (!_pending || _pending->facilityId != facilityId || p.item != _pending->item)
            out.push_back(plugins::priceView(p, *f));
    if (_pending && _pending->facilityId == facilityId) out.push_back(plugins::priceView(*_pending, *f));
    return out;
}

} // namespace registry::service
