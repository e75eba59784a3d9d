// Audits over HTTP, as an auditor, a district's IT staff and an inspector use them: run one, follow its
// progress, read its report as JSON, CSV and HTML, cancel; who may do what. The test server loads
// test/api/plugins/ (a Haidian rule that flags prices that are not displayed).

#include "ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

using namespace registry::apitest;

namespace {

Response finished(const Client& client, long long id) { return finishedAudit(client, id); }

/// A Haidian price that is not displayed: the test rule reports it.
long long undisplayedPrice(const std::string& facilityName) {
    const auto facility = createFacility("insp", kOwn, facilityName);
    auto r = as("insp").post("/api/v1/prices",
                             with(priceBody(facility.id(), "basic.transport", 30000, "2025-01-01"), {{"displayed", false}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r.id();
}

} // namespace

BOOST_AUTO_TEST_SUITE(Audits)

BOOST_AUTO_TEST_CASE(an_auditor_runs_an_audit_and_reads_its_report) {
    const long long price = undisplayedPrice("审计测试殡仪馆");
    auto started = as("aud").postRaw("/api/v1/audits", "{}");
    BOOST_TEST(started.status == 202, started.describe());
    const long long id = started.id();
    BOOST_TEST(started.header("Location") == "/api/v1/audits/" + std::to_string(id));
    BOOST_TEST(started.str("trigger") == "manual");
    BOOST_TEST(started.isNull("district"));
    BOOST_TEST((started.str("status") == "queued" || started.str("status") == "running"), started.body);

    const auto run = finished(as("aud"), id);
    BOOST_TEST(run.str("status") == "succeeded", run.describe());
    BOOST_TEST(run.num("records_total") > 0);
    BOOST_TEST(run.num("records_checked") == run.num("records_total"));
    BOOST_TEST(run.str("requested_by") == "aud");
    BOOST_TEST(!run.isNull("started_at"));
    BOOST_TEST(!run.isNull("finished_at"));
    BOOST_TEST(run.str("error") == "");

    // Its finding, kept open, names this audit.
    const auto findings = as("aud").all("/api/v1/findings?audit_id=" + std::to_string(id) +
                                        "&subject_type=price&subject_id=" + std::to_string(price));
    BOOST_REQUIRE(findings.size() == 1u);
    BOOST_TEST(findings[0]->getValue<std::string>("rule") == "price.not_displayed");
    BOOST_TEST(findings[0]->getValue<std::string>("status") == "open");

    auto report = as("aud").get("/api/v1/audits/" + std::to_string(id) + "/report");
    BOOST_TEST(report.status == 200, report.describe());
    const auto body = report.obj();
    BOOST_TEST(body->getObject("audit")->getValue<long long>("id") == id);
    BOOST_TEST(body->getObject("totals")->getValue<long long>("records_checked") == run.num("records_checked"));
    bool haidianRule = false;
    const auto districts = body->getArray("districts");
    for (std::size_t i = 0; i < districts->size(); ++i) {
        const auto d = districts->getObject(static_cast<unsigned>(i));
        if (d->isNull("district") || d->getValue<std::string>("district") != kOwn) continue;
        BOOST_TEST(d->getValue<std::string>("district_name") == "海淀区");
        const auto rules = d->getArray("by_rule");
        for (std::size_t j = 0; j < rules->size(); ++j)
            if (rules->getObject(static_cast<unsigned>(j))->getValue<std::string>("rule") == "price.not_displayed")
                haidianRule = rules->getObject(static_cast<unsigned>(j))->getValue<long long>("count") >= 1;
    }
    BOOST_TEST(haidianRule, report.body);

    auto csv = as("aud").get("/api/v1/audits/" + std::to_string(id) + "/report?format=csv");
    BOOST_TEST(csv.status == 200, csv.describe());
    BOOST_TEST(csv.contentType.rfind("text/csv", 0) == 0);
    BOOST_TEST(csv.body.rfind("\xEF\xBB\xBF" "district,district_name,records_checked", 0) == 0, csv.body);
    BOOST_TEST(csv.body.find("110108,海淀区,") != std::string::npos, csv.body);
    BOOST_TEST(csv.body.find("price.not_displayed") != std::string::npos);

    auto html = as("aud").get("/api/v1/audits/" + std::to_string(id) + "/report?format=html");
    BOOST_TEST(html.status == 200, html.describe());
    BOOST_TEST(html.contentType.rfind("text/html", 0) == 0);
    BOOST_TEST(html.body.find("价格合规审计报告") != std::string::npos);
    BOOST_TEST(html.body.find("海淀区") != std::string::npos);
    auto english = as("aud").english().get("/api/v1/audits/" + std::to_string(id) + "/report?format=html");
    BOOST_TEST(english.body.find("Price-compliance audit report") != std::string::npos);
    BOOST_TEST(english.body.find("Haidian") != std::string::npos);

    auto list = as("aud").all("/api/v1/audits");
    bool listed = false;
    for (const auto& a : list) listed = listed || a->getValue<long long>("id") == id;
    BOOST_TEST(listed);

    // An inspector of Haidian sees the citywide audit's Haidian part only.
    auto own = as("insp").get("/api/v1/audits/" + std::to_string(id) + "/report");
    BOOST_TEST(own.status == 200, own.describe());
    const auto ownDistricts = own.obj()->getArray("districts");
    BOOST_TEST(ownDistricts->size() == 1u, own.body);
    BOOST_TEST(ownDistricts->getObject(0)->getValue<std::string>("district") == kOwn);

    // A second audit sees the same finding again: nothing new, the finding still open.
    const auto again = finished(as("aud"), as("aud").postRaw("/api/v1/audits", "").id());
    BOOST_TEST(again.str("status") == "succeeded", again.describe());
    BOOST_TEST(again.num("findings_new") == 0);
    auto againReport = as("aud").get("/api/v1/audits/" + std::to_string(again.id()) + "/report");
    BOOST_TEST(againReport.obj()->getValue<long long>("previous_audit_id") == id);
}

BOOST_AUTO_TEST_CASE(district_it_staff_audit_their_own_district_only) {
    auto own = as("it").postRaw("/api/v1/audits", "");
    BOOST_TEST(own.status == 202, own.describe());
    BOOST_TEST(own.str("district") == kOwn); // no district given: theirs
    BOOST_TEST(finished(as("it"), own.id()).str("status") == "succeeded");

    // A POST with no body at all (no Content-Length, as `curl -X POST` sends it) is the same.
    Request bare;
    bare.method = "POST";
    bare.path = "/api/v1/audits";
    bare.contentType = "";
    auto noBody = as("it").send(bare);
    BOOST_TEST(noBody.status == 202, noBody.describe());
    BOOST_TEST(noBody.str("district") == kOwn);
    finished(as("it"), noBody.id());

    auto other = as("it").post("/api/v1/audits", object({{"district", kOther}}));
    BOOST_TEST(other.status == 403, other.describe());
    BOOST_TEST(other.isProblem());
    // Chaoyang's inspector does not see Haidian's audit.
    BOOST_TEST(as("insp105").get("/api/v1/audits/" + std::to_string(own.id())).status == 404);
    for (const auto& a : as("insp105").all("/api/v1/audits"))
        BOOST_TEST((a->isNull("district") || a->getValue<std::string>("district") == kOther));
}

BOOST_AUTO_TEST_CASE(who_may_run_an_audit_and_bad_requests) {
    auto inspector = as("insp").postRaw("/api/v1/audits", "{}");
    BOOST_TEST(inspector.status == 403, inspector.describe());
    BOOST_TEST(Server::instance().anonymous().postRaw("/api/v1/audits", "{}").status == 401);

    auto unknownDistrict = as("aud").post("/api/v1/audits", object({{"district", "999999"}}));
    BOOST_TEST(unknownDistrict.status == 422, unknownDistrict.describe());
    BOOST_TEST(unknownDistrict.errorFields().count("district") == 1u, unknownDistrict.body);
    auto unknownField = as("aud").post("/api/v1/audits", object({{"scope", "all"}}));
    BOOST_TEST(unknownField.status == 422, unknownField.describe());
    auto notJson = as("aud").postRaw("/api/v1/audits", "district=110108", "application/x-www-form-urlencoded");
    BOOST_TEST(notJson.status == 415, notJson.describe());

    BOOST_TEST(as("aud").get("/api/v1/audits/999999").status == 404);
    BOOST_TEST(as("aud").get("/api/v1/audits/999999/report").status == 404);
    BOOST_TEST(as("aud").postRaw("/api/v1/audits/999999/cancel", "").status == 404);
}

BOOST_AUTO_TEST_CASE(a_finished_audit_cannot_be_cancelled_and_only_a_succeeded_one_has_a_report) {
    const auto done = finished(as("aud"), as("aud").postRaw("/api/v1/audits", "{}").id());
    BOOST_REQUIRE(done.str("status") == "succeeded");
    auto cancel = as("aud").postRaw("/api/v1/audits/" + std::to_string(done.id()) + "/cancel", "");
    BOOST_TEST(cancel.status == 409, cancel.describe());
    BOOST_TEST(cancel.obj()->getObject("current")->getValue<std::string>("status") == "succeeded");
    auto badFormat = as("aud").get("/api/v1/audits/" + std::to_string(done.id()) + "/report?format=xml");
    BOOST_TEST(badFormat.status == 400, badFormat.describe());
    BOOST_TEST(badFormat.body.find("format") != std::string::npos);

    // Cancelled as soon as asked (queued or running): it ends cancelled, and has no report.
    const long long id = as("aud").postRaw("/api/v1/audits", "{}").id();
    auto stop = as("aud").postRaw("/api/v1/audits/" + std::to_string(id) + "/cancel", "");
    if (stop.status == 202) {
        const auto run = finished(as("aud"), id);
        BOOST_TEST(run.str("status") == "cancelled", run.describe());
        BOOST_TEST(run.obj()->getValue<bool>("cancel_requested"));
        auto report = as("aud").get("/api/v1/audits/" + std::to_string(id) + "/report");
        BOOST_TEST(report.status == 409, report.describe());
        BOOST_TEST(report.obj()->getObject("current")->getValue<std::string>("status") == "cancelled");
    } else {
        BOOST_TEST(stop.status == 409, stop.describe()); // it had finished already
    }
    BOOST_TEST(as("insp").postRaw("/api/v1/audits/" + std::to_string(id) + "/cancel", "").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
