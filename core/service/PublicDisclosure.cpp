#include "service/PublicDisclosure.h"

#include "codec/Csv.h"
#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "service/Refusal.h"
#include "store/FacilityRepository.h"
#include "store/PublicPrices.h"
#include "store/ReferencePriceRepository.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <map>
#include <sstream>

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
    /// Only where a cap applies: an item whose price is set or guided by the government at a facility of
    /// this kind (a market-priced urn, or a plot at a commercial cemetery, has none to be held to).
    std::optional<long long> of(const std::string& item, const std::string& district, domain::FacilityKind kind) {
        const auto* catalogued = domain::findPriceItem(item);
        if (!catalogued || domain::effectiveRegime(*catalogued, kind) == domain::PriceRegime::Market) return std::nullopt;
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
    f.searchCode = false;
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
        if (row.effectiveFrom > today) continue; // filed to begin later: not a price anyone pays yet
        PublicPrice price = publicPrice(row);
        out.history.push_back(price);
        if (!row.effectiveTo || *row.effectiveTo >= today) { // the one in force today
            price.capFen = caps.of(row.item, row.district, row.facilityKind);
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
    for (const auto& row : store::PublicPrices(_c.db).current(item, district, today, kMaxComparisonRows)) {
        PublicComparisonRow r;
        r.facilityId = row.facilityId;
        r.facilityName = row.facilityName;
        r.facilityKind = row.facilityKind;
        r.district = row.district;
        r.price = publicPrice(row);
        r.price.capFen = caps.of(row.item, row.district, row.facilityKind);
        out.push_back(std::move(r));
    }
    // Cheapest first only among prices of one unit: those in the catalogue's unit first, then each other
    // unit by itself (a price per square metre is not cheaper than one per plot).
    const std::string unit = domain::defaultUnit(item);
    std::stable_sort(out.begin(), out.end(), [&unit](const PublicComparisonRow& a, const PublicComparisonRow& b) {
        const bool aOther = a.price.unit != unit, bOther = b.price.unit != unit;
        if (aOther != bOther) return !aOther;
        return aOther && a.price.unit < b.price.unit;
    });
    return out;
}

std::size_t PublicDisclosure::writeOpenData(std::ostream& out, bool json, const std::string& today) {
    static const std::vector<std::string> header{"facility_id", "facility_name", "facility_kind", "district",
                                                 "address",     "operator",      "lat",           "lon",
                                                 "item",        "item_name_zh",  "item_name_en",  "amount_fen",
                                                 "unit",        "effective_from", "cap_fen"};
    const auto number = [](const std::optional<double>& v) {
        if (!v) return std::string();
        std::ostringstream text;
        text.precision(10);
        text << *v;
        return text.str();
    };
    Caps caps(_c.db, today);
    store::PublicPrices prices(_c.db);
    if (json)
        out << "[";
    else {
        out << "\xEF\xBB\xBF"; // the BOM tells Excel it is UTF-8
        codec::writeCsvRow(out, header);
    }
    std::size_t written = 0;
    long long after = 0;
    for (;;) {
        const auto page = prices.exportPage(today, after, 1000);
        if (page.empty()) break;
        for (const auto& row : page) {
            const auto& p = row.price;
            const auto* item = domain::findPriceItem(p.item);
            const auto cap = caps.of(p.item, p.district, p.facilityKind);
            if (json) {
                Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
                o.set("facility_id", p.facilityId);
                o.set("facility_name", p.facilityName);
                o.set("facility_kind", domain::toString(p.facilityKind));
                o.set("district", p.district);
                o.set("address", row.address);
                o.set("operator", row.operatorName);
                o.set("lat", row.lat ? Poco::Dynamic::Var(*row.lat) : Poco::Dynamic::Var());
                o.set("lon", row.lon ? Poco::Dynamic::Var(*row.lon) : Poco::Dynamic::Var());
                o.set("item", p.item);
                o.set("item_name_zh", item ? item->nameZh : p.item);
                o.set("item_name_en", item ? item->nameEn : p.item);
                o.set("amount_fen", p.amountFen);
                o.set("unit", p.unit);
                o.set("effective_from", p.effectiveFrom);
                o.set("cap_fen", cap ? Poco::Dynamic::Var(*cap) : Poco::Dynamic::Var());
                out << (written ? ",\n" : "\n");
                o.stringify(out);
            } else {
                codec::writeCsvRow(out,
                                   {std::to_string(p.facilityId), p.facilityName, domain::toString(p.facilityKind),
                                    p.district, row.address, row.operatorName, number(row.lat), number(row.lon), p.item,
                                    item ? item->nameZh : p.item, item ? item->nameEn : p.item,
                                    std::to_string(p.amountFen), p.unit, p.effectiveFrom,
                                    cap ? std::to_string(*cap) : std::string()},
                                   codec::CsvFormulas::Neutralise);
            }
            ++written;
        }
        after = page.back().priceId;
    }
    if (json) out << "\n]\n";
    return written;
}

} // namespace registry::service
