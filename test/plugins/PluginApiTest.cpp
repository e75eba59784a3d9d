// The ctx API as plugins call it, and the hooks' contract (validate returns nil or a message).

#include "PluginTestSupport.h"

#include "domain/BurialSite.h"
#include "plugins/PluginConfig.h"

#include <Poco/JSON/Array.h>

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace registry::plugins;
using Poco::JSON::Object;
using registry::domain::SubjectType;
using registry::test::OnePlugin;

namespace {

/// A plugin with one hook of `kind`.`subject` whose body is `body`.
std::string pluginWith(const std::string& body, const std::string& hook = "checks",
                       const std::string& subject = "price", const std::string& extra = "") {
    return "return { name = 'test.api', version = '2.1', " + extra + " " + hook + " = { " + subject +
           " = function(r, ctx)\n" + body + "\nend } }";
}

/// One finding reporting `expression`.
std::string reporting(const std::string& expression) {
    return "ctx.finding{ rule = 'probe', severity = 'info', message = tostring(" + expression + ") }";
}

class FakeData : public PluginData {
public:
    std::string askedItem, askedDistrict, askedDate;
    Object::Ptr askedPrevious;
    // A stored cap (id > 0): the host keeps its table per state until the version moves on.
    std::int64_t capId = 0, capVersion = 1, capFen = 60000;
    // previousRecord's answer for price 42 when set (the audit's preloaded records).
    std::optional<registry::domain::PriceRecord> preloadedPrevious;
    bool preloaded = false;
    registry::domain::Facility previousFacility;

