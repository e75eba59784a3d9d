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

PriceItemFields priceItemFields(const std::string& item, std::optional<domain::FacilityKind> kind) {
    PriceItemFields out;
    const domain::PriceItem* entry = domain::findPriceItem(item);
    if (!entry) return out;
    out.category = domain::entryOf(entry->category).code;
    out.regime = domain::entryOf(kind ? domain::effectiveRegime(*entry, *kind) : entry->regime).code;
    return out;
}

void completePriceView(Object& view) {
    const bool hasCategory = view.has("item_category");
    const bool hasRegime = view.has("item_regime");
    if (hasCategory && hasRegime) return;
    std::optional<domain::FacilityKind> kind;
    if (view.has("facility_kind") && !view.isNull("facility_kind"))
        kind = domain::parseEnum<domain::FacilityKind>(view.getValue<std::string>("facility_kind"));
    const auto fields = priceItemFields(view.has("item") ? view.getValue<std::string>("item") : std::string(), kind);
    auto set = [&](const char* key, const std::optional<std::string_view>& value) {
        if (value)
            view.set(key, std::string(*value));
        else
            view.set(key, Poco::Dynamic::Var());
    };
    if (!hasCategory) set("item_category", fields.category);
    if (!hasRegime) set("item_regime", fields.regime);
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

bool Subject::present() const {
    if (view) return true;
    switch (type) {
    case domain::SubjectType::Price:
        return price && facility;
    case domain::SubjectType::Facility:
        return facility != nullptr;
    case domain::SubjectType::BurialSite:
        return site != nullptr;
    }
    return false;
}

} // namespace registry::plugins
