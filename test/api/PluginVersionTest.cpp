// Managed plugins over HTTP, as Haidian's district IT uses them: submit a version with its tests, activate
// it, try a new version in a dry run that writes no finding and reports what would change, and read which
// plugin versions each audit ran (the decision record).

#include "ApiSupport.h"

#include <boost/test/unit_test.hpp>


using namespace registry::apitest;

namespace {

/// haidian.transport-cap: 1.0.0 flags transport above 500 yuan (price.transport_cap); 2.0.0 flags it above
/// 300 yuan under another rule (price.transport_cap_300) and no longer reports the old one.
std::string capPlugin(const std::string& version) {
    const bool v2 = version != "1.0.0";
    return std::string("return {\n  name = \"haidian.transport-cap\",\n  version = \"") + version +
           "\",\n  description = \"海淀区:遗体接运价格上限\",\n  checks = {\n    price = function(p, ctx)\n" +
           "      if p.item == \"basic.transport\" and p.amount_fen > " + (v2 ? "30000" : "50000") + " then\n" +
           "        ctx.finding{rule = \"" + (v2 ? "price.transport_cap_300" : "price.transport_cap") +
           "\", severity = \"violation\", message = p.facility_name .. \" 遗体接运超过上限\"}\n      end\n    end,\n  },\n}\n";
}

std::string capTests(const std::string& version) {
    const bool v2 = version != "1.0.0";
    return std::string("return {\n  { name = \"600 元超限\", price = { item = \"basic.transport\", amount_fen = 60000 },\n") +
           "    expect = { { rule = \"" + (v2 ? "price.transport_cap_300" : "price.transport_cap") +
           "\", severity = \"violation\" } } },\n"
           "  { name = \"200 元不超限\", price = { item = \"basic.transport\", amount_fen = 20000 }, expect = {} },\n}\n";
}

Response submit(const std::string& user, const std::string& version) {
    return as(user).post("/api/v1/plugins", object({{"source", capPlugin(version)}, {"tests", capTests(version)}}));
}

bool listsPlugin(const JsonArray& plugins, const std::string& name, const std::string& version) {
    for (std::size_t i = 0; plugins && i < plugins->size(); ++i) {
        const auto p = plugins->getObject(static_cast<unsigned>(i));
        if (p->getValue<std::string>("name") == name && p->getValue<std::string>("version") == version &&
            p->getValue<std::string>("sha256").size() == 64)
            return true;
    }
    return false;
}

/// A Haidian plugin whose manifest and check body are given, with a passing test, as submitted.
std::string hostilePlugin(const std::string& name, const std::string& version, const std::string& atLoad) {
    return atLoad + "\nreturn {\n  name = \"" + name + "\",\n  version = \"" + version +
           "\",\n  description = \"恶意输入测试\",\n  checks = { price = function(p, ctx) end },\n}\n";
}

const std::string kNoFindingTests =
    "return {\n  { name = \"不报\", price = { item = \"basic.transport\", amount_fen = 1 }, expect = {} },\n}\n";

} // namespace

BOOST_AUTO_TEST_SUITE(PluginVersions)

