// The audit runner and its findings lifecycle, on SQLite and on MariaDB (REGISTRY_TEST_BACKEND): three and
// more audits over the same records, a plugin that fails on some records, cancel, a run whose server died,
// and the report checked against the demo data.

#include "audit/AuditReport.h"
#include "service/AuditService.h"
#include "service/RecordChecks.h"
#include "domain/Dates.h"
#include "plugins/PluginTestSupport.h"
#include "store/AuditResults.h"
#include "store/AuditRunRepository.h"
#include "store/DemoData.h"
#include "store/FacilityRepository.h"
#include "store/FindingRepository.h"
#include "store/PriceRepository.h"
#include "store/StoreTestSupport.h"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace registry;
using namespace registry::test;
using domain::AuditStatus;
using domain::FindingStatus;

namespace {

// Prices above 1000 yuan are a violation; a price of exactly 666.66 yuan makes the plugin fail; facilities
// whose name says 无证 (unlicensed) get a warning.
std::string testRules(const std::string& version) {
    return R"(return {
  name = "common.audit-test",
  version = ")" + version + R"(",
  description = "审计测试规则",
  checks = {
    price = function(p, ctx)
      if p.amount_fen == 66666 then error("this record breaks the rule on purpose") end
      if p.amount_fen > 100000 then
        ctx.finding{ rule = "price.too_high", severity = "violation",
                     message = p.item .. " 价格 " .. (p.amount_fen // 100) .. " 元过高" }
      end
    end,
    facility = function(f, ctx)
      if f.name:find("无证", 1, true) then
        ctx.finding{ rule = "facility.unlicensed", severity = "warning", message = f.name .. " 无证经营" }
      end
    end,
  },
})";
}

struct Fixture {
    TestDatabase database;
    TempPluginDir pluginDir;
    std::unique_ptr<plugins::PluginHost> host;
    std::unique_ptr<service::AuditService> service;

    Fixture() {
        pluginDir.write("common/audit_rules.lua", testRules("1.0.0"));
        host = std::make_unique<plugins::PluginHost>(fastSettings());
        const auto loaded = host->load(pluginDir.path());
        for (const auto& p : host->plugins()) BOOST_TEST_MESSAGE(p.file << ": " << p.error);
        BOOST_REQUIRE_MESSAGE(loaded.active == 1u, "the test plugin loads: " << loaded.error
                                                       << (host->plugins().empty() ? "" : host->plugins()[0].error));
        service = std::make_unique<service::AuditService>(db(), *host, settings("test-instance"));
    }

    store::Database& db() { return database.db(); }

    static service::AuditServiceSettings settings(const std::string& instance) {
        service::AuditServiceSettings s;
        s.runner.instanceId = instance;
        s.runner.workers = 2;
        s.runner.batchRows = 3; // many batches even for a few records
        s.runner.stageRows = 2;
        s.runner.progressIntervalMs = 0;
        s.today = [] { return std::string("2026-06-01"); };
        return s;
    }

    long long facility(const std::string& name, const std::string& district = "110108") {
        return store::FacilityRepository(db()).create(sampleFacility(name, district), actor).id;
    }
    long long price(long long facilityId, const std::string& item, long long fen, const std::string& from = "2026-01-01") {
        auto p = samplePrice(facilityId, item, fen, from);
        if (from != "2026-01-01") p.note = "更正";
        return store::PriceRepository(db()).create(p, actor).id;
    }

    domain::AuditRun audit(const std::optional<std::string>& district = std::nullopt) {
        return service->runNow(district, "auditor");
    }

    std::optional<domain::Finding> finding(const std::string& rule, domain::SubjectType type, long long subject) {
        store::FindingFilter filter;
        filter.rule = rule;
        filter.subjectType = type;
        filter.subjectId = subject;
        auto page = store::FindingRepository(db()).list(filter, {500, 0});
        if (page.items.empty()) return std::nullopt;
        BOOST_REQUIRE_EQUAL(page.items.size(), 1u);
        return page.items.front();
    }

    long long count(const std::string& sql) {
        store::Database::Session session(db());
        long long n = 0;
        session.sql() << sql, soci::into(n);
        return n;
    }
};

constexpr auto Price = domain::SubjectType::Price;

} // namespace

BOOST_FIXTURE_TEST_SUITE(audit_runner, Fixture)

