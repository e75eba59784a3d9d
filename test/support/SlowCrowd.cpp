#include "support/SlowCrowd.h"

#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <string>
#include <vector>

namespace registry::testsupport {

Poco::Net::StreamSocket connectFrom(int port, int host) {
    Poco::Net::StreamSocket s;
    s.impl()->bind(Poco::Net::SocketAddress("127.0.0." + std::to_string(host), 0), false);
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), Poco::Timespan(2, 0));
    return s;
}

Crowd::Crowd(int port, int each) : _port(port), _each(each), _thread([this] { run(); }) {}

Crowd::~Crowd() {
    _stop = true;
    _thread.join();
}

void Crowd::open(Client& c) {
    c.socket = connectFrom(_port, c.host);
    c.sent = 0;
    if (c.kind == SlowBody) {
        const std::string head = "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                 "application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n";
        c.socket.sendBytes(head.data(), static_cast<int>(head.size()));
    } else if (c.kind == Idle) {
        const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        c.socket.sendBytes(request.data(), static_cast<int>(request.size()));
        c.socket.setReceiveTimeout(Poco::Timespan(5, 0));
        char buffer[1024];
        (void)c.socket.receiveBytes(buffer, sizeof buffer); // its answer; the connection then idles
    }
    ++_opened;
}

void Crowd::run() {
    static const std::string head = "GET /api/v1/facilities HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    std::vector<Client> clients;
    for (int i = 0; i < 3 * _each && !_stop; ++i) {
        clients.push_back({static_cast<Kind>(i % 3), 10 + i % 200, {}, 0});
        try {
            open(clients.back());
        } catch (const Poco::Exception&) {
        }
    }
    while (!_stop) {
        for (auto& c : clients) {
            if (_stop) break;
            try {
                if (c.socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) { // an answer or a close
                    char buffer[512];
                    const int n = c.socket.receiveBytes(buffer, sizeof buffer);
                    if (c.kind == SlowBody && n > 0 &&
                        std::string(buffer, static_cast<std::size_t>(n)).rfind("HTTP/1.1 408", 0) == 0)
                        ++_timedOut;
                    throw Poco::IOException("closed by the server");
                }
                if (c.kind == Idle) continue;
                const char byte = c.kind == SlowHead ? head[c.sent % head.size()] : 'x';
                if (c.socket.sendBytes(&byte, 1) != 1) throw Poco::IOException("short send");
                ++c.sent;
            } catch (const Poco::Exception&) {
                try {
                    c.socket.close();
                    open(c);
                    ++_reopened;
                } catch (const Poco::Exception&) {
                }
            }
        }
        for (int t = 0; t < 10 && !_stop; ++t) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace registry::testsupport
