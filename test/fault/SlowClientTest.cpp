// 200 slow or idle connections (slowloris) while a normal client keeps getting answers within its timeout.
#include "fault/FaultSupport.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace registry::faulttest;
using Clock = std::chrono::steady_clock;

namespace {

/// Opens `count` connections; half send nothing, half send a request head one byte a second. A connection
/// the server closes is opened again, so `count` stay open until `stop`.
class Slowloris {
public:
    Slowloris(int port, int count) : _port(port), _count(count), _thread([this] { run(); }) {}
    ~Slowloris() {
        _stop = true;
        _thread.join();
    }
    int reopened() const { return _reopened.load(); }
    int opened() const { return _opened.load(); }

private:
    Poco::Net::StreamSocket open() {
        Poco::Net::StreamSocket s;
        s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(_port)), Poco::Timespan(2, 0));
        ++_opened;
        return s;
    }

    void run() {
        static const std::string head = "GET /api/v1/facilities HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        std::vector<Poco::Net::StreamSocket> sockets;
        std::vector<std::size_t> sent(static_cast<std::size_t>(_count), 0);
        for (int i = 0; i < _count && !_stop; ++i) sockets.push_back(open());
        while (!_stop) {
            for (std::size_t i = 0; i < sockets.size() && !_stop; ++i) {
                if (i % 2 == 1) continue; // the idle half only stays open (and is closed by the server)
                try {
                    const char byte = head[sent[i] % head.size()]; // never ends the head
                    if (sockets[i].sendBytes(&byte, 1) != 1) throw Poco::IOException("short send");
                    ++sent[i];
                } catch (const Poco::Exception&) {
                    try {
                        sockets[i].close();
                        sockets[i] = open();
                        sent[i] = 0;
                        ++_reopened;
                    } catch (const Poco::Exception&) {
                    }
                }
            }
            // Reopen the idle ones the server has closed (a read of 0 bytes or an answer).
            for (std::size_t i = 1; i < sockets.size() && !_stop; i += 2) {
                try {
                    if (sockets[i].poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
                        sockets[i].close();
                        sockets[i] = open();
                        ++_reopened;
                    }
                } catch (const Poco::Exception&) {
                }
            }
            for (int t = 0; t < 10 && !_stop; ++t) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    int _port, _count;
    std::atomic<bool> _stop{false};
    std::atomic<int> _opened{0}, _reopened{0};
    std::thread _thread;
};

} // namespace

BOOST_AUTO_TEST_SUITE(slow_clients)

BOOST_AUTO_TEST_CASE(two_hundred_slow_or_idle_connections_do_not_starve_a_normal_client) {
    Registry registry;
    ServerProcess server(registry); // the default settings: 16 workers, a 5 s head deadline
    server.start();
    const auto admin = registry.token("admin");
    const auto created = call(server.port(), "POST", "/api/v1/facilities", admin, stringify(facilityBody("慢连接测试馆")));
    BOOST_REQUIRE_MESSAGE(created.status == 201, created.body);

    Slowloris attack(server.port(), 200);
    while (attack.opened() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::seconds(1));

    // 20 requests, one every 400 ms, for 8 s: across the 5 s head deadline, so some slow connections
    // are closed and reopened while the client works.
    double slowest = 0;
    for (int i = 0; i < 20; ++i) {
        const auto begin = Clock::now();
        try {
            const auto answer = call(server.port(), "GET", "/api/v1/facilities", admin, std::nullopt, "", 2000);
            BOOST_TEST(answer.status == 200, "request " << i << ": " << answer.status << " " << answer.body);
        } catch (const Poco::Exception& e) {
            BOOST_ERROR("request " << i << " got no answer within 2 s: " << e.displayText());
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
        slowest = std::max(slowest, seconds);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
    BOOST_TEST_MESSAGE("slowest of 20 answers under 200 slow connections: " << slowest << " s; slow connections "
                       "reopened after the server closed them: " << attack.reopened());
    BOOST_TEST(slowest < 2.0);
    BOOST_TEST(attack.reopened() > 0, "the server closed none of the slow connections");
    BOOST_TEST(server.running(), server.logTail());
}

BOOST_AUTO_TEST_CASE(a_connection_that_sends_no_request_head_gets_408_and_is_closed) {
    Registry registry;
    ServerProcess server(registry, {"http.head_timeout_ms=1000"});
    server.start();
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
    s.sendBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n", 32); // no blank line
    s.setReceiveTimeout(Poco::Timespan(5, 0));
    const auto begin = Clock::now();
    std::string answer;
    char buffer[512];
    try {
        for (int n; (n = s.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception& e) {
        BOOST_TEST_MESSAGE("read ended with " << e.displayText());
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    BOOST_TEST(answer.rfind("HTTP/1.1 408", 0) == 0, "answer: " << answer);
    BOOST_TEST(seconds < 3.0);
    // A complete head on a new connection is served as before.
    BOOST_TEST(call(server.port(), "GET", "/healthz").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