BOOST_AUTO_TEST_CASE(an_audit_checks_every_current_record_and_opens_findings) {
    const long long f1 = facility("甲公墓"), f2 = facility("无证公墓", "110105");
    const long long high = price(f1, "basic.cremation", 150000);
    price(f1, "basic.transport", 30000);
    const long long old = price(f2, "basic.cremation", 200000);
    const long long replaced = price(f2, "basic.cremation", 50000, "2026-03-01"); // supersedes `old`

    const auto run = audit();
    BOOST_TEST(domain::toString(run.status) == "succeeded");
    BOOST_TEST(run.error == "");
    BOOST_TEST(run.recordsTotal == 5); // 3 current prices + 2 facilities; the superseded price is history
    BOOST_TEST(run.recordsChecked == 5);
    BOOST_TEST(run.findingsNew == 2);
    BOOST_TEST(run.findingsResolved == 0);
    BOOST_TEST(run.pluginErrors == 0);
    BOOST_TEST(run.startedAt.has_value());
    BOOST_TEST(run.finishedAt.has_value());
    BOOST_TEST(run.auditDate == "2026-06-01");

    const auto tooHigh = finding("price.too_high", Price, high);
    BOOST_REQUIRE(tooHigh);
    BOOST_TEST(domain::toString(tooHigh->status) == "open");
    BOOST_TEST(tooHigh->auditId.value_or(0) == run.id);
    BOOST_TEST(tooHigh->district.value_or("") == "110108");
    BOOST_TEST(tooHigh->message == "basic.cremation 价格 1500 元过高");
    BOOST_TEST(!finding("price.too_high", Price, old));
    BOOST_TEST(!finding("price.too_high", Price, replaced));
    BOOST_TEST(finding("facility.unlicensed", domain::SubjectType::Facility, f2).has_value());
    BOOST_TEST(count("SELECT COUNT(*) FROM audit_results") == 0); // staging is emptied by the merge
}

BOOST_AUTO_TEST_CASE(findings_across_three_audits_new_still_open_resolved_and_waived_kept) {
    const long long f = facility("乙殡仪馆");
    const long long a = price(f, "basic.cremation", 150000);
    const long long b = price(f, "basic.transport", 120000);

    const auto first = audit();
    BOOST_TEST(first.findingsNew == 2);
    auto findingA = finding("price.too_high", Price, a);
    auto findingB = finding("price.too_high", Price, b);
    BOOST_REQUIRE(findingA && findingB);
    store::FindingRepository findings(db());
    findings.setStatus(findingA->id, FindingStatus::Acknowledged, "已通知馆方整改", "insp");
    findings.setStatus(findingB->id, FindingStatus::Waived, "经局领导批准，临时豁免", "insp");

    // Second audit: both still reported; a third price is new.
    const long long c = price(f, "basic.storage", 110000);
    const auto second = audit();
    BOOST_TEST(second.findingsNew == 1);
    BOOST_TEST(second.findingsResolved == 0);
    findingA = finding("price.too_high", Price, a);
    findingB = finding("price.too_high", Price, b);
    BOOST_TEST(domain::toString(findingA->status) == "acknowledged");
    BOOST_TEST(findingA->statusNote == "已通知馆方整改"); // notes survive
    BOOST_TEST(findingA->auditId.value_or(0) == second.id);
    BOOST_TEST(findingA->lastSeenAt > findingA->firstSeenAt);
    BOOST_TEST(domain::toString(findingB->status) == "waived");
    const auto report = audit::reportJson(second, std::nullopt);
    BOOST_TEST(report->getObject("totals")->getValue<long long>("findings_new") == 1);
    BOOST_TEST(report->getObject("totals")->getValue<long long>("findings_still_open") == 1); // A (B is waived)
    BOOST_TEST(report->getValue<long long>("previous_audit_id") == first.id);

    // Third audit: A's price corrected (superseded), so A is resolved by it; B stays waived, C still open.
    price(f, "basic.cremation", 90000, "2026-05-01");
    const auto third = audit();
    BOOST_TEST(third.findingsNew == 0);
    BOOST_TEST(third.findingsResolved == 1);
    findingA = finding("price.too_high", Price, a);
    BOOST_TEST(domain::toString(findingA->status) == "resolved");
    BOOST_TEST(findingA->resolvedByAuditId.value_or(0) == third.id);
    BOOST_TEST(findingA->statusNote == "已通知馆方整改");
    BOOST_TEST(domain::toString(finding("price.too_high", Price, b)->status) == "waived");
    BOOST_TEST(domain::toString(finding("price.too_high", Price, c)->status) == "open");

    // A new version of the rule: the waiver was for the old one, so B opens again.
    pluginDir.write("common/audit_rules.lua", testRules("1.1.0"));
    BOOST_REQUIRE_EQUAL(host->reload().active, 1u);
    const auto fourth = audit();
    BOOST_TEST(fourth.findingsNew == 1);
    findingB = finding("price.too_high", Price, b);
    BOOST_TEST(domain::toString(findingB->status) == "open");
    BOOST_TEST(findingB->pluginVersion == "1.1.0");
}

