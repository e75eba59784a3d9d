// /api/v1/inspections of facilities and burial sites.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;

BOOST_AUTO_TEST_SUITE(Inspections)

BOOST_AUTO_TEST_CASE(inspections_of_facilities_and_burial_sites) {
    const auto facility = createFacility("insp", kOwn, "检查对象殡仪馆").id();
    const auto site = createBurialSite("insp", kOwn).id();
    const auto insp = as("insp");

    const auto r = insp.post("/api/v1/inspections", inspectionBody("facility", facility));
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.header("Location") == pathOf("inspections", r.id()));
    BOOST_TEST(r.etag() == "\"1\"");
    BOOST_TEST(r.str("subject_type") == "facility");
    BOOST_TEST(r.num("subject_id") == facility);
    BOOST_TEST(r.str("district") == "110108", "the district comes from the subject");
    BOOST_TEST(r.str("result") == "issues_found");
    BOOST_TEST(r.str("inspector") == "insp");
    BOOST_TEST(r.obj()->getObject("checklist")->getValue<bool>("price_displayed") == false);
    BOOST_TEST(r.str("notes") == "价格未公示");

    const auto onSite = insp.post("/api/v1/inspections", with(inspectionBody("burial_site", site), {{"result", "pass"}}));
    BOOST_TEST(onSite.status == 201, onSite.describe());

    const auto read = insp.get(r.header("Location"));
    BOOST_TEST(read.status == 200);
    BOOST_TEST(read.record() == r.record());

    const auto bySubject = insp.get("/api/v1/inspections?subject_type=facility&subject_id=" + std::to_string(facility));
    BOOST_TEST(bySubject.status == 200);
    BOOST_REQUIRE_EQUAL(bySubject.items()->size(), 1u);
    BOOST_TEST(bySubject.items()->getObject(0)->getValue<long long>("id") == r.id());
    const auto sites = insp.get("/api/v1/inspections?subject_type=burial_site&subject_id=" + std::to_string(site));
    BOOST_TEST(sites.items()->size() == 1u);
    BOOST_TEST(as("admin").get("/api/v1/inspections/999999").status == 404);
    for (const char* q : {"subject_type=shop", "subject_id=x", "district=1", "limit=9999"})
        BOOST_TEST(insp.get(std::string("/api/v1/inspections?") + q).status == 400, q);
}

BOOST_AUTO_TEST_CASE(inspection_fields_are_checked_all_at_once) {
    const auto state = dbState();
    const auto admin = as("admin");
    const auto r = admin.post("/api/v1/inspections", object({{"subject_type", "shop"},
                                                             {"subject_id", "one"},
                                                             {"date", "01/05/2024"},
                                                             {"result", "meh"},
                                                             {"checklist", "all fine"},
                                                             {"notes", std::string(4001, 'x')},
                                                             {"score", 3}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("subject_type", "enum"));
    BOOST_TEST(r.hasError("subject_id", "type"));
    BOOST_TEST(r.hasError("date", "date"));
    BOOST_TEST(r.hasError("result", "enum"));
    BOOST_TEST(r.hasError("checklist", "type"));
    BOOST_TEST(r.hasError("notes", "too_long"));
    BOOST_TEST(r.hasError("score", "unknown"));

    const auto unknownSubject = admin.post("/api/v1/inspections", inspectionBody("facility", 999999));
    BOOST_TEST(unknownSubject.status == 422, unknownSubject.describe());
    BOOST_TEST(unknownSubject.hasError("subject_id", "not_found"));
    const auto price = admin.post("/api/v1/inspections", inspectionBody("price", 1));
    BOOST_TEST(price.hasError("subject_type", "enum"), price.describe());
    const auto future = admin.post("/api/v1/inspections",
                                   with(inspectionBody("facility", createFacility("admin", kOwn).id()),
                                        {{"date", "2999-12-31"}}));
    BOOST_TEST(future.hasError("date", "future"), future.describe());
    BOOST_TEST(dbState().inspections == state.inspections);
}

BOOST_AUTO_TEST_SUITE_END()
