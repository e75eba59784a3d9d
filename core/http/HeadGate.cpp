#include "http/HeadGate.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerConnectionFactory.h>
#include <Poco/Net/StreamSocket.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <string_view>
#include <vector>

namespace registry::http {

namespace {

using Clock = std::chrono::steady_clock;

struct Waiting {
    Poco::Net::StreamSocket socket;
    Clock::time_point deadline;
};

int fdOf(const Poco::Net::Socket& s) { return static_cast<int>(s.impl()->sockfd()); }

/// poll() reports the socket readable only once more than `bytes` bytes are buffered (Linux honours
/// SO_RCVLOWAT in poll for TCP), so a head that trickles in wakes the gate once per new byte, not forever.
void wakeAfter(int fd, int bytes) { ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes); }

/// A short answer and close, without blocking the gate on a client that does not read.
void refuse(Poco::Net::StreamSocket& socket, const char* status) {
    const std::string answer = std::string("HTTP/1.1 ") + status +
                               "\r\nConnection: close\r\nContent-Length: 0\r\nServer: funeral-registry\r\n\r\n";
    const int fd = fdOf(socket);
    (void)::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    try {
        socket.close();
    } catch (const Poco::Exception&) {
    }
}

void drop(Poco::Net::StreamSocket& socket) {
    try {
        socket.close();
    } catch (const Poco::Exception&) {
    }
}

/// HTTPRequestHandlerFactory::serverStopped is protected (only HTTPServer, a friend, fires it); a derived
/// class may name it, and the member pointer it gives reaches any factory. HTTPServerConnection listens to it
/// to end its keep-alive loop at shutdown.
struct StopEvent : Poco::Net::HTTPRequestHandlerFactory {
    static void fire(Poco::Net::HTTPRequestHandlerFactory& factory, const void* sender, bool abortCurrent) {
        auto event = &StopEvent::serverStopped;
        (factory.*event)(sender, abortCurrent);
    }
};

bool headComplete(std::string_view bytes) {
    return bytes.find("\n\r\n") != std::string_view::npos || bytes.find("\n\n") != std::string_view::npos;
}

} // namespace

HeadGate::HeadGate(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::ThreadPool& threads,
                   const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                   HeadGateSettings settings)
    : _factory(factory), _socket(socket),
      _dispatcher(new Poco::Net::TCPServerDispatcher(new Poco::Net::HTTPServerConnectionFactory(params, factory),
                                                     threads, params)),
      _settings(settings) {}

HeadGate::~HeadGate() {
    stopAll(false);
    _dispatcher->release();
}

void HeadGate::start() {
    _socket.setBlocking(false);
    _thread = std::thread([this] { run(); });
}

void HeadGate::stopAll(bool abortCurrent) {
    if (_stop.exchange(true)) return;
    if (_thread.joinable()) _thread.join();
    try {
        _socket.close();
    } catch (const Poco::Exception&) {
    }
    _dispatcher->stop();
    StopEvent::fire(*_factory, this, abortCurrent);
}

void HeadGate::run() {
    std::deque<Waiting> waiting; // oldest first
    std::vector<pollfd> fds;
    std::vector<char> peek(_settings.maxHeadBytes);
    const auto headTimeout = std::chrono::milliseconds(_settings.headTimeoutMs);
    auto& log = Poco::Logger::get("registry.http");
    while (!_stop.load()) {
        fds.clear();
        fds.push_back({fdOf(_socket), POLLIN, 0});
        auto now = Clock::now();
        auto wait = std::chrono::milliseconds(200); // also how soon a stop is noticed
        for (const auto& w : waiting) {
            fds.push_back({fdOf(w.socket), POLLIN, 0});
            wait = std::min(wait, std::max(std::chrono::milliseconds(0),
                                           std::chrono::duration_cast<std::chrono::milliseconds>(w.deadline - now)));
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) < 0 && errno != EINTR) {
            log.error("the HTTP gate's poll failed: %s", std::string(std::strerror(errno)));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        now = Clock::now();

        std::deque<Waiting> still;
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            auto& w = waiting[i];
            if (fds[i + 1].revents != 0) {
                const int fd = fdOf(w.socket);
                const ssize_t got = ::recv(fd, peek.data(), peek.size(), MSG_PEEK | MSG_DONTWAIT);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    drop(w.socket); // closed or reset before its head was complete
                    continue;
                }
                if (got > 0) {
                    if (headComplete(std::string_view(peek.data(), static_cast<std::size_t>(got)))) {
                        wakeAfter(fd, 1); // the worker's blocking reads must not wait for more than there is
                        _dispatcher->enqueue(w.socket);
                        continue;
                    }
                    if (static_cast<std::size_t>(got) >= peek.size()) {
                        refuse(w.socket, "431 Request Header Fields Too Large");
                        continue;
                    }
                    wakeAfter(fd, static_cast<int>(got) + 1);
                }
            }
            if (now >= w.deadline) {
                refuse(w.socket, "408 Request Timeout");
                continue;
            }
            still.push_back(std::move(w));
        }
        waiting.swap(still);

        if (fds[0].revents & POLLIN) {
            for (int accepted = 0; accepted < 256; ++accepted) {
                Poco::Net::StreamSocket socket;
                try {
                    socket = _socket.acceptConnection();
                } catch (const Poco::Exception&) {
                    break; // nothing more to accept now (EAGAIN) or a connection reset before accept
                }
                if (waiting.size() >= _settings.maxPending) {
                    drop(waiting.front().socket);
                    waiting.pop_front();
                }
                waiting.push_back({socket, now + headTimeout});
            }
        }
    }
    for (auto& w : waiting) drop(w.socket);
}

} // namespace registry::http
