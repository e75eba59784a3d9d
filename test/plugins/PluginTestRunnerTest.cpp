// `plugin test` and `plugin check` as plugin authors see them: one line per case, a summary line, the exit
// status, and clear messages for a broken plugin or a broken case.

#include "PluginTestSupport.h"

#include "plugins/PluginTestRunner.h"

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace registry::plugins;
using registry::test::TempPluginDir;

namespace {

const std::string kCap = R"(return {
  name = "common.basic-cap",
  version = "1.0.0",
  description = "基本服务不得超过政府定价",
  defaults = { tolerance_fen = 0 },
  checks = {
    price = function(p, ctx)
      local ref = ctx.reference_price(p.item)
      if ref and p.amount_fen > ref.cap_fen + ctx.config.tolerance_fen then
        ctx.finding{ rule = "price.above_cap", severity = "violation", message = "above cap " .. ref.cap_fen }
      end
    end,
  },
  validate = {
    price = function(p, ctx)
      if p.amount_fen < 0 then return "金额不能为负" end
    end,
  },
}
)";

const std::string kCapTests = R"(return {
  { name = "above cap is a violation", today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { item = "basic.cremation", amount_fen = 80000, district = "110108", facility_kind = "funeral_home" },
    expect = { { rule = "price.above_cap", severity = "violation" } } },
  { name = "at cap is fine", today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 60000 }, expect = {} },
  { name = "tolerance from config", today = "2024-06-01", config = { tolerance_fen = 30000 },
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 80000 }, expect = {} },
  { name = "negative amounts are refused", price = { amount_fen = -1 }, refuse = "负" },
}
)";

struct Run {
    int status = 0;
    std::string output;
};

Run test(const std::vector<std::string>& paths) {
    std::ostringstream out;
    Run run;
    run.status = runPluginTests(paths, out, registry::test::fastSettings());
    run.output = out.str();
    return run;
}

Run check(const std::string& file) {
    std::ostringstream out;
    Run run;
    run.status = checkPlugin(file, out, registry::test::fastSettings());
    run.output = out.str();
    return run;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(plugin_test_runner)

BOOST_AUTO_TEST_CASE(passing_cases_give_one_line_each_and_status_zero) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", kCapTests);
    const Run run = test({dir.path()});
    const std::string file = dir.path("common/cap_test.lua");
    BOOST_TEST(run.output == "PASS " + file + ": above cap is a violation\n" + "PASS " + file +
                                 ": at cap is fine\n" + "PASS " + file + ": tolerance from config\n" +
                                 "PASS " + file + ": negative amounts are refused\n" +
                                 "4 passed, 0 failed\n");
    BOOST_TEST(run.status == 0);
}

// --coverage: which lines of the plugin its cases ran, the same in a sandbox process and in a thread.
BOOST_AUTO_TEST_CASE(coverage_names_the_lines_no_case_ran) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", R"(return {
  { name = "at cap is fine", today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 60000 }, expect = {} },
}
)");
    dir.write("common/full.lua", kCap);
    dir.write("common/full_test.lua", kCapTests);
    for (const auto isolation : {Isolation::Process, Isolation::Thread}) {
        auto settings = registry::test::fastSettings();
        settings.isolation = isolation;
        settings.coverage = true;
        std::ostringstream out;
        BOOST_TEST(runPluginTests({dir.path()}, out, settings) == 0);
        const std::string output = out.str();
        const std::string partial = "COVER " + dir.path("common/cap.lua") + ": ";
        const auto at = output.find(partial);
        BOOST_REQUIRE_MESSAGE(at != std::string::npos, output);
        const std::string line = output.substr(at, output.find('\n', at) - at);
        // Line 10 reports the finding: only a case above the cap runs it.
        BOOST_TEST((line.size() > partial.size() + 20 && line.compare(line.size() - 15, 15, "%), not run: 10") == 0),
                   line);
        BOOST_TEST(line.find("(100%)") == std::string::npos, line);
        BOOST_TEST(contains(output, "COVER " + dir.path("common/full.lua") + ": "), output);
        BOOST_TEST(contains(output, "lines (100%)\n"), "every line of full.lua ran: " << output);
    }
    // Without --coverage nothing of it is printed.
    BOOST_TEST(!contains(test({dir.path()}).output, "COVER"));
}