BOOST_AUTO_TEST_CASE(a_dry_run_reports_what_a_version_would_change_and_writes_no_finding) {
    const auto facility = createFacility("insp", kOwn, "试运行测试殡仪馆");
    auto high = as("insp").post("/api/v1/prices", priceBody(facility.id(), "basic.transport", 60000, "2025-02-01"));
    BOOST_REQUIRE_MESSAGE(high.status == 201, high.describe());
    const auto other = createFacility("insp", kOwn, "试运行测试殡仪服务站");
    auto middle = as("insp").post("/api/v1/prices", priceBody(other.id(), "basic.transport", 40000, "2025-02-01"));
    BOOST_REQUIRE_MESSAGE(middle.status == 201, middle.describe());

    // 1.0.0 active, and an audit of Haidian with it.
    auto r = submit("it", "1.0.0");
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    r = as("it").postRaw("/api/v1/plugins/haidian.transport-cap/versions/1.0.0/activate", "");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.describe());
    const auto audit = finishedAudit(as("it"), as("it").postRaw("/api/v1/audits", "{}").id());
    BOOST_REQUIRE_MESSAGE(audit.str("status") == "succeeded", audit.describe());
    BOOST_TEST(audit.obj()->getValue<bool>("dry_run") == false);
    BOOST_TEST(listsPlugin(audit.obj()->getArray("plugins"), "haidian.transport-cap", "1.0.0"), audit.body);
    const std::string ofPlugin = "/api/v1/findings?status=open&subject_type=price&subject_id=";
    const auto before = as("it").all(ofPlugin + std::to_string(high.id()));
    BOOST_REQUIRE_EQUAL(before.size(), 1u);
    BOOST_TEST(before[0]->getValue<std::string>("rule") == "price.transport_cap");
    BOOST_TEST(before[0]->getValue<std::string>("plugin_version") == "1.0.0");

    // 2.0.0, tried: who may, and what the dry run says.
    r = submit("it", "2.0.0");
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    BOOST_TEST(as("insp").postRaw("/api/v1/plugins/haidian.transport-cap/versions/2.0.0/dry-run", "").status == 403);
    BOOST_TEST(as("insp105").postRaw("/api/v1/plugins/haidian.transport-cap/versions/2.0.0/dry-run", "").status == 403);
    BOOST_TEST(as("it").postRaw("/api/v1/plugins/haidian.transport-cap/versions/9.9.9/dry-run", "").status == 404);
    BOOST_TEST(as("it").postRaw("/api/v1/plugins/common.price-increase/versions/1.0.0/dry-run", "").status == 403);
    const auto unknown = as("it").postRaw("/api/v1/plugins/nowhere.cap/versions/1.0.0/dry-run", "");
    BOOST_TEST(unknown.status == 422, unknown.describe());
    BOOST_TEST(unknown.body.find("common.") != std::string::npos, "says what a name must look like: " << unknown.body);
    r = as("it").postRaw("/api/v1/plugins/haidian.transport-cap/versions/2.0.0/dry-run", "");
    BOOST_REQUIRE_MESSAGE(r.status == 202, r.describe());
    BOOST_TEST(r.header("Location") == "/api/v1/audits/" + std::to_string(r.id()));
    BOOST_TEST(r.obj()->getValue<bool>("dry_run"));
    BOOST_TEST(r.str("dry_run_plugin") == "haidian.transport-cap");
    BOOST_TEST(r.str("dry_run_version") == "2.0.0");
    BOOST_TEST(r.str("district") == kOwn);
    const auto dry = finishedAudit(as("it"), r.id());
    BOOST_REQUIRE_MESSAGE(dry.str("status") == "succeeded", dry.describe());
    const auto ran = dry.obj()->getArray("plugins");
    BOOST_TEST(ran->size() == 1u, "the version ran alone: " << dry.body);
    BOOST_TEST(listsPlugin(ran, "haidian.transport-cap", "2.0.0"), dry.body);

    auto report = as("it").get("/api/v1/audits/" + std::to_string(dry.id()) + "/report");
    BOOST_REQUIRE_MESSAGE(report.status == 200, report.describe());
    const auto body = report.obj();
    BOOST_TEST(body->getObject("dry_run")->getValue<std::string>("plugin") == "haidian.transport-cap");
    BOOST_TEST(body->getObject("dry_run")->getValue<std::string>("version") == "2.0.0");
    BOOST_TEST(body->getObject("dry_run")->getValue<std::string>("replaces") == "1.0.0");
    std::set<std::string> changes;
    const auto list = body->getArray("changes");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
        const auto c = list->getObject(static_cast<unsigned>(i));
        changes.insert(c->getValue<std::string>("change") + " " + c->getValue<std::string>("rule") + " " +
                       std::to_string(c->getValue<long long>("subject_id")));
    }
    for (const auto& expected : {"new price.transport_cap_300 " + std::to_string(high.id()),
                                 "new price.transport_cap_300 " + std::to_string(middle.id()),
                                 "gone price.transport_cap " + std::to_string(high.id())})
        BOOST_TEST(changes.count(expected) == 1u, expected << " in " << report.body);
    const auto totals = body->getObject("totals");
    BOOST_TEST(totals->getValue<long long>("findings_new") >= 2);
    BOOST_TEST(totals->getValue<long long>("findings_resolved") >= 1);
    BOOST_TEST(dry.num("findings_new") == totals->getValue<long long>("findings_new"));

    // Nothing was written: the findings are as the audit left them.
    const auto after = as("it").all(ofPlugin + std::to_string(high.id()));
    BOOST_REQUIRE_EQUAL(after.size(), 1u);
    BOOST_TEST(after[0]->getValue<std::string>("rule") == "price.transport_cap");
    BOOST_TEST(after[0]->getValue<long long>("version") == before[0]->getValue<long long>("version"));
    BOOST_TEST(as("it").all(ofPlugin + std::to_string(middle.id())).empty());
    BOOST_TEST(as("it").count("/api/v1/findings?audit_id=" + std::to_string(dry.id())) == 0);

    // The next audit compares with the audit before, not with the dry run.
    const auto next = finishedAudit(as("it"), as("it").postRaw("/api/v1/audits", "{}").id());
    BOOST_REQUIRE(next.str("status") == "succeeded");
    report = as("it").get("/api/v1/audits/" + std::to_string(next.id()) + "/report");
    BOOST_TEST(report.num("previous_audit_id") == audit.id(), report.body.substr(0, 300));
    BOOST_TEST(!report.obj()->has("changes"), "an audit's report lists no dry-run changes");

    r = as("it").postRaw("/api/v1/plugins/haidian.transport-cap/deactivate", "");
    BOOST_TEST(r.status == 204, r.describe());
}

