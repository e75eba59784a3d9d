// `serve` as the README's first command leaves it: a real server on a loopback port answering the
// operations endpoints, on the test backend, and stopping cleanly on SIGTERM.

#include "RunProgram.h"
#include "support/TestDatabase.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

using namespace registry::test;

namespace {

struct Answer {
    int status = 0;
    std::string contentType;
    std::string body;
};

Answer request(int port, const std::string& method, const std::string& path, const std::string& language = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!language.empty()) req.set("Accept-Language", language);
    session.sendRequest(req);
    Poco::Net::HTTPResponse res;
    auto& in = session.receiveResponse(res);
    Answer a;
    a.status = res.getStatus();
    a.contentType = res.getContentType();
    Poco::StreamCopier::copyToString(in, a.body);
    return a;
}

// A server process on a free port, on a fresh database of the test backend.
struct ServerFixture {
    TempDir dir;
    std::string cleanup;
    std::string url = freshDatabaseUrl(cleanup);
    int port = freePort();
    std::unique_ptr<Poco::ProcessHandle> process;

    ServerFixture() {
        Poco::Process::Env env{{"REGISTRY_DB_URL", url}, {"REGISTRY_HTTP_PORT", std::to_string(port)}};
        process = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch(REGISTRY_BINARY, {"serve"}, dir.path(), nullptr, nullptr, nullptr, env));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            try {
                if (request(port, "GET", "/healthz").status == 200) return;
            } catch (const Poco::Exception&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        BOOST_FAIL("the server did not answer /healthz within 20 s");
    }

    ~ServerFixture() {
        if (process) {
            if (Poco::Process::isRunning(*process)) Poco::Process::requestTermination(process->id());
            const int status = process->wait();
            checkNoSanitizerReport("funeral-registry serve", status, "(above, in this test's output)");
            BOOST_TEST(status == 0, "the server exited with status " << status << " after SIGTERM");
        }
        dropDatabase(cleanup);
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(Serve, ServerFixture)

BOOST_AUTO_TEST_CASE(healthz_and_readyz_answer_ok) {
    auto health = request(port, "GET", "/healthz");
    BOOST_TEST(health.status == 200);
    BOOST_TEST(health.body == R"({"status":"ok"})");
    auto ready = request(port, "GET", "/readyz");
    BOOST_TEST(ready.status == 200);
    BOOST_TEST(ready.body.find(R"("database":"ok")") != std::string::npos, ready.body);
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_methods_are_problems_in_the_asked_language) {
    auto zh = request(port, "GET", "/api/v1/no/such/page");
    BOOST_TEST(zh.status == 404);
    BOOST_TEST(zh.contentType == "application/problem+json");
    BOOST_TEST(zh.body.find("未找到") != std::string::npos, zh.body);
    auto en = request(port, "GET", "/api/v1/no/such/page", "en-US,en;q=0.9");
    BOOST_TEST(en.body.find("\"title\":\"Not found\"") != std::string::npos, en.body);
    auto post = request(port, "POST", "/healthz");
    BOOST_TEST(post.status == 405);
    // Outside /api/ the paths are the web UI's: a page for people, in Chinese.
    auto page = request(port, "GET", "/no/such/page");
    BOOST_TEST(page.status == 404);
    BOOST_TEST(page.contentType == "text/html; charset=utf-8");
    BOOST_TEST(page.body.find("没有这个页面或记录") != std::string::npos, page.body);
}

BOOST_AUTO_TEST_CASE(sigterm_stops_the_server_cleanly) {
    Poco::Process::requestTermination(process->id());
    BOOST_TEST(process->wait() == 0);
    process.reset();
    BOOST_CHECK_THROW(request(port, "GET", "/healthz"), Poco::Exception);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_taken_port_is_one_clear_line) {
    TempDir dir;
    std::string cleanup;
    const std::string url = freshDatabaseUrl(cleanup);
    Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
    const int port = taken.address().port();
    auto r = runProgram({"serve"}, dir.path(), {{"REGISTRY_DB_URL", url}, {"REGISTRY_HTTP_PORT", std::to_string(port)}});
    BOOST_TEST(r.exitCode != 0);
    BOOST_TEST(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)) != std::string::npos, r.err);
    dropDatabase(cleanup);
}
