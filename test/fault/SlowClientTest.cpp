// 200 slow or idle connections (slowloris) while a normal client keeps getting answers within its timeout.
#include "fault/FaultSupport.h"
#include "support/SlowCrowd.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

using namespace registry::faulttest;
using registry::testsupport::connectFrom;
using registry::testsupport::Crowd;
using Clock = std::chrono::steady_clock;

namespace {

/// Reads until the server closes the connection or `seconds` pass; what arrived.
std::string readToEnd(Poco::Net::StreamSocket& s, int seconds) {
    s.setReceiveTimeout(Poco::Timespan(seconds, 0));
    std::string answer;
    char buffer[4096];
    try {
        for (int n; (n = s.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception& e) {
        BOOST_TEST_MESSAGE("read ended with " << e.displayText());
    }
    return answer;
}

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
    const auto begin = Clock::now();
    const std::string answer = readToEnd(s, 5);
    const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    BOOST_TEST(answer.rfind("HTTP/1.1 408", 0) == 0, "answer: " << answer);
    BOOST_TEST(seconds < 3.0);
    // A complete head on a new connection is served as before.
    BOOST_TEST(call(server.port(), "GET", "/healthz").status == 200);
}

namespace {
/// Sends `request` on `s` as it is and reads its answer (Content-Length framed), leaving the connection open.
std::string exchangeRaw(Poco::Net::StreamSocket& s, const std::string& request) {
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

/// GETs `path` on `s` and reads its answer, leaving the connection open.
std::string exchange(Poco::Net::StreamSocket& s, const std::string& path) {
    return exchangeRaw(s, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
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

// Past http.max_pending_connections the gate closes the oldest IDLE connection first (a browser opens it
// again when it needs it), not a client still sending its request: here the two oldest connections are
// still sending, the next two sit idle after an answer, and a fifth arrives.
BOOST_AUTO_TEST_CASE(a_full_gate_closes_the_oldest_idle_connection_first) {
    Registry registry;
    ServerProcess server(registry, {"http.max_pending_connections=4"});
    server.start();
    const Poco::Net::SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
    const std::string start = "GET /healthz HTTP/1.1\r\n", rest = "Host: x\r\nConnection: close\r\n\r\n";
    std::vector<Poco::Net::StreamSocket> sending(2), idle(2);
    for (auto& s : sending) {
        s.connect(address);
        s.sendBytes(start.data(), static_cast<int>(start.size())); // the rest of the head comes later
    }
    for (auto& s : idle) {
        s.connect(address);
        BOOST_REQUIRE(exchange(s, "/healthz").rfind("HTTP/1.1 200", 0) == 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // all four wait at the gate
    Poco::Net::StreamSocket fifth;
    fifth.connect(address);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // The oldest idle one was closed: it reads the end of the stream at once.
    char byte = 0;
    BOOST_TEST_REQUIRE(idle[0].poll(Poco::Timespan(1, 0), Poco::Net::Socket::SELECT_READ));
    idle[0].setReceiveTimeout(Poco::Timespan(1, 0));
    BOOST_TEST(idle[0].receiveBytes(&byte, 1) == 0);
    // The ones still sending were kept: they finish their request and are answered.
    for (auto& s : sending) {
        s.sendBytes(rest.data(), static_cast<int>(rest.size()));
        BOOST_TEST(readToEnd(s, 3).rfind("HTTP/1.1 200", 0) == 0);
    }
    BOOST_TEST(exchange(idle[1], "/healthz").rfind("HTTP/1.1 200", 0) == 0);
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
    const std::string answer = readToEnd(extra, 3);
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

// A request refused before its handler read the body (no token, no such route, a form without its CSRF
// token) used to be answered as kept alive and then closed: a client that sent its next request on it (as
// Node's fetch and browsers do) lost that request to the close. Now the body, all of which is there, is read
// and dropped and the connection serves the next request; a body over the limit, never read, is answered with
// `Connection: close`.
BOOST_AUTO_TEST_CASE(a_refusal_before_the_body_is_read_keeps_the_connection_its_answer_announced) {
    Registry registry;
    ServerProcess server(registry);
    server.start();
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())), Poco::Timespan(2, 0));
    const std::string json = "{\"name\": \"早退的请求\", \"kind\": \"funeral_home\", \"district\": \"110108\"}";
    const std::string form = "name=CSRF&kind=funeral_home&district=110108&status=operating";
    const std::string requests[] = {
        "POST /api/v1/facilities HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(json.size()) + "\r\n\r\n" + json,
        "POST /api/v1/no-such-thing HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + registry.token("admin") +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) + "\r\n\r\n" + json,
        "POST /facilities/new HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: " + std::to_string(form.size()) + "\r\n\r\n" + form,
    };
    for (const auto& request : requests) {
        const std::string answer = exchangeRaw(s, request);
        const std::string line = answer.substr(0, answer.find("\r\n"));
        BOOST_TEST_MESSAGE(request.substr(0, request.find(" HTTP")) << " -> " << line);
        BOOST_TEST(answer.rfind("HTTP/1.1 4", 0) == 0, answer.substr(0, 300));
        BOOST_TEST(Poco::toLower(answer).find("connection: close") == std::string::npos, answer.substr(0, 300));
        const std::string next = exchange(s, "/healthz");
        BOOST_TEST(next.rfind("HTTP/1.1 200", 0) == 0, "the next request on the same connection: " << next.substr(0, 200));
    }
    // Over http.max_body_bytes: answered at once, and the answer says the connection ends.
    const std::string over = "POST /api/v1/facilities HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                             registry.token("admin") + "\r\nContent-Type: application/json\r\nContent-Length: " +
                             std::to_string((1 << 20) + 1) + "\r\n\r\n{";
    const std::string answer = exchangeRaw(s, over);
    BOOST_TEST(answer.rfind("HTTP/1.1 413", 0) == 0, answer.substr(0, 300));
    BOOST_TEST(Poco::toLower(answer).find("connection: close") != std::string::npos, answer.substr(0, 300));
    BOOST_TEST(server.running(), server.logTail());
}

namespace {

std::string postHead(const std::string& path, const std::string& token, std::size_t length,
                     const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
           (token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n") +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(length) + "\r\n" + extra + "\r\n";
}

struct Reads {
    long ok = 0, failed = 0;
    std::string firstFailure;
};

/// `threads` keep-alive clients reading `path` as fast as they can for `seconds`.
Reads readHard(int port, const std::string& path, const std::string& token, int threads, double seconds) {
    std::vector<Reads> each(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto& mine = each[static_cast<std::size_t>(t)];
            Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
            session.setTimeout(Poco::Timespan(2, 0));
            while (Clock::now() < end) {
                try {
                    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
                    request.set("Authorization", "Bearer " + token);
                    session.sendRequest(request);
                    Poco::Net::HTTPResponse response;
                    std::ostringstream body;
                    Poco::StreamCopier::copyStream(session.receiveResponse(response), body);
                    if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
                        ++mine.ok;
                        continue;
                    }
                    if (mine.firstFailure.empty()) mine.firstFailure = std::to_string(response.getStatus()) + " " + body.str();
                } catch (const Poco::Exception& e) {
                    if (mine.firstFailure.empty()) mine.firstFailure = e.displayText();
                    session.reset();
                }
                ++mine.failed;
            }
        });
    }
    for (auto& w : workers) w.join();
    Reads all;
    for (const auto& r : each) {
        all.ok += r.ok;
        all.failed += r.failed;
        if (all.firstFailure.empty()) all.firstFailure = r.firstFailure;
    }
    return all;
}

} // namespace

// The measurement: a body sent a byte at a time used to hold a worker for as long as the client
// liked (forty of them stopped the service). Bodies are now read at the gate with a minimum rate: this one
// is answered 408 once its credit runs out, and a normal client is answered meanwhile.
BOOST_AUTO_TEST_CASE(a_body_sent_a_byte_at_a_time_gets_408_and_holds_no_worker) {
    Registry registry;
    ServerProcess server(registry, {"http.head_timeout_ms=1000"});
    server.start();
    std::vector<Poco::Net::StreamSocket> slow;
    for (int i = 0; i < 40; ++i) {
        slow.push_back(connectFrom(server.port(), 10 + i));
        const std::string head = postHead("/login", "", 1000000);
        slow.back().sendBytes(head.data(), static_cast<int>(head.size()));
        slow.back().sendBytes("u", 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (int i = 0; i < 5; ++i) {
        try {
            BOOST_TEST(call(server.port(), "GET", "/healthz", "", std::nullopt, "", 2000).status == 200);
        } catch (const Poco::Exception& e) {
            BOOST_ERROR("healthz " << i << " got no answer within 2 s beside 40 slow bodies: " << e.displayText());
        }
    }
    const auto begin = Clock::now();
    const std::string answer = readToEnd(slow.front(), 10);
    const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    BOOST_TEST(answer.rfind("HTTP/1.1 408", 0) == 0, "answer: " << answer);
    BOOST_TEST(answer.find("请求体传得太慢") != std::string::npos, answer);
    BOOST_TEST(answer.find("application/problem+json") != std::string::npos, answer);
    BOOST_TEST(seconds < 5.0);
    BOOST_TEST(server.running(), server.logTail());
}

// The minimum rate does not cut off an honest slow upload: a body arriving over four times the head deadline,
// at a few KB/s, is read whole and served.
BOOST_AUTO_TEST_CASE(a_slow_but_steady_body_is_read_whole_and_served) {
    Registry registry;
    ServerProcess server(registry, {"http.head_timeout_ms=1000"});
    server.start();
    const auto admin = registry.token("admin");
    std::string body = stringify(facilityBody("慢速上传殡仪馆"));
    body.insert(1, std::string(24000, ' ')); // JSON allows the whitespace; it makes the body long
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
    const std::string head = postHead("/api/v1/facilities", admin, body.size(), "Connection: close\r\n");
    s.sendBytes(head.data(), static_cast<int>(head.size()));
    const std::size_t chunk = body.size() / 12 + 1;
    for (std::size_t at = 0; at < body.size(); at += chunk) { // 12 pieces, 350 ms apart: about 4 s
        std::this_thread::sleep_for(std::chrono::milliseconds(350));
        s.sendBytes(body.data() + at, static_cast<int>(std::min(chunk, body.size() - at)));
    }
    const std::string answer = readToEnd(s, 10);
    BOOST_TEST(answer.rfind("HTTP/1.1 201", 0) == 0, "answer: " << answer.substr(0, 300));
    BOOST_TEST(answer.find("慢速上传殡仪馆") != std::string::npos);
}

// A client that asks `Expect: 100-continue` gets its 100 from the gate, once, and then its answer.
BOOST_AUTO_TEST_CASE(expect_100_continue_is_answered_once_before_the_body) {
    Registry registry;
    ServerProcess server(registry);
    server.start();
    const auto admin = registry.token("admin");
    const std::string body = stringify(facilityBody("百继续殡仪馆"));
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
    const std::string head =
        postHead("/api/v1/facilities", admin, body.size(), "Expect: 100-continue\r\nConnection: close\r\n");
    s.sendBytes(head.data(), static_cast<int>(head.size()));
    s.setReceiveTimeout(Poco::Timespan(3, 0));
    char buffer[256];
    const int n = s.receiveBytes(buffer, sizeof buffer);
    BOOST_TEST(std::string(buffer, static_cast<std::size_t>(std::max(n, 0))) == "HTTP/1.1 100 Continue\r\n\r\n");
    s.sendBytes(body.data(), static_cast<int>(body.size()));
    const std::string answer = readToEnd(s, 5);
    BOOST_TEST(answer.rfind("HTTP/1.1 201", 0) == 0, "answer: " << answer.substr(0, 300));
}

// A chunked body is read at the gate as well, exactly to its last chunk: a request pipelined behind it on the
// same connection is answered next, and a chunked body sent slowly holds no worker either.
BOOST_AUTO_TEST_CASE(a_chunked_body_is_read_at_the_gate_up_to_its_last_chunk) {
    Registry registry;
    // 1 s for the head, then a second per 100 bytes of body: the first chunk buys the pause below.
    ServerProcess server(registry, {"http.head_timeout_ms=1000", "http.body_min_rate=100"});
    server.start();
    const auto admin = registry.token("admin");
    const std::string body = stringify(facilityBody("分块上传殡仪馆"));
    const std::size_t half = body.size() / 2;
    std::ostringstream hex1, hex2;
    hex1 << std::hex << half;
    hex2 << std::hex << body.size() - half;
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
    const std::string head = "POST /api/v1/facilities HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin +
                             "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string first = hex1.str() + ";note=x\r\n" + body.substr(0, half) + "\r\n";
    const std::string rest = hex2.str() + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n" +
                             "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    s.sendBytes(head.data(), static_cast<int>(head.size()));
    s.sendBytes(first.data(), static_cast<int>(first.size()));
    // Slowly, but past the head deadline: a worker would have been held all this time.
    for (int i = 0; i < 8; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        BOOST_TEST(call(server.port(), "GET", "/healthz", "", std::nullopt, "", 2000).status == 200);
    }
    s.sendBytes(rest.data(), static_cast<int>(rest.size()));
    const std::string answer = readToEnd(s, 5);
    BOOST_TEST(answer.rfind("HTTP/1.1 201", 0) == 0, "answer: " << answer.substr(0, 300));
    BOOST_TEST(answer.find("分块上传殡仪馆") != std::string::npos);
    BOOST_TEST(answer.find("HTTP/1.1 200", 1) != std::string::npos, "the pipelined request was not answered: " << answer);
}

// The bodies being read at the gate share http.body_buffer_bytes: past it the gate pauses them instead of
// refusing them, so three uploads that together need three times the budget are all served. Each sends half
// its body and waits for the others first: the halves alone fill the budget, and were every body paused,
// none would ever complete (a deadlock the ASan run of CI found).
BOOST_AUTO_TEST_CASE(bodies_over_the_gate_budget_wait_their_turn_and_are_all_served) {
    Registry registry;
    ServerProcess server(registry, {"http.body_buffer_bytes=1048576"});
    server.start();
    const auto admin = registry.token("admin");
    std::vector<std::string> answers(3);
    std::vector<std::thread> uploads;
    std::atomic<int> halves{0};
    for (int i = 0; i < 3; ++i) {
        uploads.emplace_back([&, i] {
            std::string body = stringify(facilityBody("预算测试殡仪馆" + std::to_string(i)));
            body.insert(1, std::string(900 * 1024, ' '));
            try {
                Poco::Net::StreamSocket s;
                s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
                const std::string head = postHead("/api/v1/facilities", admin, body.size(), "Connection: close\r\n");
                s.sendBytes(head.data(), static_cast<int>(head.size()));
                bool paused = false;
                for (std::size_t at = 0; at < body.size();) {
                    if (!paused && at >= body.size() / 2) { // once, at the half
                        paused = true;
                        ++halves;
                        const auto until = Clock::now() + std::chrono::seconds(10);
                        while (halves.load() < 3 && Clock::now() < until)
                            std::this_thread::sleep_for(std::chrono::milliseconds(10));
                        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the gate reads the halves
                    }
                    const int n = s.sendBytes(body.data() + at, static_cast<int>(std::min<std::size_t>(16384, body.size() - at)));
                    if (n <= 0) break;
                    at += static_cast<std::size_t>(n);
                }
                answers[static_cast<std::size_t>(i)] = readToEnd(s, 10);
            } catch (const Poco::Exception& e) {
                answers[static_cast<std::size_t>(i)] = e.displayText();
            }
        });
    }
    for (auto& u : uploads) u.join();
    for (int i = 0; i < 3; ++i) {
        const auto& answer = answers[static_cast<std::size_t>(i)];
        BOOST_TEST(answer.rfind("HTTP/1.1 201", 0) == 0, "upload " << i << ": " << answer.substr(0, 300));
    }
}

// The slow-client target as a test: 200 slow heads, 200 slow bodies and 200 idle keep-alive
// connections at once, while two keep-alive clients read a facility as fast as they can. No read fails, and
// the rate stays near that of the same reads without the crowd (the benchmark holds the 0.5x target; this
// test allows for a noisy machine but fails if the crowd takes the workers).
BOOST_AUTO_TEST_CASE(six_hundred_slow_or_idle_connections_leave_reads_near_full_speed) {
    Registry registry;
    ServerProcess server(registry);
    server.start();
    const auto admin = registry.token("admin");
    const auto created = call(server.port(), "POST", "/api/v1/facilities", admin, stringify(facilityBody("人群测试馆")));
    BOOST_REQUIRE_MESSAGE(created.status == 201, created.body);
    const std::string path = "/api/v1/facilities/" + std::to_string(created.obj()->getValue<long long>("id"));

    const Reads alone = readHard(server.port(), path, admin, 2, 6.0);
    Reads crowded;
    int reopened = 0, timedOut = 0;
    {
        Crowd crowd(server.port(), 200);
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        while (crowd.opened() < 600 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        BOOST_REQUIRE_EQUAL(crowd.opened(), 600);
        // 6 s: past the 5 s deadlines, so slow heads and bodies are answered 408 and come back meanwhile.
        crowded = readHard(server.port(), path, admin, 2, 6.0);
        // On a loaded machine the crowd's threads may read their 408s a little after the 6 s: wait for one
        // (the deadline is 5 s; what is tested is that the gate answers them, not how fast the threads look).
        const auto answered = Clock::now() + std::chrono::seconds(10);
        while (crowd.timedOut() == 0 && Clock::now() < answered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reopened = crowd.reopened();
        timedOut = crowd.timedOut();
    }
    const double ratio = alone.ok > 0 ? static_cast<double>(crowded.ok) / static_cast<double>(alone.ok) : 0;
    BOOST_TEST_MESSAGE("reads in 6 s alone: " << alone.ok << ", beside 600 slow or idle connections: " << crowded.ok
                       << " (" << ratio << "x); slow connections reopened after the server closed them: " << reopened
                       << ", slow bodies answered 408: " << timedOut);
    BOOST_TEST(alone.failed == 0, alone.firstFailure);
    BOOST_TEST(crowded.failed == 0, crowded.firstFailure);
    BOOST_TEST(ratio >= 0.3);
    BOOST_TEST(timedOut > 0, "no slow body was answered 408");
    BOOST_TEST(server.running(), server.logTail());
}

BOOST_AUTO_TEST_SUITE_END()