// audit = true: the record as the nightly audit sees it, stored already: validate does not run, checks do.
BOOST_AUTO_TEST_CASE(an_audit_case_runs_only_the_checks) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", R"(return {
  { name = "a stored negative amount is not refused", audit = true, price = { amount_fen = -1 }, expect = {} },
  { name = "a stored price above the cap is reported", audit = true, today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 80000 }, expect = { { rule = "price.above_cap" } } },
  { name = "an audit case cannot expect a refusal", audit = true, price = { amount_fen = -1 }, refuse = true },
  { name = "audit is true or false", audit = "yes", price = { amount_fen = 1 }, expect = {} },
}
)");
    const Run run = test({dir.path()});
    const std::string file = dir.path("common/cap_test.lua");
    BOOST_TEST(contains(run.output, "PASS " + file + ": a stored negative amount is not refused\n"), run.output);
    BOOST_TEST(contains(run.output, "PASS " + file + ": a stored price above the cap is reported\n"), run.output);
    BOOST_TEST(contains(run.output, "FAIL " + file + ": an audit case cannot expect a refusal\n     bad case: an audit "
                                    "case cannot expect a refusal"), run.output);
    BOOST_TEST(contains(run.output, "bad case: audit must be true or false"), run.output);
    BOOST_TEST(contains(run.output, "2 passed, 2 failed\n"), run.output);
}

BOOST_AUTO_TEST_CASE(a_failing_case_says_what_differed) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", R"(return {
  { name = "wrong expectation", today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 60000 }, expect = { { rule = "price.above_cap", severity = "violation" } } },
  { name = "unexpected finding", today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 70000 }, expect = {} },
  { name = "wrong severity", today = "2024-06-01",
    reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
    price = { amount_fen = 70000 }, expect = { { rule = "price.above_cap", severity = "warning" } } },
  { name = "not refused", price = { amount_fen = 1 }, refuse = true },
})");
    const Run run = test({dir.path("common/cap.lua")});
    BOOST_TEST(run.status == 1);
    BOOST_TEST(contains(run.output, "FAIL " + dir.path("common/cap_test.lua") +
                                        ": wrong expectation\n"
                                        "     missing:    price.above_cap/violation\n"));
    BOOST_TEST(contains(
        run.output, "unexpected finding\n     unexpected: price.above_cap/violation \"above cap 60000\"\n"));
    BOOST_TEST(contains(run.output, "wrong severity\n     missing:    price.above_cap/warning\n"
                                    "     unexpected: price.above_cap/violation"));
    BOOST_TEST(contains(run.output, "not refused\n     expected the write to be refused, it was accepted\n"));
    BOOST_TEST(contains(run.output, "0 passed, 4 failed\n"), run.output);
}

BOOST_AUTO_TEST_CASE(a_broken_plugin_fails_the_run_with_its_error) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", kCapTests);
    dir.write("haidian/broken.lua",
              "return { name = 'haidian.broken', version = '1',\n checks = { price = function() end end } }");
    dir.write("common/untested.lua",
              "return { name = 'common.untested', version = '1', checks = { price = function() end } }");
    const Run run = test({dir.path()});
    BOOST_TEST(run.status == 1);
    BOOST_TEST(
        contains(run.output, "ERROR " + dir.path("haidian/broken.lua") + ":2: '}' expected near 'end'\n"),
        run.output);
    BOOST_TEST(contains(run.output,
                        "NOTE  " + dir.path("common/untested.lua") + ": no tests (untested_test.lua)\n"));
    BOOST_TEST(contains(run.output, "4 passed, 1 failed\n"), run.output);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_errors_in_a_case_fails_it_with_the_line) {
    TempPluginDir dir;
    dir.write("common/buggy.lua",
              "return { name = 'common.buggy', version = '1', checks = { price = function(p, ctx)\n"
              "  return p.attributes.area_m2 * 2\nend } }");
    dir.write("common/buggy_test.lua", "return { { name = 'crashes', price = {}, expect = {} } }");
    const Run run = test({dir.path()});
    BOOST_TEST(run.status == 1);
    BOOST_TEST(contains(run.output, "FAIL " + dir.path("common/buggy_test.lua") +
                                        ": crashes\n     checks.price error: " +
                                        dir.path("common/buggy.lua") + ":2: attempt to perform arithmetic"),
               run.output);
}

BOOST_AUTO_TEST_CASE(mistakes_in_cases_are_named) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", R"(return {
  { name = "typo in a field", price = { amout_fen = 1 }, expect = {} },
  { name = "two subjects", price = {}, facility = {}, expect = {} },
  { name = "no expectation", price = {} },
  { name = "typo in the case", price = {}, expect = {}, referense_prices = {} },
})");
    const Run run = test({dir.path()});
    BOOST_TEST(contains(run.output, "typo in a field\n     bad case: price: unknown field 'amout_fen'"),
               run.output);
    BOOST_TEST(contains(
        run.output, "two subjects\n     bad case: a case needs exactly one of price, facility, burial_site"));
    BOOST_TEST(contains(run.output, "no expectation\n     bad case: a case needs expect"));
    BOOST_TEST(contains(run.output,
                        "typo in the case\n     bad case: unknown field 'referense_prices' in the case"));
    BOOST_TEST(contains(run.output, "0 passed, 4 failed"));
}

