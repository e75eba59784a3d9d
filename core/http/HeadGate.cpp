#include "http/HeadGate.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Timestamp.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace registry::http {

namespace {

using Clock = std::chrono::steady_clock;

struct Waiting {
    Poco::Net::StreamSocket socket;
    Clock::time_point deadline;
    bool idle = false; // a kept-alive connection that has sent nothing of its next request yet
    int served = 0;    // requests answered on it so far
    std::string client; // the peer's address, for http.max_connections_per_client
};

std::string clientOf(const Poco::Net::StreamSocket& socket) {
    try {
        return socket.peerAddress().host().toString();
    } catch (const Poco::Exception&) {
        return "";
    }
}

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

/// How long a worker waits for a kept-alive connection's next request before it gives the connection back.
constexpr long kLingerMicroseconds = 2000;

/// HTTPSession::buffered is protected: what this session has read from the socket beyond the last request
/// (a pipelined next request).
struct GateSession : Poco::Net::HTTPServerSession {
    using Poco::Net::HTTPServerSession::HTTPServerSession;
    int pending() const { return buffered(); }
};

void sendError(Poco::Net::HTTPServerSession& session, Poco::Net::HTTPResponse::HTTPStatus status) {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.send();
    session.setKeepAlive(false);
}

/// Poco's own limits on the request line and headers (field count, name and value length) end in a
/// MessageException before any handler runs: answered, like every other error, with a problem document.
void sendHeadProblem(Poco::Net::HTTPServerSession& session, const std::string& what) {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    response.setKeepAlive(false);
    response.setContentType("application/problem+json; charset=utf-8");
    Poco::JSON::Object problem(Poco::JSON_PRESERVE_KEY_ORDER);
    problem.set("type", "about:blank");
    problem.set("title", "请求有误");
    problem.set("status", 400);
    problem.set("detail", "请求行或请求头不符合要求(过长、过多或格式错误) / the request line or headers are malformed or "
                          "over the limits: " + what);
    std::ostringstream body;
    problem.stringify(body);
    const std::string text = body.str();
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
    session.setKeepAlive(false);
}

/// Serves the request(s) a connection has sent, as Poco's HTTPServerConnection does, but instead of
/// waiting on a worker thread for the next keep-alive request it gives the connection back to the gate.
class GateConnection : public Poco::Net::TCPServerConnection {
public:
    GateConnection(const Poco::Net::StreamSocket& socket, HeadGate& gate, Poco::Net::HTTPServerParams::Ptr params,
                   Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
        : Poco::Net::TCPServerConnection(socket), _gate(gate), _params(std::move(params)), _factory(std::move(factory)) {}

    void run() override {
        using Poco::Net::HTTPResponse;
        int served = _gate.takeServed(fdOf(socket()));
        const int maxRequests = _params->getMaxKeepAliveRequests();
        const std::string server = _params->getSoftwareVersion();
        GateSession session(socket(), _params);
        while (!_gate.stopping() && session.hasMoreRequests()) {
            bool keepAlive = false;
            bool unread = false; // answered before its body was read (413, 400, ...)
            try {
                Poco::Net::HTTPServerResponseImpl response(session);
                Poco::Net::HTTPServerRequestImpl request(response, session, _params);
                response.setDate(Poco::Timestamp());
                response.setVersion(request.getVersion());
                const bool mayKeep = _params->getKeepAlive() && request.getKeepAlive() &&
                                     (maxRequests <= 0 || served + 1 < maxRequests);
                response.setKeepAlive(mayKeep);
                if (!server.empty()) response.set("Server", server);
                try {
                    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(_factory->createRequestHandler(request));
                    if (handler) {
                        if (request.getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK)
                            response.sendContinue();
                        handler->handleRequest(request, response);
                        // An early refusal may have left its body unread: that connection is not reused.
                        const bool bodyMayRemain = (request.hasContentLength() && request.getContentLength64() > 0) ||
                                                   request.getChunkedTransferEncoding();
                        unread = bodyMayRemain && response.getStatus() >= HTTPResponse::HTTP_BAD_REQUEST;
                        keepAlive = mayKeep && response.getKeepAlive() && !unread;
                        session.setKeepAlive(keepAlive);
                    } else {
                        sendError(session, HTTPResponse::HTTP_NOT_IMPLEMENTED);
                    }
                } catch (const Poco::Exception&) {
                    if (!response.sent()) {
                        try {
                            sendError(session, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                        } catch (...) {
                        }
                    }
                    return;
                }
            } catch (const Poco::Net::NoMessageException&) {
                return;
            } catch (const Poco::Net::MessageException& e) {
                try {
                    sendHeadProblem(session, e.message());
                } catch (...) {
                    return;
                }
                _gate.giveBack(session.detachSocket(), served, true); // the rest of the request is unread
                return;
            } catch (const Poco::Exception&) {
                return; // the connection broke: it ends here
            }
            ++served;
            if (unread) {
                _gate.giveBack(session.detachSocket(), served, true);
                return;
            }
            if (!keepAlive) return;
            if (session.pending() > 0) continue; // a pipelined request already read: serve it here
            // A busy client's next request usually follows within microseconds: wait that long on this
            // worker (a hand-off through the gate costs more), then leave the idle connection to the gate.
            try {
                if (socket().poll(Poco::Timespan(0, kLingerMicroseconds), Poco::Net::Socket::SELECT_READ)) continue;
            } catch (const Poco::Exception&) {
                return;
            }
            _gate.giveBack(session.detachSocket(), served);
            return;
        }
    }

private:
    HeadGate& _gate;
    Poco::Net::HTTPServerParams::Ptr _params;
    Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
};

class GateConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    GateConnectionFactory(HeadGate& gate, Poco::Net::HTTPServerParams::Ptr params,
                          Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
        : _gate(gate), _params(std::move(params)), _factory(std::move(factory)) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new GateConnection(socket, _gate, _params, _factory);
    }

private:
    HeadGate& _gate;
    Poco::Net::HTTPServerParams::Ptr _params;
    Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
};

} // namespace

HeadGate::HeadGate(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::ThreadPool& threads,
                   const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                   HeadGateSettings settings)
    : _factory(factory), _params(params), _socket(socket),
      _dispatcher(new Poco::Net::TCPServerDispatcher(new GateConnectionFactory(*this, params, factory), threads, params)),
      _settings(settings) {
    if (::pipe2(_wake, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("cannot create the HTTP gate's pipe");
}

HeadGate::~HeadGate() {
    stopAll(false);
    _dispatcher->release();
    for (int fd : _wake)
        if (fd >= 0) ::close(fd);
}

void HeadGate::giveBack(const Poco::Net::StreamSocket& socket, int served, bool linger) {
    {
        std::lock_guard<std::mutex> lock(_returnedMutex);
        if (_stop.load()) return; // closed when the last copy goes
        _returned.push_back({socket, served, linger});
    }
    const char byte = 1;
    (void)::write(_wake[1], &byte, 1);
}

int HeadGate::takeServed(int fd) {
    std::lock_guard<std::mutex> lock(_returnedMutex);
    const auto found = _served.find(fd);
    if (found == _served.end()) return 0;
    const int served = found->second;
    _served.erase(found);
    return served;
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
    std::deque<Waiting> lingering; // answered early: the rest of their request is read and dropped
    std::unordered_map<std::string, std::size_t> perClient; // connections waiting, by client address
    std::vector<pollfd> fds;
    std::vector<char> peek(_settings.maxHeadBytes);
    std::vector<char> scratch(64 * 1024);
    const auto headTimeout = std::chrono::milliseconds(_settings.headTimeoutMs);
    const auto idleTimeout = std::chrono::milliseconds(_params->getKeepAliveTimeout().totalMilliseconds());
    const auto lingerTimeout = std::chrono::milliseconds(_settings.lingerMs);
    auto& log = Poco::Logger::get("registry.http");
    const auto leave = [&perClient](const Waiting& w) {
        const auto found = perClient.find(w.client);
        if (found != perClient.end() && --found->second == 0) perClient.erase(found);
    };
    // Admits a connection (new, or back from a worker); the oldest waiting one goes when the gate is full.
    const auto admit = [&](Waiting w) {
        if (waiting.size() >= _settings.maxPending) {
            leave(waiting.front());
            drop(waiting.front().socket);
            waiting.pop_front();
        }
        ++perClient[w.client];
        waiting.push_back(std::move(w));
    };
    while (!_stop.load()) {
        fds.clear();
        fds.push_back({fdOf(_socket), POLLIN, 0});
        fds.push_back({_wake[0], POLLIN, 0});
        auto now = Clock::now();
        auto wait = std::chrono::milliseconds(200); // also how soon a stop is noticed
        const auto until = [&](Clock::time_point deadline) {
            wait = std::min(wait, std::max(std::chrono::milliseconds(0),
                                           std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
        };
        for (const auto& w : waiting) {
            fds.push_back({fdOf(w.socket), POLLIN, 0});
            until(w.deadline);
        }
        for (const auto& l : lingering) {
            fds.push_back({fdOf(l.socket), POLLIN, 0});
            until(l.deadline);
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
            bool keep = true;
            if (fds[i + 2].revents != 0) {
                const int fd = fdOf(w.socket);
                const ssize_t got = ::recv(fd, peek.data(), peek.size(), MSG_PEEK | MSG_DONTWAIT);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    drop(w.socket); // closed or reset before its head was complete
                    keep = false;
                } else if (got > 0) {
                    if (w.idle) { // the next request has begun: its head gets the head deadline
                        w.idle = false;
                        w.deadline = now + headTimeout;
                    }
                    if (headComplete(std::string_view(peek.data(), static_cast<std::size_t>(got)))) {
                        wakeAfter(fd, 1); // the worker's blocking reads must not wait for more than there is
                        if (w.served > 0) {
                            std::lock_guard<std::mutex> lock(_returnedMutex);
                            _served[fd] = w.served;
                        }
                        _dispatcher->enqueue(w.socket);
                        keep = false;
                    } else if (static_cast<std::size_t>(got) >= peek.size()) {
                        refuse(w.socket, "431 Request Header Fields Too Large");
                        keep = false;
                    } else {
                        wakeAfter(fd, static_cast<int>(got) + 1);
                    }
                }
            }
            if (keep && now >= w.deadline) {
                if (w.idle)
                    drop(w.socket); // an idle keep-alive connection simply ends
                else
                    refuse(w.socket, "408 Request Timeout");
                keep = false;
            }
            if (keep)
                still.push_back(std::move(w));
            else
                leave(w);
        }
        waiting.swap(still);

        // Lingering closes: what the client still sends is read and dropped until it stops or the time is up,
        // so that the answer it was sent is read instead of lost to a reset.
        std::deque<Waiting> stillLingering;
        const std::size_t firstLinger = fds.size() - lingering.size(); // their entries come last
        for (std::size_t i = 0; i < lingering.size(); ++i) {
            auto& l = lingering[i];
            bool done = now >= l.deadline;
            if (!done && fds[firstLinger + i].revents != 0) {
                for (;;) {
                    const ssize_t got = ::recv(fdOf(l.socket), scratch.data(), scratch.size(), MSG_DONTWAIT);
                    if (got > 0) continue;
                    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
                    done = true; // the client closed (or reset): nothing more to wait for
                    break;
                }
            }
            if (done)
                drop(l.socket);
            else
                stillLingering.push_back(std::move(l));
        }
        lingering.swap(stillLingering);

        if (fds[1].revents & POLLIN) {
            char drain[256];
            while (::read(_wake[0], drain, sizeof drain) > 0) {
            }
            std::vector<Returned> returned;
            {
                std::lock_guard<std::mutex> lock(_returnedMutex);
                returned.swap(_returned);
            }
            for (auto& r : returned) {
                if (r.linger) {
                    ::shutdown(fdOf(r.socket), SHUT_WR); // the answer is out; the client sees its end
                    wakeAfter(fdOf(r.socket), 1);
                    lingering.push_back({r.socket, now + lingerTimeout, false, 0, ""});
                } else {
                    admit({r.socket, now + idleTimeout, true, r.served, clientOf(r.socket)});
                }
            }
        }

        if (fds[0].revents & POLLIN) {
            for (int accepted = 0; accepted < 256; ++accepted) {
                Poco::Net::StreamSocket socket;
                try {
                    socket = _socket.acceptConnection();
                } catch (const Poco::Exception&) {
                    break; // nothing more to accept now (EAGAIN) or a connection reset before accept
                }
                {
                    std::lock_guard<std::mutex> lock(_returnedMutex);
                    _served.erase(fdOf(socket)); // a number reused from a connection the dispatcher dropped
                }
                std::string client = clientOf(socket);
                const auto found = perClient.find(client);
                if (found != perClient.end() && found->second >= _settings.maxPerClient) {
                    refuse(socket, "429 Too Many Requests"); // one address may not fill the gate
                    continue;
                }
                admit({socket, now + headTimeout, false, 0, std::move(client)});
            }
        }
    }
    for (auto& w : waiting) drop(w.socket);
    for (auto& l : lingering) drop(l.socket);
    std::lock_guard<std::mutex> lock(_returnedMutex);
    for (auto& returned : _returned) drop(returned.socket);
    _returned.clear();
}

} // namespace registry::http
