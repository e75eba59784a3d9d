// The scheduled audit as operators run it: two `serve` instances on one database with a schedule of every
// minute; the slot's audit runs by itself, exactly once, on one of them, and its report is visible over
// the API. Takes up to two minutes (the next whole minute, then the audit).

#include "RunProgram.h"
#include "support/TestDatabase.h"

#include "store/Database.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

using namespace registry::test;

namespace {

int httpGet(int port, const std::string& path, const std::string& token, std::string* body = nullptr) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    session.sendRequest(req);
    Poco::Net::HTTPResponse res;
    auto& in = session.receiveResponse(res);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    if (body) *body = text;
    return res.getStatus();
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// One `serve` instance named `name`, logging to <dir>/<name>.log.
struct Instance {
    std::string name;
    int port = freePort();
    std::unique_ptr<Poco::ProcessHandle> process;
    std::string log;

    Instance(const std::string& instanceName, const TempDir& dir, const std::string& url) : name(instanceName) {
        log = dir.path() + "/" + name + ".log";
        const std::vector<std::string> args{"-c", "exec \"$0\" \"$@\" >" + name + ".log 2>&1", REGISTRY_BINARY,
                                            "--set", "audit.schedule=* * * * *", "--set", "audit.instance_id=" + name,
                                            "--set", "plugins.dir=" REGISTRY_SOURCE_DIR "/plugins", "serve"};
        Poco::Process::Env env{{"REGISTRY_DB_URL", url}, {"REGISTRY_HTTP_PORT", std::to_string(port)}};
        process = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch("/bin/sh", args, dir.path(), nullptr, nullptr, nullptr, env));
    }
    void waitReady() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline) {
            try {
                if (httpGet(port, "/readyz", "") == 200) return;
            } catch (const Poco::Exception&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        BOOST_FAIL("instance " << name << " did not get ready:\n" << readFile(log));
    }
    ~Instance() {
        if (process && Poco::Process::isRunning(*process)) Poco::Process::requestTermination(process->id());
        if (process) {
            const int status = process->wait();
            BOOST_TEST(status == 0, "instance " << name << " exited with " << status << "\n" << readFile(log));
        }
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ScheduledAudit)

BOOST_AUTO_TEST_CASE(two_instances_run_each_scheduled_audit_exactly_once) {
    TempDir dir;
    std::string cleanup;
    const std::string url = freshDatabaseUrl(cleanup);
    const std::map<std::string, std::string> env{{"REGISTRY_DB_URL", url}};
    BOOST_REQUIRE_EQUAL(runProgram({"demo-data"}, dir.path(), env).exitCode, 0);
    BOOST_REQUIRE_EQUAL(runProgram({"--set", "auth.pbkdf2_iterations=1000", "user", "add", "aud", "--role", "auditor",
                                    "--password-stdin"},
                                   dir.path(), env, "correct-horse-42\n")
                            .exitCode,
                        0);
    const auto token = runProgram({"user", "token", "aud"}, dir.path(), env);
    BOOST_REQUIRE_EQUAL(token.exitCode, 0);
    const std::string bearer = token.out.substr(0, token.out.find('\n'));

    long long id = 0;
    std::string runner, slot;
    {
        Instance a("instance-a", dir, url), b("instance-b", dir, url);
        a.waitReady();
        b.waitReady();
        registry::store::Database db(url);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
        while (std::chrono::steady_clock::now() < deadline && id == 0) {
            registry::store::Database::Session session(db);
            std::vector<long long> ids(10);
            session.sql() << "SELECT id FROM audit_runs WHERE trigger_kind = 'schedule' AND status = 'succeeded' "
                             "ORDER BY id",
                soci::into(ids);
            if (!ids.empty()) id = ids.front();
            if (id == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        BOOST_REQUIRE_MESSAGE(id != 0, "no scheduled audit succeeded within 150 s\n"
                                           << readFile(a.log) << "\n" << readFile(b.log));
        registry::store::Database::Session session(db);
        session.sql() << "SELECT runner, scheduled_for FROM audit_runs WHERE id = :id", soci::use(id),
            soci::into(runner), soci::into(slot);
        long long forSlot = 0, duplicates = 0;
        session.sql() << "SELECT COUNT(*) FROM audit_runs WHERE scheduled_for = :slot", soci::use(slot),
            soci::into(forSlot);
        BOOST_TEST(forSlot == 1);
        session.sql() << "SELECT COUNT(*) - COUNT(DISTINCT scheduled_for) FROM audit_runs WHERE trigger_kind = "
                         "'schedule'",
            soci::into(duplicates);
        BOOST_TEST(duplicates == 0);
        BOOST_TEST((runner == "instance-a" || runner == "instance-b"), runner);
        BOOST_TEST(slot.size() == 24u);
        BOOST_TEST(slot.substr(16) == ":00.000Z", slot); // on a whole minute

        // The report, over the API of the instance that did not run it.
        Instance& other = runner == "instance-a" ? b : a;
        std::string report;
        BOOST_TEST(httpGet(other.port, "/api/v1/audits/" + std::to_string(id) + "/report", bearer, &report) == 200,
                   report);
        BOOST_TEST(report.find("\"trigger\":\"schedule\"") != std::string::npos, report);
        BOOST_TEST(report.find("\"district_name\":\"海淀区\"") != std::string::npos, report);
        std::string findings;
        BOOST_TEST(httpGet(other.port, "/api/v1/findings?audit_id=" + std::to_string(id), bearer, &findings) == 200);
        BOOST_TEST(findings.find("\"audit_id\":" + std::to_string(id)) != std::string::npos, findings);
        // Only the runner's log tells of running it.
        const std::string started = "audit " + std::to_string(id) + " started";
        BOOST_TEST(readFile(runner == "instance-a" ? a.log : b.log).find(started) != std::string::npos);
        BOOST_TEST(readFile(other.log).find(started) == std::string::npos);
    }
    dropDatabase(cleanup);
}

BOOST_AUTO_TEST_SUITE_END()