    std::optional<registry::domain::ReferencePrice>
    referencePrice(const std::string& item, const std::string& district, const std::string& date) override {
        askedItem = item;
        askedDistrict = district;
        askedDate = date;
        if (item != "basic.cremation") return std::nullopt;
        registry::domain::ReferencePrice cap;
        cap.item = item;
        cap.district = district;
        cap.id = capId;
        cap.version = capVersion;
        cap.capFen = capFen;
        cap.effectiveFrom = "2024-01-01";
        cap.basis = "京发改[2024]1号 (illustrative)";
        return cap;
    }
    bool previousRecord(std::int64_t priceId, const registry::domain::PriceRecord*& previous,
                        const registry::domain::Facility*& facility) override {
        previous = nullptr;
        facility = nullptr;
        if (!preloaded || priceId != 42) return false;
        if (preloadedPrevious) {
            previous = &*preloadedPrevious;
            facility = &previousFacility;
        }
        return true;
    }
    Object::Ptr previousPrice(const Object& price) override {
        askedPrevious = new Object(price);
        Object::Ptr previous = registry::test::samplePriceView();
        previous->set("id", 41);
        previous->set("amount_fen", 50000);
        return previous;
    }
    std::vector<Object::Ptr> currentPrices(std::int64_t facilityId) override {
        if (facilityId != 3) return {};
        Object::Ptr urn = registry::test::samplePriceView();
        urn->set("item", "goods.urn");
        return {registry::test::samplePriceView(), urn};
    }
    Object::Ptr facility(std::int64_t facilityId) override {
        if (facilityId == 666) throw std::runtime_error("database unavailable");
        if (facilityId != 3) return nullptr;
        registry::domain::Facility f;
        f.id = 3;
        f.name = "海淀区殡仪馆";
        f.district = "110108";
        return facilityView(f);
    }
};

struct Api {
    explicit Api(const std::string& code, HostSettings settings = registry::test::fastSettings(),
                 const std::string& file = "common/test.lua")
        : plugin(code, settings, file) {
        plugin.environment.data = &data;
    }
    HookResult call(HookKind kind = HookKind::Checks, SubjectType subject = SubjectType::Price,
                    Object::Ptr view = nullptr) {
        return plugin.call(kind, subject, view);
    }
    std::string report(HookKind kind = HookKind::Checks) {
        HookResult result = call(kind);
        BOOST_REQUIRE_MESSAGE(result.call.ok(), result.call.message);
        BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
        return result.findings[0].message;
    }
    FakeData data;
    OnePlugin plugin;
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(plugin_api)

BOOST_AUTO_TEST_CASE(finding_carries_plugin_rule_severity_message_details) {
    Api api(pluginWith(
        "ctx.finding{ rule = 'price.above_cap', severity = 'violation', message = '超过政府定价',\n"
        "  details = { cap_fen = 60000, ratio = 1.5, items = { 'a', 'b' }, nested = { ok = true } } }"));
    const HookResult result = api.call();
    BOOST_REQUIRE(result.call.ok());
    BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
    const Finding& f = result.findings[0];
    BOOST_TEST(f.plugin == "test.api");
    BOOST_TEST(f.pluginVersion == "2.1");
    BOOST_TEST(f.hook == "checks.price");
    BOOST_TEST(f.rule == "price.above_cap");
    BOOST_TEST(registry::domain::toString(f.severity) == "violation");
    BOOST_TEST(f.message == "超过政府定价");
    std::ostringstream details;
    f.details->stringify(details);
    BOOST_TEST(details.str() == R"({"cap_fen":60000,"items":["a","b"],"nested":{"ok":true},"ratio":1.5})");
}

BOOST_AUTO_TEST_CASE(finding_may_be_called_more_than_once) {
    Api api(pluginWith(
        "for i = 1, 3 do ctx.finding{ rule = 'r' .. i, severity = 'warning', message = 'm' } end"));
    BOOST_TEST(api.call().findings.size() == 3u);
}

BOOST_AUTO_TEST_CASE(finding_refuses_what_breaks_the_contract) {
    const std::pair<const char*, const char*> cases[] = {
        {"ctx.finding{ rule = 'r', severity = 'error', message = 'm' }", "severity must be"},
        {"ctx.finding{ rule = 'r', severity = 'fatal', message = 'm' }", "severity must be"},
        {"ctx.finding{ rule = 'r', severity = 'info' }", "'message' must be"},
        {"ctx.finding{ severity = 'info', message = 'm' }", "'rule' must be"},
        {"ctx.finding{ rule = 'Has Spaces', severity = 'info', message = 'm' }", "must be a short code"},
        {"ctx.finding{ rule = 'r', severity = 'info', message = 'm', severty = 'x' }",
         "unknown field 'severty'"},
        {"ctx.finding{ rule = 'r', severity = 'info', message = 'm', details = { f = print } }",
         "details.f: cannot convert a function value"},
        {"local t = {} t.self = t\nctx.finding{ rule = 'r', severity = 'info', message = 'm', details = t }",
         "nested too deeply"},
        {"ctx.finding('text')", "bad argument #1 to 'finding'"},
    };
    for (const auto& [body, expected] : cases) {
        BOOST_TEST_CONTEXT(body) {
            Api api(pluginWith(body));
            const HookResult result = api.call();
            BOOST_TEST(toString(result.call.outcome) == "error");
            BOOST_TEST(contains(result.call.message, expected), result.call.message);
            BOOST_TEST(contains(result.call.message, "common/test.lua:"), result.call.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(findings_beyond_the_limit_are_dropped_and_counted) {
    HostSettings settings = registry::test::fastSettings();
    settings.maxFindingsPerCall = 5;
    Api api(pluginWith("for i = 1, 8 do ctx.finding{ rule = 'r', severity = 'info', message = 'm' } end"),
            settings);
    const HookResult result = api.call();
    BOOST_TEST(result.findings.size() == 5u);
    BOOST_TEST(result.droppedFindings == 3u);
}

BOOST_AUTO_TEST_CASE(reference_price_defaults_to_the_records_district_and_date) {
    Api api(pluginWith(reporting("ctx.reference_price(r.item).cap_fen")));
    BOOST_TEST(api.report() == "60000");
    BOOST_TEST(api.data.askedItem == "basic.cremation");
    BOOST_TEST(api.data.askedDistrict == "110108");
    BOOST_TEST(api.data.askedDate == "2024-05-01"); // the price's effective_from, set by the host
}

BOOST_AUTO_TEST_CASE(reference_price_takes_a_district_and_may_be_nil) {
    Api api(pluginWith(reporting("ctx.reference_price('basic.cremation', '110105').district .. ' ' .. "
                                 "tostring(ctx.reference_price('goods.urn'))")));
    BOOST_TEST(api.report() == "110105 nil");
}

BOOST_AUTO_TEST_CASE(reference_price_has_the_api_fields_and_is_read_only) {
    Api api(pluginWith(
        reporting("ctx.reference_price(r.item).basis .. ' ' .. ctx.reference_price(r.item).effective_from")));
    BOOST_TEST(api.report() == "京发改[2024]1号 (illustrative) 2024-01-01");
    Api writer(pluginWith("ctx.reference_price(r.item).cap_fen = 1"));
    BOOST_TEST(contains(writer.call().call.message, "read-only table 'reference price'"));
}

BOOST_AUTO_TEST_CASE(a_stored_caps_table_is_rebuilt_when_the_cap_changes) {
    Api api(pluginWith(reporting("ctx.reference_price(r.item).cap_fen")));
    api.data.capId = 5;
    BOOST_TEST(api.report() == "60000");
    BOOST_TEST(api.report() == "60000"); // the kept table
    api.data.capFen = 70000;
    api.data.capVersion = 2; // edited
    BOOST_TEST(api.report() == "70000");
}

BOOST_AUTO_TEST_CASE(previous_price_from_preloaded_records) {
    Api api(pluginWith(reporting("ctx.previous_price(r) and ctx.previous_price(r).amount_fen .. ' ' .. "
                                 "ctx.previous_price(r).facility_name .. ' ' .. ctx.previous_price(r).district")));
    api.data.preloaded = true;
    registry::domain::PriceRecord previous;
    previous.id = 41;
    previous.facilityId = 3;
    previous.item = "basic.cremation";
    previous.amountFen = 45000;
    previous.supersededBy = 42;
    api.data.preloadedPrevious = previous;
    api.data.previousFacility.id = 3;
    api.data.previousFacility.name = "海淀区殡仪馆";
    api.data.previousFacility.district = "110108";
    BOOST_TEST(api.report() == "45000 海淀区殡仪馆 110108");
    BOOST_TEST(!api.data.askedPrevious); // answered from the records
    api.data.preloadedPrevious.reset();
    BOOST_TEST(api.report() == "nil");
}

BOOST_AUTO_TEST_CASE(previous_price_is_asked_with_the_record) {
    Api api(pluginWith(reporting("ctx.previous_price(r).amount_fen")));
    BOOST_TEST(api.report() == "50000");
    BOOST_REQUIRE(api.data.askedPrevious);
    BOOST_TEST(api.data.askedPrevious->getValue<int>("id") == 42);
    BOOST_TEST(api.data.askedPrevious->getValue<std::string>("item") == "basic.cremation");
}

BOOST_AUTO_TEST_CASE(current_prices_is_a_read_only_list) {
    Api api(pluginWith(reporting("#ctx.current_prices(3) .. ' ' .. ctx.current_prices(3)[2].item .. ' ' .. "
                                 "#ctx.current_prices(4)")));
    BOOST_TEST(api.report() == "2 goods.urn 0");
    Api writer(pluginWith("local list = ctx.current_prices(3)\nlist[3] = {}"));
    BOOST_TEST(contains(writer.call().call.message, "read-only table 'current prices'"));
}

BOOST_AUTO_TEST_CASE(facility_finds_or_returns_nil) {
    Api api(pluginWith(reporting("ctx.facility(3).name .. ' ' .. tostring(ctx.facility(4))")));
    BOOST_TEST(api.report() == "海淀区殡仪馆 nil");
}

BOOST_AUTO_TEST_CASE(a_failing_data_source_is_an_ordinary_error) {
    Api api(pluginWith("ctx.facility(666)"));
    const HookResult result = api.call();
    BOOST_TEST(toString(result.call.outcome) == "error");
    BOOST_TEST(contains(result.call.message, "common/test.lua:2: ctx.facility: database unavailable"),
               result.call.message);
    Api catcher(pluginWith(reporting("pcall(ctx.facility, 666)")));
    BOOST_TEST(catcher.report() == "false");
}

BOOST_AUTO_TEST_CASE(today_is_the_audits_date) {
    Api api(pluginWith(reporting("ctx.today()")));
    BOOST_TEST(api.report() == "2024-06-01");
}

BOOST_AUTO_TEST_CASE(log_is_tagged_and_limited_per_call) {
    HostSettings settings = registry::test::fastSettings();
    settings.maxLogLinesPerCall = 3;
    Api api(pluginWith("for i = 1, 10 do ctx.log('line ' .. i) end"), settings);
    BOOST_TEST(api.call().call.ok());
    const std::vector<std::string> expected{"test.api: line 1", "test.api: line 2", "test.api: line 3",
                                            "test.api: (further lines of this call dropped)"};
    BOOST_TEST(api.plugin.log.lines == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(config_reads_defaults_and_settings) {
    const std::string code =
        pluginWith(reporting("ctx.config.max_percent .. ' ' .. tostring(ctx.config.strict) .. ' ' "
                             ".. #ctx.config.items .. ' ' .. tostring(ctx.config.extra)"),
                   "checks", "price", "defaults = { max_percent = 10, strict = false, items = { 'a' } },");
    registry::test::CapturedLog log;
    PluginState state(registry::test::fastSettings(), log.sink());
    LoadResult first = state.load(code, "common/test.lua", Object());
    BOOST_REQUIRE(first.ok());
    const std::map<std::string, std::string> settings{{"plugin.test.api.max_percent", "15"},
                                                      {"plugin.test.api.strict", "yes"},
                                                      {"plugin.test.api.items", "a, b,c"},
                                                      {"plugin.test.api.extra", "text"},
                                                      {"plugin.test.other.max_percent", "99"}};
    const Object::Ptr config = pluginConfig(first.manifest, settings);
    BOOST_REQUIRE(state.load(code, "common/test.lua", *config).ok());
    auto source = registry::test::sourceOf("common/test.lua", code, first.manifest);
    NoPluginData none;
    CallEnvironment environment{&none, "2024-06-01", "110108", "2024-06-01"};
    const HookResult result = state.call(*source, HookKind::Checks, SubjectType::Price,
                                         *registry::test::samplePriceView(), environment);
    BOOST_REQUIRE_MESSAGE(result.call.ok(), result.call.message);
    BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
    BOOST_TEST(result.findings[0].message == "15 true 3 text");

    BOOST_CHECK_EXCEPTION(
        pluginConfig(first.manifest,
                     std::map<std::string, std::string>{{"plugin.test.api.max_percent", "ten"}}),
        std::invalid_argument, [](const std::invalid_argument& e) {
            return contains(e.what(), "plugin.test.api.max_percent = 'ten' is not a number");
        });
}

BOOST_AUTO_TEST_CASE(validate_returns_nil_or_a_message) {
    Api refusing(pluginWith("if r.amount_fen > 70000 then return '超过上限，拒绝保存' end", "validate"));
    const HookResult refused = refusing.call(HookKind::Validate);
    BOOST_TEST(refused.call.ok());
    BOOST_REQUIRE(refused.refusal.has_value());
    BOOST_TEST(*refused.refusal == "超过上限，拒绝保存");

    Api accepting(pluginWith("return nil", "validate"));
    BOOST_TEST(!accepting.call(HookKind::Validate).refusal.has_value());

    Api confused(pluginWith("return 42", "validate"));
    const HookResult bad = confused.call(HookKind::Validate);
    BOOST_TEST(toString(bad.call.outcome) == "error");
    BOOST_TEST(contains(bad.call.message, "validate.price returned a number"), bad.call.message);
    BOOST_TEST(!bad.refusal.has_value());
}

BOOST_AUTO_TEST_CASE(a_hook_the_plugin_lacks_does_nothing) {
    Api api(pluginWith("error('never')"));
    const HookResult result = api.call(HookKind::Checks, SubjectType::Facility);
    BOOST_TEST(result.call.ok());
    BOOST_TEST(result.findings.empty());
}

BOOST_AUTO_TEST_CASE(burial_site_and_facility_views_use_the_api_names) {
    registry::domain::BurialSite site;
    site.id = 7;
    site.code = "B-110108-00007";
    site.district = "110108";
    site.graveCount = 12;
    site.zones = {registry::domain::Zone::WaterSource, registry::domain::Zone::Forest};
    site.measure = registry::domain::Measure::GreeningScreen;
    site.targetDate = "2024-12-31";
    Api siteApi(
        pluginWith("local s = r\n" + reporting("s.code .. ' ' .. #s.zones .. ' ' .. s.zones[1] .. ' ' .. "
                                               "s.measure .. ' ' .. s.grave_count .. ' ' .. "
                                               "tostring(s.protected_relic)"),
                   "checks", "burial_site"));
    const HookResult result = siteApi.call(HookKind::Checks, SubjectType::BurialSite, burialSiteView(site));
    BOOST_REQUIRE_MESSAGE(result.call.ok(), result.call.message);
    BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
    BOOST_TEST(result.findings[0].message == "B-110108-00007 2 water_source greening_screen 12 false");
}

// PLUGINS.md: a district plugin sees only its own district's records through ctx; another district's
// facility, prices, previous price and caps answer nil or an empty list, exactly as if they did not exist.
// The records here are Haidian's (110108).
BOOST_AUTO_TEST_CASE(a_district_plugin_sees_only_its_own_district) {
    const std::string probe =
        "ctx.finding{ rule = 'probe', severity = 'info', message = table.concat({\n"
        "  tostring(ctx.facility(3) ~= nil), tostring(#ctx.current_prices(3)),\n"
        "  tostring(ctx.previous_price(r) ~= nil),\n"
        "  tostring(ctx.reference_price('basic.cremation', '110108') ~= nil) }, ' ') }";
    const auto seen = [&](const std::string& file) {
        Api api(pluginWith(probe), registry::test::fastSettings(), file);
        const HookResult result = api.call();
        BOOST_REQUIRE_MESSAGE(result.call.ok(), result.call.message);
        BOOST_REQUIRE_EQUAL(result.findings.size(), 1u);
        return result.findings[0].message;
    };
    BOOST_TEST(seen("chaoyang/test.lua") == "false 0 false false");  // 110105: Haidian's records are not its own
    BOOST_TEST(seen("haidian/test.lua") == "true 2 true true");      // its own district
    BOOST_TEST(seen("common/test.lua") == "true 2 true true");       // citywide
}

BOOST_AUTO_TEST_SUITE_END()
