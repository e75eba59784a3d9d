// The database stopped during load: requests get 503 with Retry-After within the timeout, /readyz says so,
// and service resumes by itself when the database returns; nothing acknowledged is lost.
//
// MariaDB only: the test starts its own server (test/fault/private-mariadb.sh), never the shared one, and
// stops it under load. SQLite is a library inside the server process, so there is no database to stop apart
// from the process itself (that case is kill -9, KillTest.cpp); on the SQLite run this test only says so.
#include "fault/FaultSupport.h"

#include "app/RunProgram.h"
#include "support/TestDatabase.h"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

using namespace registry::faulttest;
using Clock = std::chrono::steady_clock;

namespace {

/// Runs test/fault/private-mariadb.sh VERB DIR; its standard output (the URL for start).
std::string privateMariadb(const std::string& verb, const std::string& dir) {
    Poco::Pipe out;
    auto handle = Poco::Process::launch("/bin/bash", {REGISTRY_SOURCE_DIR "/test/fault/private-mariadb.sh", verb, dir},
                                        nullptr, &out, nullptr);
    Poco::PipeInputStream in(out);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    const int status = handle.wait();
    if (status != 0) throw std::runtime_error("private-mariadb.sh " + verb + " failed with status " + std::to_string(status));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

/// The private server's folder; stops the server whatever happens to the test.
struct PrivateMariadb {
    registry::test::TempDir dir;
    std::string url;
    PrivateMariadb() : url(privateMariadb("start", dir.path() + "/mariadb")) {}
    ~PrivateMariadb() {
        try {
            privateMariadb("stop", dir.path() + "/mariadb");
        } catch (const std::exception& e) {
            BOOST_ERROR(e.what());
        }
    }
    void stop() { privateMariadb("stop", dir.path() + "/mariadb"); }
    void restart() { privateMariadb("restart", dir.path() + "/mariadb"); }
};

struct Writes {
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::set<long long> acknowledged;
    std::vector<std::string> unexpected; // answers that were neither 201 nor 503 with Retry-After
    int refused = 0;                     // 503 with Retry-After
    double slowest = 0;
};

void writeLoop(int port, const std::string& token, Writes& w) {
    for (int i = 0; !w.stop; ++i) {
        const auto begin = Clock::now();
        std::string problem;
        try {
            const auto a = call(port, "POST", "/api/v1/facilities", token,
                                stringify(facilityBody("停库测试馆 " + std::to_string(i))), "", 15000);
            std::lock_guard<std::mutex> lock(w.mutex);
            if (a.status == 201)
                w.acknowledged.insert(a.obj()->getValue<long long>("id"));
            else if (a.status == 503 && !a.header("Retry-After").empty())
                ++w.refused;
            else
                w.unexpected.push_back(std::to_string(a.status) + " " + a.body.substr(0, 300));
        } catch (const Poco::Exception& e) {
            std::lock_guard<std::mutex> lock(w.mutex);
            w.unexpected.push_back("no answer within 15 s: " + e.displayText());
        }
        std::lock_guard<std::mutex> lock(w.mutex);
        w.slowest = std::max(w.slowest, std::chrono::duration<double>(Clock::now() - begin).count());
        if (w.unexpected.size() > 20) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(database_down)

BOOST_AUTO_TEST_CASE(the_database_stopped_under_load_gives_503_and_service_resumes_by_itself) {
    if (registry::test::testBackend() != "mysql") {
        BOOST_TEST_MESSAGE("the database-down case applies to MariaDB only (SQLite runs inside the server)");
        return;
    }
    PrivateMariadb mariadb;
    Registry registry(mariadb.url);
    ServerProcess server(registry, {"db.connect_timeout_s=2", "db.io_timeout_s=5"});
    server.start();
    const auto admin = registry.token("admin");

    Writes writes;
    std::vector<std::thread> clients;
    for (int i = 0; i < 2; ++i) clients.emplace_back(writeLoop, server.port(), admin, std::ref(writes));
    std::this_thread::sleep_for(std::chrono::seconds(2));

    mariadb.stop();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    // While it is down: /readyz and a read say 503 with Retry-After, within the timeout.
    for (const char* path : {"/readyz", "/api/v1/facilities"}) {
        const auto begin = Clock::now();
        const auto a = call(server.port(), "GET", path, admin, std::nullopt, "", 15000);
        BOOST_TEST(a.status == 503, path << ": " << a.status << " " << a.body);
        BOOST_TEST(!a.header("Retry-After").empty(), path << " has no Retry-After");
        BOOST_TEST(std::chrono::duration<double>(Clock::now() - begin).count() < 10.0);
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));

    mariadb.restart();
    // Service resumes by itself: no restart of the registry server.
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    int ready = 0;
    while (Clock::now() < deadline) {
        try {
            ready = call(server.port(), "GET", "/readyz", "", std::nullopt, "", 5000).status;
        } catch (const Poco::Exception&) {
        }
        if (ready == 200) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    BOOST_TEST(ready == 200, "/readyz did not answer 200 within 30 s of the database's return");
    std::size_t before = 0;
    {
        std::lock_guard<std::mutex> lock(writes.mutex);
        before = writes.acknowledged.size();
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    writes.stop = true;
    for (auto& t : clients) t.join();

    BOOST_TEST(writes.unexpected.empty(), writes.unexpected.size() << " unexpected answers; first: "
                                                                  << (writes.unexpected.empty() ? "" : writes.unexpected.front()));
    BOOST_TEST(writes.refused > 0, "no write was refused with 503 while the database was down");
    BOOST_TEST(writes.acknowledged.size() > before, "no write succeeded after the database came back");
    BOOST_TEST(writes.slowest < 15.0);
    std::set<long long> stored;
    for (const auto& f : listAll(server.port(), admin, "/api/v1/facilities")) stored.insert(f->getValue<long long>("id"));
    for (const auto id : writes.acknowledged) BOOST_TEST(stored.count(id) == 1, "acknowledged facility " << id << " is lost");
    BOOST_TEST_MESSAGE("database down: " << writes.acknowledged.size() << " writes acknowledged, " << writes.refused
                                         << " refused with 503, slowest answer " << writes.slowest << " s");
    BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