BOOST_AUTO_TEST_CASE(a_waiver_holds_across_audits_until_the_record_changes) {
    const long long id = facility("无证骨灰堂");
    audit();
    auto f = finding("facility.unlicensed", domain::SubjectType::Facility, id);
    BOOST_REQUIRE(f);
    store::FindingRepository(db()).setStatus(f->id, FindingStatus::Waived, "证照正在补办", "insp");
    audit();
    BOOST_TEST(domain::toString(finding("facility.unlicensed", domain::SubjectType::Facility, id)->status) == "waived");
    // The record is edited (the on-write checks see it again): the waiver was for the old record.
    store::FacilityRepository facilities(db());
    auto record = *facilities.get(id);
    record.address = "北京市海淀区新址 8 号";
    service::RecordChecks checks(db(), *host);
    const auto verdict = checks.checkFacility(record); // before the write, stored with it
    BOOST_TEST(verdict.reported.size() == 1u);
    facilities.update(record, record.version, actor, verdict.toStore);
    f = finding("facility.unlicensed", domain::SubjectType::Facility, id);
    BOOST_TEST(domain::toString(f->status) == "open");
    BOOST_TEST(f->statusNote == "证照正在补办"); // the note stays as history
}

BOOST_AUTO_TEST_CASE(a_district_audit_resolves_only_in_its_district) {
    const long long haidian = facility("丙公墓"), chaoyang = facility("丁公墓", "110105");
    const long long h = price(haidian, "basic.cremation", 150000);
    const long long c = price(chaoyang, "basic.cremation", 150000);
    audit();
    price(haidian, "basic.cremation", 1000, "2026-04-01");
    price(chaoyang, "basic.cremation", 1000, "2026-04-01");
    const auto run = audit(std::string("110105"));
    BOOST_TEST(run.recordsChecked == 2); // Chaoyang's current price and facility
    BOOST_TEST(run.findingsResolved == 1);
    BOOST_TEST(domain::toString(finding("price.too_high", Price, c)->status) == "resolved");
    BOOST_TEST(domain::toString(finding("price.too_high", Price, h)->status) == "open");
}

