// The audit pushes records into Lua straight from the domain types (convert::pushPrice and the like);
// writes and plugin tests push their JSON views. A plugin must see the same table either way.

#include "plugins/LuaConvert.h"
#include "plugins/LuaState.h"
#include "plugins/Sandbox.h"
#include "plugins/Views.h"

#include <Poco/JSON/Object.h>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <sstream>

using namespace registry;
using namespace registry::plugins;

namespace {

/// The JSON text (keys sorted) of the table `push` leaves on the stack, and whether writing to it and to
/// its nested tables is refused.
struct Pushed {
    std::string json;
    bool readOnly = false;
};

Pushed pushed(const std::function<void(lua_State*)>& push) {
    LuaState lua(Limits{});
    Pushed out;
    const CallResult run = lua.run([&](lua_State* L) {
        sandbox::install(L);
        push(L);
        std::ostringstream text;
        convert::toJson(L, -1, "record").extract<Poco::JSON::Object::Ptr>()->stringify(text);
        out.json = text.str();
        out.readOnly = sandbox::isReadOnly(L, -1);
        for (const char* nested : {"attributes", "zones"}) {
            if (lua_getfield(L, -1, nested) == LUA_TTABLE) out.readOnly = out.readOnly && sandbox::isReadOnly(L, -1);
            lua_pop(L, 1);
        }
    });
    BOOST_REQUIRE_MESSAGE(run.ok(), run.message);
    return out;
}

domain::Facility facility(bool full) {
    domain::Facility f;
    f.id = 7;
    f.code = "F-110108-0007";
    f.name = "海淀区福田公墓";
    f.kind = domain::FacilityKind::PublicWelfareCemetery;
    f.district = "110108";
    f.address = "温泉镇";
    f.version = 3;
    f.createdAt = "2024-01-02T03:04:05Z";
    if (full) {
        f.planAction = domain::PlanAction::Expand;
        f.capacityTotal = 12000;
        f.capacityUsed = 11000;
        f.areaM2 = 52000.5;
        f.lat = 39.99;
        f.lon = 116.2;
    }
    return f;
}

domain::PriceRecord price(bool full, const std::string& item) {
    domain::PriceRecord p;
    p.id = 42;
    p.facilityId = 7;
    p.item = item;
    p.amountFen = 500000;
    p.unit = "per_plot";
    p.effectiveFrom = "2024-05-01";
    p.displayed = true;
    if (full) {
        p.effectiveTo = "2025-01-01";
        p.areaM2 = 1.0; // a whole number stays a float, as in the view
        p.termYears = 20;
        p.supersededBy = 43;
        p.bundled = true;
    }
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lua_records)

BOOST_AUTO_TEST_CASE(price_tables_are_the_views) {
    for (bool full : {false, true}) {
        for (const std::string item : {"cemetery.plot", "basic.cremation", "not.in.catalogue"}) {
            const auto f = facility(full);
            const auto p = price(full, item);
            const Pushed direct = pushed([&](lua_State* L) { convert::pushPrice(L, p, f); });
            const Pushed view = pushed([&](lua_State* L) { convert::pushView(L, *priceView(p, f), "price"); });
            BOOST_TEST(direct.json == view.json);
            BOOST_TEST(direct.readOnly);
            BOOST_TEST(direct.json.find("\"amount_fen\":500000") != std::string::npos);
            BOOST_TEST(direct.json.find("\"facility_kind\":\"public_welfare_cemetery\"") != std::string::npos);
            BOOST_TEST((direct.json.find("\"item_regime\"") != std::string::npos) == (item != "not.in.catalogue"));
        }
    }
}

BOOST_AUTO_TEST_CASE(facility_and_site_tables_are_the_views) {
    for (bool full : {false, true}) {
        const auto f = facility(full);
        const Pushed direct = pushed([&](lua_State* L) { convert::pushFacility(L, f); });
        const Pushed view = pushed([&](lua_State* L) { convert::pushView(L, *facilityView(f), "facility"); });
        BOOST_TEST(direct.json == view.json);
        BOOST_TEST(direct.readOnly);

        domain::BurialSite s;
        s.id = 9;
        s.code = "B-110108-00009";
        s.district = "110108";
        s.graveCount = 40;
        s.gravesHandled = 12;
        if (full) {
            s.zones = {domain::Zone::WaterSource, domain::Zone::ParkScenic};
            s.measure = domain::Measure::Relocate;
            s.lat = 40.0;
            s.protectedRelic = true;
        }
        const Pushed siteDirect = pushed([&](lua_State* L) { convert::pushBurialSite(L, s); });
        const Pushed siteView = pushed([&](lua_State* L) { convert::pushView(L, *burialSiteView(s), "burial_site"); });
        BOOST_TEST(siteDirect.json == siteView.json);
        BOOST_TEST(siteDirect.json.find("\"grave_count\":40") != std::string::npos);
        BOOST_TEST(siteDirect.readOnly);
    }
}

BOOST_AUTO_TEST_SUITE_END()
