// The command line as operators and scripts use it: exit status, one clear line on errors, and what each
// verb prints. Runs the real binary against the test backend (SQLite file or MariaDB database).

#include "RunProgram.h"
#include "support/TestDatabase.h"

#include "store/Database.h"
#include "store/FacilityRepository.h"
#include "store/PriceRepository.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>

using namespace registry::test;

namespace {

// A fresh database on the test backend, handed to the program through REGISTRY_DB_URL.
struct CliFixture {
    TempDir dir;
    std::string cleanup;
    std::string url = freshDatabaseUrl(cleanup);
    std::map<std::string, std::string> env{{"REGISTRY_DB_URL", url}};
    ~CliFixture() { dropDatabase(cleanup); }

    ProgramResult run(std::vector<std::string> args, const std::string& input = "") {
        // Cheap password hashing keeps the suite fast; the default is checked in the auth tests.
        args.insert(args.begin(), {"--set", "auth.pbkdf2_iterations=1000"});
        return runProgram(args, dir.path(), env, input);
    }
};

int lineCount(const std::string& text) {
    int n = 0;
    for (char c : text) n += c == '\n';
    return n;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(Cli, CliFixture)

BOOST_AUTO_TEST_CASE(help_lists_the_verbs_and_exits_zero) {
    auto r = run({"--help"});
    BOOST_TEST(r.exitCode == 0);
    for (const char* verb : {"serve", "migrate", "demo-data", "user add", "version"})
        BOOST_TEST(r.out.find(verb) != std::string::npos, "help mentions " << verb);
    auto verbHelp = run({"user", "--help"});
    BOOST_TEST(verbHelp.exitCode == 0);
    BOOST_TEST(verbHelp.out.find("--password-stdin") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_verb_and_option_fail_with_one_line) {
    auto r = run({"frobnicate"});
    BOOST_TEST(r.exitCode != 0);
    BOOST_TEST(r.err.find("unknown verb 'frobnicate'") != std::string::npos);
    auto o = runProgram({"--bogus", "migrate"}, dir.path(), env);
    BOOST_TEST(o.exitCode != 0);
    BOOST_TEST(o.err.find("unknown option --bogus") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(migrate_creates_the_schema_then_reports_up_to_date) {
    auto first = run({"migrate"});
    BOOST_TEST(first.exitCode == 0, first.err);
    BOOST_TEST(first.out.find("applied 0001_initial") != std::string::npos);
    auto second = run({"migrate"});
    BOOST_TEST(second.exitCode == 0);
    BOOST_TEST(second.out.find("up to date") != std::string::npos);
    auto version = run({"version"});
    BOOST_TEST(version.out.find("funeral-registry ") == 0u);
}

BOOST_AUTO_TEST_CASE(unreachable_database_is_one_line_naming_the_url_without_password) {
    auto r = runProgram({"--set", "db.url=mysql://registry:s3cret-pw@127.0.0.1:1/nowhere", "migrate"}, dir.path());
    BOOST_TEST(r.exitCode != 0);
    BOOST_TEST(lineCount(r.err) == 1, r.err);
    BOOST_TEST(r.err.find("mysql://registry:***@127.0.0.1:1/nowhere") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("s3cret-pw") == std::string::npos);
    auto bad = runProgram({"--set", "db.url=postgres://x", "migrate"}, dir.path());
    BOOST_TEST(bad.exitCode != 0);
    BOOST_TEST(bad.err.find("db.url must start with sqlite3: or mysql://") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(missing_explicit_config_file_is_an_error) {
    auto r = runProgram({"--config", "no/such.properties", "migrate"}, dir.path(), env);
    BOOST_TEST(r.exitCode != 0);
    BOOST_TEST(r.err.find("no/such.properties does not exist") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(environment_and_set_override_the_file) {
    // The file names a database that cannot be opened; the environment's URL wins over it, and --set
    // wins over the environment.
    {
        std::ofstream file(dir.path() + "/custom.properties");
        file << "db.url = sqlite3:/proc/forbidden/x.db\n";
    }
    auto viaEnv = runProgram({"--config", "custom.properties", "migrate"}, dir.path(), env);
    BOOST_TEST(viaEnv.exitCode == 0, viaEnv.err);
    auto viaSet = runProgram({"--config", "custom.properties", "--set", "db.url=sqlite3:/proc/forbidden/y.db", "migrate"},
                             dir.path(), env);
    BOOST_TEST(viaSet.exitCode != 0);
    BOOST_TEST(viaSet.err.find("/proc/forbidden/y.db") != std::string::npos, viaSet.err);
}

BOOST_AUTO_TEST_CASE(user_add_prints_a_generated_password_once_and_token_prints_only_the_token) {
    auto add = run({"user", "add", "wang.li", "--role", "inspector", "--district", "110108"});
    BOOST_TEST(add.exitCode == 0, add.err);
    std::smatch m;
    BOOST_TEST(std::regex_search(add.out, m, std::regex("password: (\\S{20})\n")), add.out);

    auto token = run({"user", "token", "wang.li"});
    BOOST_TEST(token.exitCode == 0, token.err);
    BOOST_TEST(std::regex_match(token.out, std::regex("[A-Za-z0-9_-]{43}\n")), token.out);

    auto again = run({"user", "add", "wang.li", "--role", "inspector"});
    BOOST_TEST(again.exitCode != 0);
    BOOST_TEST(again.err.find("taken") != std::string::npos, again.err);
    BOOST_TEST(lineCount(again.err) == 1, again.err);
}

BOOST_AUTO_TEST_CASE(user_add_reads_a_password_from_stdin_and_checks_it) {
    auto ok = run({"user", "add", "zhang.wei", "--role", "auditor", "--password-stdin"}, "correct horse battery\n");
    BOOST_TEST(ok.exitCode == 0, ok.err);
    BOOST_TEST(ok.out.find("password:") == std::string::npos);
    auto shortPw = run({"user", "add", "li.na", "--role", "auditor", "--password-stdin"}, "short\n");
    BOOST_TEST(shortPw.exitCode != 0);
    BOOST_TEST(shortPw.err.find("at least 10 characters") != std::string::npos, shortPw.err);
    auto badRole = run({"user", "add", "li.na", "--role", "boss"});
    BOOST_TEST(badRole.exitCode != 0);
    BOOST_TEST(badRole.err.find("admin, inspector, district_it, auditor") != std::string::npos, badRole.err);
    auto badDistrict = run({"user", "add", "li.na", "--role", "inspector", "--district", "999999"});
    BOOST_TEST(badDistrict.exitCode != 0);
    BOOST_TEST(badDistrict.err.find("district") != std::string::npos, badDistrict.err);
    auto passwd = run({"user", "passwd", "zhang.wei"});
    BOOST_TEST(passwd.exitCode == 0, passwd.err);
    BOOST_TEST(passwd.out.find("password: ") != std::string::npos);
    auto nobody = run({"user", "token", "nobody"});
    BOOST_TEST(nobody.exitCode != 0);
    BOOST_TEST(nobody.err.find("no user named nobody") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(demo_data_fills_an_empty_registry_once) {
    auto r = run({"demo-data"});
    BOOST_TEST(r.exitCode == 0, r.err);
    BOOST_TEST(r.out.find("800 facilities") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("illustrative") != std::string::npos);
    auto again = run({"demo-data"});
    BOOST_TEST(again.exitCode != 0);
    BOOST_TEST(again.err.find("only loaded into an empty registry") != std::string::npos, again.err);
    auto badScale = run({"demo-data", "--scale", "zero"});
    BOOST_TEST(badScale.exitCode != 0);
    BOOST_TEST(badScale.err.find("--scale must be a whole number") != std::string::npos, badScale.err);
}

BOOST_AUTO_TEST_CASE(audit_runs_the_bundled_rules_and_prints_the_report) {
    BOOST_REQUIRE_EQUAL(run({"demo-data"}).exitCode, 0);
    const std::string plugins = "plugins.dir=" REGISTRY_SOURCE_DIR "/plugins";
    auto r = run({"--set", plugins, "audit"});
    BOOST_TEST(r.exitCode == 0, r.err);
    BOOST_TEST(std::regex_search(r.out, std::regex("^audit 1 succeeded \\(citywide, manual, audit date \\d{4}-\\d\\d-\\d\\d\\): "
                                                   "\\d+ records checked")),
               r.out);
    BOOST_TEST(r.out.find("110108 Haidian") != std::string::npos, r.out);
    BOOST_TEST(std::regex_search(r.out, std::regex("\ntotal +\\d+ +[1-9]\\d* +[1-9]")), r.out); // findings, new
    BOOST_TEST(r.out.find("/api/v1/audits/1/report") != std::string::npos);
    BOOST_TEST(r.err.find("audit") != std::string::npos, r.err); // progress lines: not a terminal

    auto district = run({"--set", plugins, "audit", "--district", "110105"});
    BOOST_TEST(district.exitCode == 0, district.err);
    BOOST_TEST(district.out.find("(110105, manual, audit date") != std::string::npos, district.out);
    BOOST_TEST(district.out.find("110105 Chaoyang") != std::string::npos);
    BOOST_TEST(district.out.find("Haidian") == std::string::npos, district.out);

    // The report of a finished audit, again, in each format.
    auto table = run({"audit", "report", "1"});
    BOOST_TEST(table.exitCode == 0, table.err);
    BOOST_TEST(table.out.find("audit 1 succeeded (citywide, manual") == 0, table.out);
    BOOST_TEST(table.out.find("110108 Haidian") != std::string::npos);
    auto latest = run({"audit", "report", "--format", "csv"});
    BOOST_TEST(latest.exitCode == 0, latest.err);
    BOOST_TEST(latest.out.rfind("\xEF\xBB\xBF" "district,district_name,", 0) == 0, latest.out);
    BOOST_TEST(latest.out.find("110105,朝阳区,") != std::string::npos); // audit 2 (Chaoyang) is the latest
    BOOST_TEST(latest.out.find("110108,") == std::string::npos);
    auto json = run({"audit", "report", "1", "--format", "json"});
    BOOST_TEST(json.out.find("\"previous_audit_id\"") != std::string::npos, json.out);
    auto missing = run({"audit", "report", "99"});
    BOOST_TEST(missing.exitCode != 0);
    BOOST_TEST(lineCount(missing.err) == 1, missing.err);
    BOOST_TEST(missing.err.find("audit 99 does not exist") != std::string::npos, missing.err);

    auto bad = run({"--set", plugins, "audit", "--district", "999999"});
    BOOST_TEST(bad.exitCode != 0);
    BOOST_TEST(lineCount(bad.err) == 1, bad.err);
    BOOST_TEST(bad.err.find("not a district code") != std::string::npos, bad.err);
    auto noPlugins = run({"--set", "plugins.dir=" + dir.path() + "/none", "audit"});
    BOOST_TEST(noPlugins.exitCode != 0);
    BOOST_TEST(lineCount(noPlugins.err) == 1, noPlugins.err);
    BOOST_TEST(noPlugins.err.find("plugins") != std::string::npos, noPlugins.err);
}

BOOST_AUTO_TEST_CASE(a_database_newer_than_the_program_is_refused) {
    BOOST_TEST(run({"migrate"}).exitCode == 0);
    {
        registry::store::Database db(url);
        registry::store::Database::Session session(db);
        session.sql() << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', "
                         "'2030-01-01T00:00:00.000Z')";
    }
    auto r = run({"migrate"});
    BOOST_TEST(r.exitCode != 0);
    BOOST_TEST(r.err.find("newer than this program") != std::string::npos, r.err);
    auto serve = run({"serve"});
    BOOST_TEST(serve.exitCode != 0);
    BOOST_TEST(serve.err.find("999") != std::string::npos, serve.err);
}

// `import prices` runs the district's validate hooks, as the API and the web form do: Yanqing's bundled
// rule refuses a plot price without its term of use, so nothing of the file is stored.
BOOST_AUTO_TEST_CASE(import_prices_is_refused_by_a_district_validate_hook) {
    BOOST_TEST(run({"migrate"}).exitCode == 0);
    long long facilityId = 0;
    {
        registry::store::Database db(url);
        registry::domain::Facility f;
        f.name = "延庆测试公墓";
        f.kind = registry::domain::FacilityKind::OperatingCemetery;
        f.district = "110119";
        facilityId = registry::store::FacilityRepository(db).create(f, "test").id;
    }
    const std::string plugins = "plugins.dir=" REGISTRY_SOURCE_DIR "/plugins";
    const auto write = [&](const std::string& name, const std::string& extra) {
        const std::string path = dir.path() + "/" + name;
        std::ofstream out(path);
        out << "facility_id,item,amount_fen,effective_from,displayed,bundled" << (extra.empty() ? "" : ",term_years")
            << "\n" << facilityId << ",cemetery.plot,3000000,2026-01-01,true,false" << (extra.empty() ? "" : "," + extra)
            << "\n";
        return path;
    };
    auto refused = run({"--set", plugins, "import", "prices", write("no-term.csv", "")});
    BOOST_TEST(refused.exitCode != 0);
    BOOST_TEST(refused.err.find("yanqing.plot-term-required") != std::string::npos, refused.err);
    BOOST_TEST(refused.err.find("nothing was imported") != std::string::npos, refused.err);
    {
        registry::store::Database db(url);
        BOOST_TEST(registry::store::PriceRepository(db).currentForFacility(facilityId).empty());
    }
    auto accepted = run({"--set", plugins, "import", "prices", write("with-term.csv", "20")});
    BOOST_TEST(accepted.exitCode == 0, accepted.err);
    BOOST_TEST(accepted.out.find("imported 1 price records") != std::string::npos, accepted.out);
}

BOOST_AUTO_TEST_SUITE_END()
