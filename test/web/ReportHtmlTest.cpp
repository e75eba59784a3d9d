// The audit report's HTML page: the web catalogue's labels in Chinese (the default) and English, and every
// value a plugin chose (its name, its rule) escaped.

#include "audit/AuditReport.h"
#include "web/Assets.h"
#include "web/ReportHtml.h"

#include <boost/test/unit_test.hpp>

using namespace registry;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A succeeded citywide audit whose Haidian part has one rule from a plugin with markup in its names.
Poco::JSON::Object::Ptr sampleReport() {
    domain::AuditRun run;
    run.id = 7;
    run.status = domain::AuditStatus::Succeeded;
    run.auditDate = "2026-11-29";
    run.summaryJson = R"({"previous_audit_id": 6, "districts": [{"district": "110108", "district_name": "海淀区",
        "records_checked": 12, "findings_reported": 3, "findings_new": 2, "findings_still_open": 1,
        "findings_resolved": 4, "plugin_errors": 0, "by_rule": [{"plugin": "haidian.<script>alert(1)</script>",
        "rule": "price.<b>cap</b>", "severity": "violation", "count": 3}]}]})";
    return audit::reportJson(run, std::nullopt);
}

} // namespace

BOOST_AUTO_TEST_SUITE(report_page)

BOOST_AUTO_TEST_CASE(report_page_in_chinese_by_default_with_the_catalogue_labels) {
    const std::string html = web::reportHtml(*sampleReport(), "zh");
    BOOST_TEST(contains(html, "<html lang=\"zh-CN\">"));
    BOOST_TEST(contains(html, "<h1>" + web::message("zh", "report_title") + " #7</h1>"), html);
    for (const char* key : {"report_status", "report_records", "report_still_open", "report_by_rule", "report_all"})
        BOOST_TEST(contains(html, web::message("zh", key)), key);
    BOOST_TEST(contains(html, "价格合规审计报告"));
    BOOST_TEST(contains(html, "海淀区"));
    BOOST_TEST(contains(html, domain::zhName(domain::AuditStatus::Succeeded)));
    BOOST_TEST(contains(html, domain::zhName(domain::Severity::Violation)));
    BOOST_TEST(contains(html, web::message("zh", "citywide")));
    BOOST_TEST(contains(html, "#6")); // the previous audit
    BOOST_TEST(web::reportHtml(*sampleReport(), "fr") == html); // an unknown language is Chinese
}

BOOST_AUTO_TEST_CASE(report_page_in_english) {
    const std::string html = web::reportHtml(*sampleReport(), "en");
    BOOST_TEST(contains(html, "<html lang=\"en\">"));
    BOOST_TEST(contains(html, "<h1>Price-compliance audit report #7</h1>"), html);
    for (const char* key : {"report_status", "report_records", "report_still_open", "report_by_rule", "report_all"})
        BOOST_TEST(contains(html, web::message("en", key)), key);
    BOOST_TEST(contains(html, "Haidian"));
    BOOST_TEST(contains(html, "Citywide"));
    BOOST_TEST(contains(html, domain::enName(domain::Severity::Violation)));
    BOOST_TEST(!contains(html, "价格合规审计报告"));
}

BOOST_AUTO_TEST_CASE(report_page_escapes_what_plugins_wrote) {
    for (const std::string lang : {"zh", "en"}) {
        const std::string html = web::reportHtml(*sampleReport(), lang);
        BOOST_TEST(!contains(html, "<script>"), lang);
        BOOST_TEST(!contains(html, "<b>"), lang);
        BOOST_TEST(contains(html, "haidian.&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"), html);
        BOOST_TEST(contains(html, "price.&lt;b&gt;cap&lt;&#x2F;b&gt;"), html);
    }
}

BOOST_AUTO_TEST_SUITE_END()