BOOST_AUTO_TEST_CASE(a_broken_test_file_is_an_error) {
    TempPluginDir dir;
    dir.write("common/cap.lua", kCap);
    dir.write("common/cap_test.lua", "return { { name = 'x' }");
    const Run run = test({dir.path()});
    BOOST_TEST(run.status == 1);
    // The cases' own code runs in the sandbox too; a syntax error at its end is reported on the line after.
    BOOST_TEST(contains(run.output, "ERROR " + dir.path("common/cap_test.lua") + ":"), run.output);
    BOOST_TEST(contains(run.output, "'}' expected"), run.output);
    BOOST_TEST(contains(run.output, "0 passed, 1 failed"));
    const Run missing = test({dir.path("nothing_here")});
    BOOST_TEST(contains(missing.output, "ERROR " + dir.path("nothing_here") + ": no such file or directory"));
    BOOST_TEST(missing.status == 1);
}

BOOST_AUTO_TEST_CASE(cases_feed_ctx_with_their_data) {
    TempPluginDir dir;
    dir.write("haidian/probe.lua",
              R"(return { name = "haidian.probe", version = "1", checks = { price = function(p, ctx)
  local ref = ctx.reference_price(p.item)
  local previous = ctx.previous_price(p)
  local facility = ctx.facility(p.facility_id)
  ctx.finding{ rule = "probe", severity = "info",
    message = string.format("%s %s %s %d %s %s %s", ctx.today(), ref and ref.cap_fen or "none",
      previous and previous.amount_fen or "none", #ctx.current_prices(p.facility_id), facility.kind,
      p.district, p.item_regime) }
end } })");
    dir.write("haidian/probe_test.lua", R"(return {
  { name = "district cap in force wins", today = "2024-06-01",
    reference_prices = {
      { item = "cemetery.plot", cap_fen = 100 },
      { item = "cemetery.plot", cap_fen = 200, district = "110108" },
      { item = "cemetery.plot", cap_fen = 300, district = "110108", effective_from = "2025-01-01" },
      { item = "cemetery.plot", cap_fen = 400, district = "110105" } },
    previous_price = { item = "cemetery.plot", amount_fen = 5000 },
    current_prices = { { item = "cemetery.plot" }, { item = "goods.urn" }, { item = "goods.urn", facility_id = 2 } },
    price = { item = "cemetery.plot", facility_kind = "public_welfare_cemetery", effective_from = "2024-05-01" },
    expect = { { rule = "probe", severity = "info",
                 message = "2024-06-01 200 5000 2 public_welfare_cemetery 110108 government_guided" } } },
  { name = "no data", today = "2024-06-01", price = { item = "goods.urn" },
    expect = { { rule = "probe", message = "none none 0 funeral_home 110108 market" } } },
  { name = "another district is not this plugin's", price = { district = "110105" }, expect = {} },
})");
    const Run run = test({dir.path()});
    BOOST_TEST(run.status == 0, run.output);
    BOOST_TEST(contains(run.output, "3 passed, 0 failed"), run.output);
}

BOOST_AUTO_TEST_CASE(check_prints_the_manifest_or_the_error) {
    TempPluginDir dir;
    dir.write("haidian/water.lua",
              "return { name = 'haidian.water', version = '1.2', description = '近水源须迁出', "
              "defaults = { distance_m = 500 }, checks = { burial_site = function() end } }");
    const Run good = check(dir.path("haidian/water.lua"));
    BOOST_TEST(good.status == 0);
    BOOST_TEST(contains(good.output, "ok: " + dir.path("haidian/water.lua") + "\n"));
    BOOST_TEST(contains(good.output,
                        "  name:        haidian.water\n  version:     1.2\n  description: 近水源须迁出\n"
                        "  districts:   110108 海淀区\n  hooks:       checks.burial_site\n"
                        "  config:      {\"distance_m\":500}\n  sha256:      "),
               good.output);

    const std::vector<std::pair<std::string, std::string>> bad{
        {"return { name = 'Bad Name', version = '1', checks = { price = function() end } }",
         ": manifest: name 'Bad Name' must be dotted"},
        {"return { name = 'haidian.path', version = '1.0/../2', checks = { price = function() end } }",
         ": manifest: version must be 1 to 40 letters, digits"}};
    for (const auto& [code, error] : bad) {
        dir.write("haidian/bad.lua", code);
        const Run run = check(dir.path("haidian/bad.lua"));
        BOOST_TEST(run.status == 1);
        BOOST_TEST(contains(run.output, "error: " + dir.path("haidian/bad.lua") + error), run.output);
    }

    const Run missing = check(dir.path("haidian/none.lua"));
    BOOST_TEST(missing.status == 1);
    BOOST_TEST(missing.output == "error: cannot read " + dir.path("haidian/none.lua") + "\n");
}

BOOST_AUTO_TEST_SUITE_END()
