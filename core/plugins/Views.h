#pragma once
// Records as plugins see them: JSON objects with the API's field names (core/codec), turned into
// read-only Lua tables by LuaConvert. A price view also carries facility_kind, facility_name, district,
// item_category and item_regime, so a rule on prices needs no second lookup.

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/Price.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry::plugins {

/// A price record with what a plugin needs of its facility. item_category and item_regime are null for
/// an item outside the catalogue; item_regime follows domain::effectiveRegime (cemetery items are
/// government-guided at public-welfare cemeteries).
Poco::JSON::Object::Ptr priceView(const domain::PriceRecord& price, const domain::Facility& facility);

/// A price view's item_category and item_regime for `item` at a facility of `kind` (nullopt: not known):
/// both nullopt for an item outside the catalogue.
struct PriceItemFields {
    std::optional<std::string_view> category;
    std::optional<std::string_view> regime;
};
PriceItemFields priceItemFields(const std::string& item, std::optional<domain::FacilityKind> kind);

/// Sets the derived fields of a price view from its facility_kind and item (used when a view is built
/// from parts, as the plugin test runner does). Leaves fields that are already set alone.
void completePriceView(Poco::JSON::Object& view);

Poco::JSON::Object::Ptr facilityView(const domain::Facility& facility);
Poco::JSON::Object::Ptr burialSiteView(const domain::BurialSite& site);

/// The cap that applies to `item` in `district` on `date` among `caps`: one for the district before a
/// citywide one, and among those the one that started last. nullopt when none is in force.
std::optional<domain::ReferencePrice> selectReferencePrice(const std::vector<domain::ReferencePrice>& caps,
                                                           const std::string& item,
                                                           const std::string& district,
                                                           const std::string& date);

/// The record plugins run on: its view (a write, a plugin test), or the stored records themselves (an
/// audit), which go into Lua without a view in between. Plugins see the same table either way.
struct Subject {
    domain::SubjectType type = domain::SubjectType::Price;
    const Poco::JSON::Object* view = nullptr; // priceView / facilityView / burialSiteView
    std::string district;                     // decides which plugins apply
    // Without a view: a price with its facility, a facility, or a burial site, as `type` says.
    const domain::PriceRecord* price = nullptr;
    const domain::Facility* facility = nullptr;
    const domain::BurialSite* site = nullptr;

    /// Whether there is a record to run on.
    bool present() const;
};

/// Where ctx gets what it reads beyond the record itself. The server backs it with the store, the plugin
/// test runner with the case's data. Called on the thread running the plugin; an exception becomes a Lua
/// error in the plugin that called (an ordinary error, which the plugin may catch).
class PluginData {
public:
    virtual ~PluginData() = default;

    /// ctx.reference_price: the cap for `item` that applies in `district` on `date` (see
    /// selectReferencePrice), or nullopt.
    virtual std::optional<domain::ReferencePrice>
    referencePrice(const std::string& item, const std::string& district, const std::string& date) = 0;

    /// ctx.previous_price: the price view of the record that `price` replaced: the one whose superseded_by
    /// is price's id, or, for a price not stored yet (id 0), the current record of its facility and item.
    /// Null when there is none. `price` carries only id, facility_id and item (those that are set).
    virtual Poco::JSON::Object::Ptr previousPrice(const Poco::JSON::Object& price) = 0;

    /// ctx.previous_price for a stored price from records instead of a view, when this data has them at
    /// hand (an audit batch's preloaded records): sets `previous` and its `facility` (both null when
    /// there is none; valid until the next call) and returns true. False: ask previousPrice.
    virtual bool previousRecord(std::int64_t priceId, const domain::PriceRecord*& previous,
                                const domain::Facility*& facility) {
        (void)priceId;
        previous = nullptr;
        facility = nullptr;
        return false;
    }

    /// The caps referencePrice selects among for `item`, when this data has them at hand: an audit sends
    /// them with its batch to the sandbox process. Sets `caps` and returns true; false: not at hand.
    virtual bool referencePricesOf(const std::string& item, std::vector<domain::ReferencePrice>& caps) {
        (void)item;
        (void)caps;
        return false;
    }

    /// ctx.current_prices: the current price views of a facility (no effective_to), in item order.
    virtual std::vector<Poco::JSON::Object::Ptr> currentPrices(std::int64_t facilityId) = 0;

    /// ctx.facility: the facility view, or null.
    virtual Poco::JSON::Object::Ptr facility(std::int64_t facilityId) = 0;
};

/// Data for a plugin checked with nothing behind it: every lookup finds nothing.
class NoPluginData : public PluginData {
public:
    std::optional<domain::ReferencePrice> referencePrice(const std::string&, const std::string&,
                                                         const std::string&) override {
        return std::nullopt;
    }
    Poco::JSON::Object::Ptr previousPrice(const Poco::JSON::Object&) override { return nullptr; }
    std::vector<Poco::JSON::Object::Ptr> currentPrices(std::int64_t) override { return {}; }
    Poco::JSON::Object::Ptr facility(std::int64_t) override { return nullptr; }
};

} // namespace registry::plugins