// A district plugin reads only its own district through ctx, also in an audit over stored records: a
// Haidian rule asking for a Chaoyang facility and its prices is told there is none.
BOOST_AUTO_TEST_CASE(a_district_plugin_cannot_read_another_district_in_an_audit) {
    const long long haidian = facility("海淀甲馆"), chaoyang = facility("朝阳乙馆", "110105");
    price(haidian, "basic.cremation", 50000);
    price(chaoyang, "basic.cremation", 50000);
    const std::string other = std::to_string(chaoyang), own = std::to_string(haidian);
    pluginDir.write("haidian/peek.lua", R"(return {
  name = "haidian.peek",
  version = "1.0.0",
  description = "看别区的数据",
  checks = {
    price = function(p, ctx)
      ctx.finding{ rule = "peek", severity = "info", message = table.concat({
        tostring(ctx.facility()" + other + R"() ~= nil), tostring(#ctx.current_prices()" + other + R"()),
        tostring(ctx.facility()" + own + R"() ~= nil), tostring(#ctx.current_prices()" + own + R"()) }, " ") }
    end,
  },
})");
    const auto reloaded = host->reload();
    BOOST_REQUIRE_MESSAGE(reloaded.active == 2u, reloaded.error);
    const auto run = audit();
    BOOST_REQUIRE(run.status == AuditStatus::Succeeded);
    store::FindingFilter filter;
    filter.rule = "peek";
    const auto found = store::FindingRepository(db()).list(filter, {500, 0}).items;
    BOOST_REQUIRE_EQUAL(found.size(), 1u); // Haidian's price only: the rule does not run in Chaoyang
    BOOST_TEST(found.front().message == "false 0 true 1");
}

BOOST_AUTO_TEST_CASE(a_plugin_failing_on_some_records_leaves_error_findings_and_a_completed_audit) {
    const long long f = facility("戊殡仪馆");
    const long long broken = price(f, "basic.cremation", 150000);
    price(f, "basic.transport", 150000);
    audit();
    BOOST_REQUIRE(finding("price.too_high", Price, broken));
    // The record now makes the plugin fail: its finding is neither resolved nor lost.
    const long long failing = price(f, "basic.cremation", 66666, "2026-02-01");
    const auto run = audit();
    BOOST_TEST(domain::toString(run.status) == "succeeded");
    BOOST_TEST(run.pluginErrors == 1);
    const auto error = finding("plugin.error", Price, failing);
    BOOST_REQUIRE(error);
    BOOST_TEST(domain::toString(error->severity) == "error");
    BOOST_TEST(error->message.find("this record breaks the rule on purpose") != std::string::npos);
    BOOST_TEST(error->message.find("common/audit_rules.lua") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_cancelled_audit_changes_no_finding) {
    const long long f = facility("己公墓");
    for (int i = 0; i < 12; ++i) price(f, i % 2 ? "basic.transport" : "basic.storage", 150000 + i, "2026-01-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1));
    const long long before = count("SELECT COUNT(*) FROM findings");
    store::AuditRunRepository runs(db());
    auto queued = runs.createManual(std::nullopt, "auditor", "2026-06-01", "test-instance");
    service::AuditRunner runner(db(), *host, settings("test-instance").runner);
    // Asked at the first progress report, which comes after the first of several batches: the runner sees
    // it at a later report at the latest (the last one follows the last batch), however fast the workers.
    bool asked = false;
    const auto run = runner.run(queued.id, [&](long long, long long) {
        if (!asked) asked = runs.requestCancel(queued.id);
    });
    BOOST_TEST(asked);
    BOOST_TEST(domain::toString(run.status) == "cancelled");
    BOOST_TEST(run.recordsChecked < run.recordsTotal + 1);
    BOOST_TEST(count("SELECT COUNT(*) FROM findings") == before);
    BOOST_TEST(count("SELECT COUNT(*) FROM audit_results") == 0);
    // A queued audit is cancelled at once, and cannot be cancelled twice.
    auto waiting = runs.createManual(std::nullopt, "auditor", "2026-06-01", "test-instance");
    BOOST_TEST(runs.requestCancel(waiting.id));
    BOOST_TEST(domain::toString(runs.get(waiting.id)->status) == "cancelled");
    BOOST_TEST(!runs.requestCancel(waiting.id));
    BOOST_TEST(domain::toString(runner.run(waiting.id).status) == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_cancel_accepted_after_the_last_record_still_cancels) {
    const long long f = facility("己殡仪馆");
    price(f, "basic.storage", 150000);
    const long long before = count("SELECT COUNT(*) FROM findings");
    store::AuditRunRepository runs(db());
    auto queued = runs.createManual(std::nullopt, "auditor", "2026-06-01", "test-instance");
    service::AuditRunner runner(db(), *host, settings("test-instance").runner);
    // Asked at the last progress report, once every record is checked and before the merge: the request
    // is accepted (the run is still running), so the audit must end cancelled, not succeeded.
    bool asked = false;
    const auto run = runner.run(queued.id, [&](long long checked, long long total) {
        if (checked == total && !asked) asked = runs.requestCancel(queued.id);
    });
    BOOST_TEST(asked);
    BOOST_TEST(domain::toString(run.status) == "cancelled");
    BOOST_TEST(run.cancelRequested);
    BOOST_TEST(count("SELECT COUNT(*) FROM findings") == before);
    BOOST_TEST(count("SELECT COUNT(*) FROM audit_results") == 0);
}

BOOST_AUTO_TEST_CASE(a_run_whose_server_died_is_marked_failed_on_restart_with_nothing_kept) {
    const long long f = facility("庚公墓");
    const long long p = price(f, "basic.cremation", 150000);
    store::AuditRunRepository runs(db());
    // A server died half-way through: the run says running and some findings are staged.
    auto dead = runs.createManual(std::nullopt, "auditor", "2026-06-01", "test-instance");
    BOOST_REQUIRE(runs.start(dead.id, "test-instance", 2));
    domain::Finding staged;
    staged.plugin = "common.audit-test";
    staged.pluginVersion = "1.0.0";
    staged.rule = "price.too_high";
    staged.severity = domain::Severity::Violation;
    staged.subjectId = p;
    staged.district = "110108";
    staged.message = "staged";
    store::stageAuditFindings(db(), store::BulkStrategy::Auto, dead.id, {staged});
    // Another instance's run whose heartbeat stopped long ago.
    auto other = runs.createManual(std::nullopt, "auditor", "2026-06-01", "other-instance");
    BOOST_REQUIRE(runs.start(other.id, "other-instance", 2));
    {
        store::Database::Session session(db());
        session.sql() << "UPDATE audit_runs SET heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE id = :id",
            soci::use(static_cast<long long>(other.id));
    }
    // A live run of a third instance is left alone.
    auto live = runs.createManual(std::nullopt, "auditor", "2026-06-01", "live-instance");
    BOOST_REQUIRE(runs.start(live.id, "live-instance", 2));

    service->start(); // the restart
    service->stop();
    BOOST_TEST(domain::toString(runs.get(dead.id)->status) == "failed");
    BOOST_TEST(runs.get(dead.id)->error.find("stopped") != std::string::npos);
    BOOST_TEST(domain::toString(runs.get(other.id)->status) == "failed");
    BOOST_TEST(domain::toString(runs.get(live.id)->status) == "running");
    BOOST_TEST(count("SELECT COUNT(*) FROM audit_results") == 0);
    BOOST_TEST(count("SELECT COUNT(*) FROM findings") == 0); // nothing half-written looks complete
}

BOOST_AUTO_TEST_CASE(requested_audits_run_on_the_audit_thread) {
    const long long f = facility("辛公墓");
    const long long p = price(f, "basic.cremation", 150000);
    service->start();
    const auto queued = service->request(std::string("110108"), "auditor");
    BOOST_TEST(domain::toString(queued.status) == "queued");
    store::AuditRunRepository runs(db());
    for (int i = 0; i < 200 && !runs.get(queued.id)->finished(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    service->stop();
    const auto run = *runs.get(queued.id);
    BOOST_TEST(domain::toString(run.status) == "succeeded");
    BOOST_TEST(run.requestedBy == "auditor");
    BOOST_TEST(run.district.value_or("") == "110108");
    BOOST_TEST(finding("price.too_high", Price, p).has_value());
}

BOOST_AUTO_TEST_CASE(the_report_matches_the_demo_data) {
    store::DemoDataOptions options;
    options.scale = 1;
    store::loadDemoData(db(), options);
    const auto run = audit();
    BOOST_TEST(domain::toString(run.status) == "succeeded");
    const long long records = count("SELECT COUNT(*) FROM price_records WHERE superseded_by IS NULL") +
                              count("SELECT COUNT(*) FROM facilities") + count("SELECT COUNT(*) FROM burial_sites");
    BOOST_TEST(run.recordsChecked == records);
    const auto report = audit::reportJson(run, std::nullopt);
    const auto totals = report->getObject("totals");
    BOOST_TEST(totals->getValue<long long>("records_checked") == records);
    // Every finding of this audit is in the report, by district and rule.
    const long long reported = count("SELECT COUNT(*) FROM findings WHERE audit_id = " + std::to_string(run.id));
    BOOST_TEST(reported > 0);
    BOOST_TEST(totals->getValue<long long>("findings_reported") == reported);
    BOOST_TEST(totals->getValue<long long>("findings_new") == reported);
    const auto districts = report->getArray("districts");
    BOOST_TEST(districts->size() == 16u);
    for (std::size_t i = 0; i < districts->size(); ++i) {
        const auto d = districts->getObject(static_cast<unsigned>(i));
        const std::string code = d->getValue<std::string>("district");
        const long long inDistrict = count("SELECT COUNT(*) FROM findings WHERE audit_id = " + std::to_string(run.id) +
                                           " AND district = '" + code + "'");
        BOOST_TEST(d->getValue<long long>("findings_reported") == inDistrict, "district " << code);
        const long long checkedHere =
            count("SELECT COUNT(*) FROM price_records p JOIN facilities f ON f.id = p.facility_id WHERE "
                  "p.superseded_by IS NULL AND f.district = '" + code + "'") +
            count("SELECT COUNT(*) FROM facilities WHERE district = '" + code + "'") +
            count("SELECT COUNT(*) FROM burial_sites WHERE district = '" + code + "'");
        BOOST_TEST(d->getValue<long long>("records_checked") == checkedHere, "district " << code);
    }
    // A district user's view of the same report: their district only.
    const auto haidian = audit::reportJson(run, std::string("110108"));
    BOOST_TEST(haidian->getArray("districts")->size() == 1u);
    const std::string csv = audit::reportCsv(*report);
    BOOST_TEST(csv.rfind("\xEF\xBB\xBF" "district,district_name,records_checked", 0) == 0);
    // The HTML page of a report is the web's (test/web/WebTest.cpp: report_page_*).
    // A second audit over unchanged data: nothing new, nothing resolved, everything still open.
    const auto again = audit();
    BOOST_TEST(again.findingsNew == 0);
    BOOST_TEST(again.findingsResolved == 0);
    BOOST_TEST(audit::reportJson(again, std::nullopt)->getObject("totals")->getValue<long long>("findings_still_open") ==
               reported);
}

BOOST_AUTO_TEST_SUITE_END()
