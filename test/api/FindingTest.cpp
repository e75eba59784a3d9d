// /api/v1/findings: what a client can check before any audit has run (findings come from the plugins).

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;

BOOST_AUTO_TEST_SUITE(Findings)

BOOST_AUTO_TEST_CASE(the_list_answers_and_checks_its_filters) {
    for (const char* user : {"admin", "insp", "it", "aud"}) {
        const auto r = as(user).get("/api/v1/findings");
        BOOST_TEST(r.status == 200, user << ": " << r.describe());
        BOOST_TEST(r.obj()->has("items"), user);
        BOOST_TEST(r.obj()->has("next_cursor"), user);
    }
    const auto admin = as("admin");
    for (const char* q : {"severity=fatal", "status=closed", "subject_type=shop", "subject_id=x", "audit_id=x",
                          "district=1", "limit=0", "cursor=x"})
        BOOST_TEST(admin.get(std::string("/api/v1/findings?") + q).status == 400, q);
    BOOST_TEST(admin.get("/api/v1/findings?severity=violation&status=open&plugin=p&rule=r").status == 200);
    BOOST_TEST(as("insp").get(std::string("/api/v1/findings?district=") + kOther).status == 403);
    BOOST_TEST(as("insp").get(std::string("/api/v1/findings?district=") + kOwn).status == 200);
    BOOST_TEST(Server::instance().anonymous().get("/api/v1/findings").status == 401);
}

BOOST_AUTO_TEST_CASE(a_missing_finding_is_404) {
    const auto admin = as("admin");
    BOOST_TEST(admin.get("/api/v1/findings/999999").status == 404);
    const auto r = admin.post("/api/v1/findings/999999/status", object({{"status", "acknowledged"}, {"note", "x"}}));
    BOOST_TEST(r.status == 404, r.describe());
    BOOST_TEST(r.isProblem());
    const auto wrong = admin.put("/api/v1/findings/1", object({}), "\"1\"");
    BOOST_TEST(wrong.status == 405);
}

BOOST_AUTO_TEST_SUITE_END()
