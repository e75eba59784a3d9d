// A district's plugins on a write, as the inspector entering a price sees them: a blocking rule refuses
// the write with its message and stores nothing; the checks come back with the saved record and are
// stored as findings. The test server loads test/api/plugins/ (a Haidian rule).

#include "ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;

BOOST_AUTO_TEST_SUITE(PluginsOnWrite)

BOOST_AUTO_TEST_CASE(the_plugins_route_lists_the_loaded_rule) {
    auto r = as("it").get("/api/v1/plugins");
    BOOST_TEST(r.status == 200, r.describe());
    bool found = false;
    for (const auto& p : *r.json.extract<Poco::JSON::Array::Ptr>()) {
        const auto o = p.extract<Poco::JSON::Object::Ptr>();
        if (o->getValue<std::string>("name") != "haidian.api-test-rules") continue;
        found = true;
        BOOST_TEST(o->getValue<std::string>("status") == "active");
        BOOST_TEST(o->getValue<std::string>("version") == "1.0.0");
    }
    BOOST_TEST(found, r.body);
    auto reload = as("it").postRaw("/api/v1/plugins/reload", "{}");
    BOOST_TEST(reload.status == 200, reload.describe());
    auto denied = as("insp").postRaw("/api/v1/plugins/reload", "{}");
    BOOST_TEST(denied.status == 403, denied.describe());
}

BOOST_AUTO_TEST_CASE(checks_come_back_with_the_price_and_are_stored_as_findings) {
    const auto facility = createFacility("insp", kOwn, "插件检查殡仪馆");
    auto body = with(priceBody(facility.id(), "basic.cremation", 60000, "2025-01-01"), {{"displayed", false}});
    auto r = as("insp").post("/api/v1/prices", body);
    BOOST_TEST(r.status == 201, r.describe());
    const auto checks = r.obj()->getArray("checks");
    BOOST_REQUIRE(checks && checks->size() == 1u);
    const auto check = checks->getObject(0);
    BOOST_TEST(check->getValue<std::string>("plugin") == "haidian.api-test-rules");
    BOOST_TEST(check->getValue<std::string>("rule") == "price.not_displayed");
    BOOST_TEST(check->getValue<std::string>("severity") == "violation");
    BOOST_TEST(check->getValue<std::string>("message").find("插件检查殡仪馆") != std::string::npos);
    const auto findings = as("insp").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(r.id()));
    BOOST_REQUIRE(findings.size() == 1u);
    BOOST_TEST(findings[0]->getValue<std::string>("status") == "open");
    BOOST_TEST(findings[0]->getValue<std::string>("district") == kOwn);
}

BOOST_AUTO_TEST_CASE(a_blocking_rule_refuses_the_write_and_stores_nothing) {
    const auto facility = createFacility("insp", kOwn, "插件拦截殡仪馆");
    const auto before = dbState();
    auto r = as("insp").post("/api/v1/prices", priceBody(facility.id(), "basic.cremation", 9000000, "2025-01-01"));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.body.find("haidian.api-test-rules") != std::string::npos, r.body);
    BOOST_TEST(r.body.find("疑似录入错误") != std::string::npos, r.body);
    BOOST_TEST(dbState() == before);
    // The same refusal stops a price list that carries such a row.
    const std::string csv = "facility_id,item,amount_fen,effective_from,displayed,bundled\n" +
                            std::to_string(facility.id()) + ",basic.cremation,9000000,2025-01-01,true,false\n";
    auto import = as("insp").postRaw("/api/v1/import/prices", csv, "text/csv");
    BOOST_TEST(import.status == 422, import.describe());
    BOOST_TEST(dbState() == before);
}

BOOST_AUTO_TEST_CASE(another_districts_writes_are_not_judged_by_haidian_rules) {
    const auto facility = createFacility("insp105", kOther, "朝阳插件无关殡仪馆");
    auto body = with(priceBody(facility.id(), "basic.cremation", 9000000, "2025-01-01"), {{"displayed", false}});
    auto r = as("insp105").post("/api/v1/prices", body);
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.obj()->getArray("checks")->size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
