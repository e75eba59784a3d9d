#include "domain/PriceItem.h"

#include <map>

namespace registry::domain {

const std::vector<PriceItem>& priceItems() {
    using C = PriceCategory;
    using R = PriceRegime;
    static const std::vector<PriceItem> all{
        {"basic.transport", "遗体接运", "Body transport", C::Basic, R::GovernmentSet, "per_trip"},
        {"basic.storage", "遗体存放/冷藏", "Body storage / refrigeration", C::Basic, R::GovernmentSet, "per_day"},
        {"basic.cremation", "遗体火化", "Cremation", C::Basic, R::GovernmentSet, "per_body"},
        {"basic.ash_storage", "骨灰寄存", "Ash storage", C::Basic, R::GovernmentSet, "per_year"},
        {"ext.farewell_hall", "告别厅", "Farewell hall", C::Extended, R::GovernmentGuided, "per_session"},
        {"ext.cosmetic", "整容/化妆", "Cosmetic restoration", C::Extended, R::GovernmentGuided, "per_body"},
        {"ext.embalming", "防腐", "Embalming", C::Extended, R::GovernmentGuided, "per_body"},
        {"cemetery.plot", "墓位", "Grave plot", C::Cemetery, R::Market, "per_plot"},
        {"cemetery.niche", "骨灰格位", "Ash niche", C::Cemetery, R::Market, "per_niche"},
        {"cemetery.maintenance", "墓位维护管理费", "Plot maintenance fee", C::Cemetery, R::Market, "per_year"},
        {"goods.urn", "骨灰盒", "Urn", C::Goods, R::Market, "per_piece"},
        {"goods.shroud", "寿衣", "Shroud", C::Goods, R::Market, "per_set"},
        {"goods.wreath", "花圈", "Wreath", C::Goods, R::Market, "per_piece"},
    };
    return all;
}

const PriceItem* findPriceItem(const std::string& code) {
    for (const auto& item : priceItems())
        if (item.code == code) return &item;
    return nullptr;
}

std::string defaultUnit(const std::string& itemCode) {
    const auto* item = findPriceItem(itemCode);
    return item && !item->unit.empty() ? item->unit : "per_item";
}

PriceRegime effectiveRegime(const PriceItem& item, FacilityKind kind) {
    if (item.category == PriceCategory::Cemetery) {
        const bool publicWelfare =
            kind == FacilityKind::PublicWelfareCemetery || kind == FacilityKind::RuralPublicWelfareCemetery;
        return publicWelfare ? PriceRegime::GovernmentGuided : PriceRegime::Market;
    }
    return item.regime;
}

std::string unitZh(const std::string& unit) {
    static const std::map<std::string, std::string> names{
        {"per_trip", "每趟"},   {"per_day", "每天"},    {"per_body", "每具"},   {"per_year", "每年"},
        {"per_session", "每场"}, {"per_plot", "每穴"},  {"per_niche", "每格"}, {"per_piece", "每件"},
        {"per_set", "每套"},
    };
    auto it = names.find(unit);
    return it == names.end() ? unit : it->second;
}

} // namespace registry::domain