// The answer to a submission says which lines of the plugin its tests ran, as `plugin test --coverage`
// does, and the versions page shows it.
BOOST_AUTO_TEST_CASE(the_submit_answer_says_which_lines_the_tests_ran) {
    std::string source = capPlugin("1.0.0");
    source.replace(source.find("haidian.transport-cap"), 21, "haidian.coverage-demo");
    const std::string onlyUnder =
        "return {\n  { name = \"200 元不超限\", price = { item = \"basic.transport\", amount_fen = 20000 }, expect = {} },\n}\n";
    const auto r = as("it").post("/api/v1/plugins", object({{"source", source}, {"tests", onlyUnder}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    const auto coverage = r.obj()->getObject("tests")->getObject("coverage");
    BOOST_REQUIRE_MESSAGE(coverage, r.body);
    // Line 8 reports the finding; no case is above the cap.
    BOOST_TEST(coverage->getValue<std::string>("not_run") == "8", r.body);
    BOOST_TEST(coverage->getValue<long long>("covered") == coverage->getValue<long long>("lines") - 1, r.body);
    BOOST_TEST(coverage->getValue<long long>("percent") < 100);
    const auto stored = as("it").get("/api/v1/plugins/haidian.coverage-demo/versions/1.0.0");
    BOOST_TEST(stored.obj()->getObject("tests")->getObject("coverage")->getValue<std::string>("not_run") == "8",
               stored.body);

    WebSession web("it");
    const auto page = web.get("/plugins/haidian.coverage-demo");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.body.find("测试覆盖的代码行") != std::string::npos, page.body);
    BOOST_TEST(page.body.find("未运行的行: 8") != std::string::npos, page.body);
}

// The workbench takes the two files as a district author has them, a Windows editor's byte order mark
// included; a file in another encoding is refused saying so, and nothing is stored.
BOOST_AUTO_TEST_CASE(the_workbench_takes_the_plugin_and_its_tests_as_files) {
    std::string source = capPlugin("1.0.0");
    source.replace(source.find("haidian.transport-cap"), 21, "haidian.file-upload");
    WebSession web("it");
    // GBK bytes for 测试 in a comment: not UTF-8.
    const auto gbk = web.postMultipart("/plugins/versions", {{"source", ""}, {"tests", ""}},
                                       {{"source_file", {"transport_cap.lua", "-- \xB2\xE2\xCA\xD4\n" + source}},
                                        {"tests_file", {"transport_cap_test.lua", capTests("1.0.0")}}});
    BOOST_TEST(gbk.status == 422, gbk.describe().substr(0, 300));
    BOOST_TEST(gbk.body.find("UTF-8") != std::string::npos, gbk.body);
    BOOST_TEST(as("it").get("/api/v1/plugins/haidian.file-upload/versions").status == 404, "nothing was stored");

    // A chosen file stands for the text pasted beside it.
    const auto r = web.postMultipart("/plugins/versions", {{"source", "pasted, not used"}, {"tests", ""}},
                                     {{"source_file", {"transport_cap.lua", "\xEF\xBB\xBF" + source}},
                                      {"tests_file", {"transport_cap_test.lua", "\xEF\xBB\xBF" + capTests("1.0.0")}}});
    BOOST_TEST(r.status == 303, r.describe().substr(0, 300));
    const auto stored = as("it").get("/api/v1/plugins/haidian.file-upload/versions/1.0.0");
    BOOST_REQUIRE_MESSAGE(stored.status == 200, stored.describe());
    BOOST_TEST(stored.str("source") == source, "stored without the byte order mark");
    BOOST_TEST(stored.obj()->getObject("tests")->getValue<int>("passed") == 2, stored.body);
}

// A submission is code from someone who may be trying to break in or bring the service down: whatever it
// does while it loads or while its tests run is refused with a clear error, the server stays up, and
// nothing is stored.
BOOST_AUTO_TEST_CASE(hostile_submissions_are_refused_saying_why_and_nothing_is_stored) {
    const auto before = as("it").get("/api/v1/plugins/haidian.hostile/versions");
    BOOST_TEST(before.status == 404, before.describe());
    struct Case {
        std::string what, source, tests, says;
    };
    const std::string big(300 * 1024, 'x');
    const std::vector<Case> cases{
        {"a loop at load time", hostilePlugin("haidian.hostile", "1.0.0", "while true do end"), kNoFindingTests, "instruction limit"},
        {"memory at load time", hostilePlugin("haidian.hostile", "1.0.1", "local t = {} for i = 1, 1e9 do t[i] = i end"),
         kNoFindingTests, "memory"},
        {"a string bomb at load time",
         hostilePlugin("haidian.hostile", "1.0.2", "local s = string.rep(\"x\", 1 << 40)"), kNoFindingTests, "too large"},
        {"the shell", hostilePlugin("haidian.hostile", "1.0.3", "os.execute(\"touch /tmp/registry-hostile\")"),
         kNoFindingTests, "execute"},
        {"a file", hostilePlugin("haidian.hostile", "1.0.4", "io.open(\"/etc/passwd\")"), kNoFindingTests, "io"},
        {"a loader", hostilePlugin("haidian.hostile", "1.0.5", "require(\"os\")"), kNoFindingTests, "require"},
        {"a name with a path", hostilePlugin("haidian/../../etc.x", "1.0.0", ""), kNoFindingTests, "name"},
        {"a version with a path", hostilePlugin("haidian.hostile", "../../1.0.0", ""), kNoFindingTests, "version"},
        {"markup as version", hostilePlugin("haidian.hostile", "<img src=x onerror=alert(1)>", ""), kNoFindingTests,
         "version"},
        {"a test file that loops", hostilePlugin("haidian.hostile", "1.0.6", ""), "while true do end", "tests"},
        {"a test file that is not a list", hostilePlugin("haidian.hostile", "1.0.7", ""), "return 42", "tests"},
        {"a case that is not a table", hostilePlugin("haidian.hostile", "1.0.8", ""), "return { 42 }", "tests"},
        {"source over 256 KB", hostilePlugin("haidian.hostile", "1.0.9", "-- " + big), kNoFindingTests, "256 KB"},
        {"not Lua", "<script>alert(1)</script>", kNoFindingTests, "source"},
        {"a control character", hostilePlugin("haidian.hostile", "1.0.10", "-- \x01"), kNoFindingTests, "UTF-8"},
    };
    for (const auto& c : cases) {
        const auto r = as("it").post("/api/v1/plugins", object({{"source", c.source}, {"tests", c.tests}}));
        BOOST_TEST((r.status == 422 || r.status == 400), c.what << ": " << r.describe().substr(0, 400));
        BOOST_TEST(r.isProblem(), c.what);
        BOOST_TEST(r.body.find(c.says) != std::string::npos, c.what << " says why (" << c.says << "): "
                                                                     << r.body.substr(0, 400));
    }
    BOOST_TEST(as("it").get("/api/v1/plugins/haidian.hostile/versions").status == 404, "nothing was stored");
    BOOST_TEST(as("it").get("/healthz").status == 200);

    // The same through the workbench form: the page says why, escapes what was typed, keeps it.
    WebSession web("it");
    const auto page = web.post("/plugins/versions",
                               "source=" + WebSession::encode(hostilePlugin("haidian.hostile", "<b>1</b>", "")) +
                                   "&tests=" + WebSession::encode(kNoFindingTests));
    BOOST_TEST(page.status == 422, page.describe().substr(0, 300));
    BOOST_TEST(page.body.find("<b>1</b>") == std::string::npos, "what was typed is escaped");
    BOOST_TEST(page.body.find("&lt;b&gt;1&lt;") != std::string::npos, "and kept in the form: " << page.body);
    BOOST_TEST(page.body.find("version") != std::string::npos);
    const auto loops = web.post("/plugins/versions",
                                "source=" + WebSession::encode(hostilePlugin("haidian.hostile", "1.1.0", "while true do end")) +
                                    "&tests=" + WebSession::encode(kNoFindingTests));
    BOOST_TEST(loops.status == 422, loops.describe().substr(0, 300));
    BOOST_TEST(as("it").get("/api/v1/plugins/haidian.hostile/versions").status == 404, "nothing was stored");

    // Names in the path that are not a plugin's: a clear 4xx, never a 500.
    for (const std::string& path : std::vector<std::string>{"/plugins/..%2F..%2Fetc", "/plugins/%3Cscript%3E",
                                                            "/plugins/haidian.none", "/plugins/" + std::string(300, 'a')})
        BOOST_TEST((web.get(path).status / 100 == 4), path);
    for (const std::string path : {"/plugins/..%2Fcommon.x/versions/1.0.0/activate", "/plugins/haidian.none/deactivate",
                                   "/plugins/haidian.none/versions/%00/dry-run", "/plugins/%E0%A4/versions/1/activate"})
        BOOST_TEST((web.post(path, "").status / 100 == 4), path);
    for (const std::string path : {"/api/v1/plugins/..%2Fcommon.x/versions/1.0.0/activate",
                                   "/api/v1/plugins/haidian.none/versions/%3Cb%3E/dry-run"}) {
        const auto r = as("it").postRaw(path, "");
        BOOST_TEST((r.status / 100 == 4 && r.isProblem()), path << ": " << r.describe());
    }
}

BOOST_AUTO_TEST_SUITE_END()
