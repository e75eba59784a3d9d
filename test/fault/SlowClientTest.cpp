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

namespace {
/// Sends one request on `s` and reads its answer (Content-Length framed), leaving the connection open.
std::string exchange(Poco::Net::StreamSocket& s, const std::string& path) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    s.sendBytes(request.data(), static_cast<int>(request.size()));
    s.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string answer;
    char buffer[1024];
    while (true) {
        const auto end = answer.find("\r\n\r\n");
        if (end != std::string::npos) {
            const auto at = answer.find("Content-Length: ");
            const std::size_t length = at == std::string::npos ? 0 : std::stoul(answer.substr(at + 16));
            if (answer.size() >= end + 4 + length) return answer;
        }
        const int n = s.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) return answer;
        answer.append(buffer, static_cast<std::size_t>(n));
    }
}
} // namespace

// A browser keeps idle keep-alive connections open after its requests; each used to hold a worker thread
// for http.keepalive_timeout_s. 120 of them (more than the 16 workers and the 64 queued) now wait at the
// gate without a thread: a normal client is still answered at once, and each idle connection is still
// served when it sends its next request.
BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_hold_no_worker) {
    Registry registry;
    ServerProcess server(registry); // the default settings: 16 workers, 64 queued, keep-alive 10 s
    server.start();
    std::vector<Poco::Net::StreamSocket> idle;
    for (int i = 0; i < 120; ++i) {
        Poco::Net::StreamSocket s;
        s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())), Poco::Timespan(2, 0));
        const auto answer = exchange(s, "/healthz");
        BOOST_REQUIRE_MESSAGE(answer.rfind("HTTP/1.1 200", 0) == 0, "connection " << i << ": " << answer);
        idle.push_back(s);
    }
    double slowest = 0;
    for (int i = 0; i < 10; ++i) {
        const auto begin = Clock::now();
        try {
            BOOST_TEST(call(server.port(), "GET", "/healthz", "", std::nullopt, "", 2000).status == 200);
        } catch (const Poco::Exception& e) {
            BOOST_ERROR("request " << i << " got no answer within 2 s: " << e.displayText());
        }
        slowest = std::max(slowest, std::chrono::duration<double>(Clock::now() - begin).count());
    }
    BOOST_TEST_MESSAGE("slowest of 10 answers beside 120 idle keep-alive connections: " << slowest << " s");
    BOOST_TEST(slowest < 2.0);
    // The idle connections were kept, not closed: each answers its next request.
    int answered = 0;
    for (auto& s : idle) {
        try {
            answered += exchange(s, "/healthz").rfind("HTTP/1.1 200", 0) == 0;
        } catch (const Poco::Exception&) {
        }
    }
    BOOST_TEST(answered == 120);
    BOOST_TEST(server.running(), server.logTail());
}

// One client address may not fill the gate: past http.max_connections_per_client waiting connections a new
// one is answered 429 and closed; others are admitted once those go.
BOOST_AUTO_TEST_CASE(one_address_may_hold_only_so_many_connections_at_the_gate) {
    Registry registry;
    ServerProcess server(registry, {"http.max_connections_per_client=5"});
    server.start();
    const Poco::Net::SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
    std::vector<Poco::Net::StreamSocket> silent(5);
    for (auto& s : silent) s.connect(address);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // all five are at the gate
    Poco::Net::StreamSocket extra;
    extra.connect(address);
    extra.setReceiveTimeout(Poco::Timespan(3, 0));
    std::string answer;
    char buffer[256];
    try {
        for (int n; (n = extra.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception& e) {
        BOOST_TEST_MESSAGE("read ended with " << e.displayText());
    }
    BOOST_TEST(answer.rfind("HTTP/1.1 429", 0) == 0, "answer: " << answer);
    for (auto& s : silent) s.close();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    BOOST_TEST(call(server.port(), "GET", "/healthz").status == 200);
}

// An answer sent before the request was read whole (413 for a body over the limit) is followed by a lingering
// close: a client that sends its whole body and then reads gets the answer, not a reset.
BOOST_AUTO_TEST_CASE(an_early_answer_is_read_by_a_client_still_sending) {
    Registry registry;
    ServerProcess server(registry);
    server.start();
    const auto admin = registry.token("admin");
    const std::string body = "{\"name\": \"" + std::string(4 << 20, 'x') + "\"}";
    for (int round = 0; round < 5; ++round) {
        Poco::Net::StreamSocket s;
        s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
        const std::string head = "POST /api/v1/facilities HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin +
                                 "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\n\r\n";
        std::string answer;
        try {
            s.sendBytes(head.data(), static_cast<int>(head.size()));
            for (std::size_t sent = 0; sent < body.size();) {
                const int n = s.sendBytes(body.data() + sent, static_cast<int>(std::min<std::size_t>(65536, body.size() - sent)));
                if (n <= 0) break;
                sent += static_cast<std::size_t>(n);
            }
            s.setReceiveTimeout(Poco::Timespan(5, 0));
            char buffer[4096];
            for (int n; (n = s.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
        } catch (const Poco::Exception& e) {
            BOOST_ERROR("round " << round << ": " << e.displayText() << " (read so far: " << answer.substr(0, 80) << ")");
        }
        BOOST_TEST(answer.rfind("HTTP/1.1 413", 0) == 0, "round " << round << ": " << answer.substr(0, 200));
    }
    BOOST_TEST(server.running(), server.logTail());
}

BOOST_AUTO_TEST_SUITE_END()
