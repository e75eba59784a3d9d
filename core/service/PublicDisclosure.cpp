#include "service/PublicDisclosure.h"

#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "service/Refusal.h"
#include "store/FacilityRepository.h"
#include "store/PublicPrices.h"
#include "store/ReferencePriceRepository.h"

#include <algorithm>
#include <map>

namespace registry::service {

namespace {

PublicFacility publicFacility(const domain::Facility& f) {
    PublicFacility p;
    p.id = f.id;
    p.name = f.name;
    p.kind = f.kind;
    p.district = f.district;
    p.address = f.address;
    p.operatorName = f.operatorName;
    p.lat = f.lat;
    p.lon = f.lon;
    return p;
}

PublicPrice publicPrice(const store::PublicPriceRow& row) {
    PublicPrice p;
    p.item = row.item;
    p.amountFen = row.amountFen;
    p.unit = row.unit;
    p.effectiveFrom = row.effectiveFrom;
    p.effectiveTo = row.effectiveTo;
    return p;
}

/// Caps in force today, looked up once per item and district.
class Caps {
public:
    Caps(store::Database& db, std::string today) : _repo(db), _today(std::move(today)) {}
    std::optional<long long> of(const std::string& item, const std::string& district) {
        const auto key = std::make_pair(item, district);
        const auto found = _cache.find(key);
        if (found != _cache.end()) return found->second;
        const auto cap = _repo.capFor(item, district, _today);
        return _cache[key] = cap ? std::optional<long long>(cap->capFen) : std::nullopt;
    }

private:
    store::ReferencePriceRepository _repo;
    std::string _today;
    std::map<std::pair<std::string, std::string>, std::optional<long long>> _cache;
};

std::size_t catalogueIndex(const std::string& item) {
    const auto& items = domain::priceItems();
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].code == item) return i;
    return items.size();
}

} // namespace

Page<PublicFacility> PublicDisclosure::facilities(const PublicFacilityFilter& filter, const PageRequest& page) {
    store::FacilityFilter f;
    f.district = filter.district;
    f.kind = filter.kind;
    f.status = domain::FacilityStatus::Operating;
    f.q = filter.q;
    const auto found = store::FacilityRepository(_c.db).list(f, page);
    Page<PublicFacility> out;
    out.nextAfterId = found.nextAfterId;
    for (const auto& facility : found.items) out.items.push_back(publicFacility(facility));
    return out;
}

PublicFacilityPrices PublicDisclosure::facility(long long id, const std::string& today) {
    const auto facility = store::FacilityRepository(_c.db).get(id);
    if (!facility || facility->status != domain::FacilityStatus::Operating) throw NotFound("facility");
    PublicFacilityPrices out;
    out.facility = publicFacility(*facility);
    Caps caps(_c.db, today);
    for (const auto& row : store::PublicPrices(_c.db).history(id, domain::addDays(today, -kHistoryDays))) {
        PublicPrice price = publicPrice(row);
        out.history.push_back(price);
        if (!row.effectiveTo) { // the current record (a superseded one always has its end date)
            price.capFen = caps.of(row.item, row.district);
            out.prices.push_back(std::move(price));
        }
    }
    std::stable_sort(out.prices.begin(), out.prices.end(), [](const PublicPrice& a, const PublicPrice& b) {
        return catalogueIndex(a.item) < catalogueIndex(b.item);
    });
    return out;
}

std::vector<PublicComparisonRow> PublicDisclosure::compare(const std::string& item,
                                                           const std::optional<std::string>& district,
                                                           const std::string& today) {
    if (!domain::findPriceItem(item))
        throw Invalid({{"item", "unknown", "没有这个价格项目(见 /api/v1/price-items)",
                        "no such price item (see /api/v1/price-items)"}});
    Caps caps(_c.db, today);
    std::vector<PublicComparisonRow> out;
    for (const auto& row : store::PublicPrices(_c.db).current(item, district, kMaxComparisonRows)) {
        PublicComparisonRow r;
        r.facilityId = row.facilityId;
        r.facilityName = row.facilityName;
        r.facilityKind = row.facilityKind;
        r.district = row.district;
        r.price = publicPrice(row);
        r.price.capFen = caps.of(row.item, row.district);
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace registry::service
