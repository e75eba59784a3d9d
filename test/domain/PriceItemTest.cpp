// The price item catalogue of DOMAIN.md: 13 items, their categories and pricing regimes, and the cemetery
// items whose regime depends on the kind of cemetery.

#include "domain/PriceItem.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace registry::domain;

namespace {
struct Expected {
    const char* code;
    const char* zh;
    PriceCategory category;
    PriceRegime regime;
};

using C = PriceCategory;
using R = PriceRegime;

// DOMAIN.md, "Prices": the regime of cemetery items as listed is market (government-guided only at
// public-welfare cemeteries, see effectiveRegime).
const Expected kItems[] = {
    {"basic.transport", "遗体接运", C::Basic, R::GovernmentSet},
    {"basic.storage", "遗体存放/冷藏", C::Basic, R::GovernmentSet},
    {"basic.cremation", "遗体火化", C::Basic, R::GovernmentSet},
    {"basic.ash_storage", "骨灰寄存", C::Basic, R::GovernmentSet},
    {"ext.farewell_hall", "告别厅", C::Extended, R::GovernmentGuided},
    {"ext.cosmetic", "整容/化妆", C::Extended, R::GovernmentGuided},
    {"ext.embalming", "防腐", C::Extended, R::GovernmentGuided},
    {"cemetery.plot", "墓位", C::Cemetery, R::Market},
    {"cemetery.niche", "骨灰格位", C::Cemetery, R::Market},
    {"cemetery.maintenance", "墓位维护管理费", C::Cemetery, R::Market},
    {"goods.urn", "骨灰盒", C::Goods, R::Market},
    {"goods.shroud", "寿衣", C::Goods, R::Market},
    {"goods.wreath", "花圈", C::Goods, R::Market},
};

const PriceItem& item(const std::string& code) {
    const PriceItem* found = findPriceItem(code);
    BOOST_TEST_REQUIRE(found != nullptr, "no catalogue item " << code);
    return *found;
}
} // namespace

BOOST_AUTO_TEST_SUITE(price_item)

BOOST_AUTO_TEST_CASE(catalogue_has_the_thirteen_items_of_the_brief) {
    const auto& all = priceItems();
    BOOST_TEST_REQUIRE(all.size() == 13u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        BOOST_TEST_CONTEXT("item " << kItems[i].code) {
            BOOST_TEST(all[i].code == kItems[i].code);
            BOOST_TEST(all[i].nameZh == kItems[i].zh);
            BOOST_TEST(!all[i].nameEn.empty());
            BOOST_TEST(toString(all[i].category) == toString(kItems[i].category));
            BOOST_TEST(toString(all[i].regime) == toString(kItems[i].regime));
            // The code's prefix names its category ("ext" for extended).
            const std::string prefix = all[i].code.substr(0, all[i].code.find('.'));
            BOOST_TEST(toString(all[i].category).rfind(prefix, 0) == 0u);
        }
    }
    std::set<std::string> codes;
    for (const auto& it : all)
        codes.insert(it.code);
    BOOST_TEST(codes.size() == 13u);
}

BOOST_AUTO_TEST_CASE(units_of_the_brief_and_their_chinese_names) {
    BOOST_TEST(item("basic.transport").unit == "per_trip");
    BOOST_TEST(item("basic.storage").unit == "per_day");
    BOOST_TEST(item("basic.cremation").unit == "per_body");
    BOOST_TEST(item("basic.ash_storage").unit == "per_year");
    BOOST_TEST(item("cemetery.plot").unit == "per_plot");
    BOOST_TEST(item("cemetery.maintenance").unit == "per_year");
    // Every catalogue unit has a Chinese name, and an unknown unit is shown as it is.
    for (const auto& it : priceItems())
        BOOST_TEST(unitZh(it.unit) != it.unit, "no Chinese name for " << it.unit);
    BOOST_TEST(unitZh("per_body") == "每具");
    BOOST_TEST(unitZh("per_fortnight") == "per_fortnight");
}

BOOST_AUTO_TEST_CASE(find_price_item_is_exact) {
    BOOST_TEST(item("basic.cremation").nameZh == "遗体火化");
    for (const char* code : {"", "basic", "cremation", "Basic.Cremation", "basic.cremation ",
                             "basic_cremation", "goods.coffin", "ext.parking"})
        BOOST_TEST(findPriceItem(code) == nullptr, "found '" << code << "'");
}

BOOST_AUTO_TEST_CASE(cemetery_items_are_guided_at_public_welfare_cemeteries_only) {
    for (const char* code : {"cemetery.plot", "cemetery.niche", "cemetery.maintenance"}) {
        BOOST_TEST_CONTEXT(code) {
            const PriceItem& it = item(code);
            BOOST_TEST(toString(effectiveRegime(it, FacilityKind::PublicWelfareCemetery)) ==
                       "government_guided");
            BOOST_TEST(toString(effectiveRegime(it, FacilityKind::RuralPublicWelfareCemetery)) ==
                       "government_guided");
            BOOST_TEST(toString(effectiveRegime(it, FacilityKind::OperatingCemetery)) == "market");
            BOOST_TEST(toString(effectiveRegime(it, FacilityKind::Columbarium)) == "market");
            BOOST_TEST(toString(effectiveRegime(it, FacilityKind::FuneralHome)) == "market");
        }
    }
}

BOOST_AUTO_TEST_CASE(other_items_keep_their_listed_regime_everywhere) {
    for (const auto& it : priceItems()) {
        if (it.category == PriceCategory::Cemetery) continue;
        for (FacilityKind kind : allEnumValues<FacilityKind>())
            BOOST_TEST(toString(effectiveRegime(it, kind)) == toString(it.regime),
                       it.code << " at " << toString(kind));
    }
    BOOST_TEST(toString(effectiveRegime(item("basic.cremation"), FacilityKind::Crematorium)) ==
               "government_set");
    BOOST_TEST(toString(effectiveRegime(item("goods.urn"), FacilityKind::PublicWelfareCemetery)) == "market");
}

BOOST_AUTO_TEST_SUITE_END()
