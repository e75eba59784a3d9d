#include "plugins/Views.h"

#include "codec/RecordJson.h"
#include "domain/PriceItem.h"

namespace registry::plugins {

using Poco::JSON::Object;

Object::Ptr priceView(const domain::PriceRecord& price, const domain::Facility& facility) {
    Object::Ptr view = codec::toJson(price);
    view->set("facility_kind", domain::toString(facility.kind));
    view->set("facility_name", facility.name);
    view->set("district", facility.district);
    completePriceView(*view);
    return view;
}

void completePriceView(Object& view) {
    const bool hasCategory = view.has("item_category");
    const bool hasRegime = view.has("item_regime");
    if (hasCategory && hasRegime) return;
    const domain::PriceItem* item =
        view.has("item") ? domain::findPriceItem(view.getValue<std::string>("item")) : nullptr;
    if (!hasCategory) {
        if (item)
            view.set("item_category", domain::toString(item->category));
        else
            view.set("item_category", Poco::Dynamic::Var());
    }
    if (!hasRegime) {
        if (!item) {
            view.set("item_regime", Poco::Dynamic::Var());
            return;
        }
        domain::PriceRegime regime = item->regime;
        if (view.has("facility_kind") && !view.isNull("facility_kind")) {
            if (auto kind =
                    domain::parseEnum<domain::FacilityKind>(view.getValue<std::string>("facility_kind")))
                regime = domain::effectiveRegime(*item, *kind);
        }
        view.set("item_regime", domain::toString(regime));
    }
}

Object::Ptr facilityView(const domain::Facility& facility) {
    return codec::toJson(facility);
}

Object::Ptr burialSiteView(const domain::BurialSite& site) {
    return codec::toJson(site);
}

std::optional<domain::ReferencePrice> selectReferencePrice(const std::vector<domain::ReferencePrice>& caps,
                                                           const std::string& item,
                                                           const std::string& district,
                                                           const std::string& date) {
    const domain::ReferencePrice* best = nullptr;
    auto better = [&](const domain::ReferencePrice& candidate) {
        if (!best) return true;
        const bool candidateLocal = candidate.district.has_value();
        const bool bestLocal = best->district.has_value();
        if (candidateLocal != bestLocal) return candidateLocal;
        return candidate.effectiveFrom > best->effectiveFrom;
    };
    for (const auto& cap : caps) {
        if (cap.item != item) continue;
        if (cap.district && *cap.district != district) continue;
        if (!date.empty() && (cap.effectiveFrom > date || (cap.effectiveTo && *cap.effectiveTo < date)))
            continue;
        if (better(cap)) best = &cap;
    }
    if (!best) return std::nullopt;
    return *best;
}

} // namespace registry::plugins
