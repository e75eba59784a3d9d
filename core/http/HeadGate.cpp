#include "http/HeadGate.h"

#include "http/BufferedSocket.h"
#include "metrics/Metrics.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Timestamp.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace registry::http {

namespace {

using Clock = std::chrono::steady_clock;

/// Finds where a chunked body ends (RFC 9112 §7.1: size lines, data, the last chunk, trailers) without
/// decoding it, so that the gate reads exactly this request's bytes and the worker's Poco decodes them.
class ChunkedEnd {
public:
    /// Scans `bytes`, the next ones of the body; how many of them belong to it (all, unless it ends in them).
    std::size_t scan(std::string_view bytes) {
        std::size_t i = 0;
        while (i < bytes.size() && _state != Done && _state != Bad) {
            if (_state == Data) {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(_left, bytes.size() - i));
                i += n;
                _left -= n;
                _decoded += n;
                if (_left == 0) _state = DataEnd;
                continue;
            }
            const char c = bytes[i++];
            switch (_state) {
            case Size:
                if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
                    const int digit = c <= '9' ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
                    _left = _left * 16 + static_cast<std::uint64_t>(digit);
                    _digits = true;
                    if (_left > (1ULL << 40)) _state = Bad;
                } else if (c == '\n') {
                    endSizeLine();
                } else if (c == ';' || c == ' ' || c == '\t' || c == '\r') {
                    _state = SizeRest;
                } else {
                    _state = Bad;
                }
                break;
            case SizeRest: // a chunk extension, or the CR before LF
                if (c == '\n') endSizeLine();
                break;
            case DataEnd: // the CRLF after a chunk's data
                if (c == '\n') {
                    _state = Size;
                    _left = 0;
                    _digits = false;
                } else if (c != '\r') {
                    _state = Bad;
                }
                break;
            case Trailer: // at the start of a trailer line: an empty one ends the body
                if (c == '\n') _state = Done;
                else if (c != '\r') _state = TrailerLine;
                break;
            case TrailerLine:
                if (c == '\n') _state = Trailer;
                break;
            default:
                break;
            }
        }
        return i;
    }
    bool done() const { return _state == Done; }
    bool bad() const { return _state == Bad; }
    std::uint64_t decoded() const { return _decoded; }

private:
    void endSizeLine() {
        if (!_digits) _state = Bad;
        else if (_left == 0) _state = Trailer;
        else _state = Data;
    }
    enum State { Size, SizeRest, Data, DataEnd, Trailer, TrailerLine, Done, Bad } _state = Size;
    std::uint64_t _left = 0, _decoded = 0;
    bool _digits = false;
};

struct Waiting {
    Poco::Net::StreamSocket socket;
    Clock::time_point deadline;
    bool idle = false; // a kept-alive connection that has sent nothing of its next request yet
    int served = 0;    // requests answered on it so far
    std::string client; // the peer's address, for http.max_connections_per_client
    int lowat = 1;      // its SO_RCVLOWAT now (see wakeAfter)
    // Reading its body at the gate: the request's bytes so far (head included), how many it has in all.
    bool reading = false;
    std::string bytes;
    std::size_t need = 0;
    Clock::time_point bodyStart;
    bool continued = false; // `100 Continue` was sent from the gate
    bool chunked = false;   // framed by chunks, not by `need`
    ChunkedEnd chunks;
    std::size_t limit = 0;  // a chunked body larger than this goes to the worker as it is, to be refused
};

/// What the gate needs to know of a complete request head, read with Poco's own header parser.
struct Head {
    std::size_t bytes = 0; // the head's length, its blank line included
    bool malformed = false; // left to the worker, which answers it as Poco's parser does (400)
    bool chunked = false;
    bool expectContinue = false;
    bool small = false; // JSON or a form: http.max_body_bytes applies, else http.max_upload_bytes
    std::uint64_t contentLength = 0;
};

/// The end of the head in `bytes` (0 if it is not complete yet).
std::size_t headEnd(std::string_view bytes) {
    const auto crlf = bytes.find("\r\n\r\n");
    const auto lf = bytes.find("\n\n");
    std::size_t end = std::string_view::npos;
    if (crlf != std::string_view::npos) end = crlf + 4;
    if (lf != std::string_view::npos) end = std::min(end, lf + 2);
    return end == std::string_view::npos ? 0 : end;
}

Head readHead(std::string_view bytes) {
    Head head;
    head.bytes = headEnd(bytes);
    if (head.bytes == 0) return head;
    std::istringstream in{std::string(bytes.substr(0, head.bytes))};
    std::string requestLine;
    std::getline(in, requestLine);
    Poco::Net::MessageHeader header;
    try {
        header.read(in);
    } catch (const Poco::Exception&) {
        head.malformed = true;
        return head;
    }
    head.chunked = Poco::icompare(header.get("Transfer-Encoding", ""), "identity") != 0 &&
                   header.has("Transfer-Encoding");
    head.expectContinue = Poco::icompare(Poco::trim(header.get("Expect", "")), "100-continue") == 0;
    const std::string type = Poco::toLower(header.get("Content-Type", ""));
    head.small = type.rfind("application/json", 0) == 0 || type.rfind("application/x-www-form-urlencoded", 0) == 0;
    if (header.has("Content-Length") &&
        !Poco::NumberParser::tryParseUnsigned64(Poco::trim(header.get("Content-Length")), head.contentLength))
        head.malformed = true;
    return head;
}

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

/// An error answered at the gate or before any handler ran, as a problem document like every other error.
std::string problemText(int status, const std::string& title, const std::string& detail) {
    Poco::JSON::Object problem(Poco::JSON_PRESERVE_KEY_ORDER);
    problem.set("type", "about:blank");
    problem.set("title", title);
    problem.set("status", status);
    problem.set("detail", detail);
    std::ostringstream body;
    problem.stringify(body);
    return body.str();
}

/// A short answer and close, without blocking the gate on a client that does not read.
metrics::CounterFamily& gateRefusals() {
    static auto& f = metrics::Registry::global().counter(
        "registry_http_gate_refusals_total",
        "Connections the front door answered itself and closed (408 slow head or body, 429 too many from one "
        "client, 431 head too large, 503 out of resources)",
        {"status"});
    return f;
}

metrics::Counter& gateEvictions() {
    static auto& c = metrics::Registry::global()
                         .counter("registry_http_gate_evictions_total",
                                  "Connections dropped from a full front door to admit a new one")
                         .with();
    return c;
}

metrics::Gauge& gateWaiting() {
    static auto& g = metrics::Registry::global()
                         .gauge("registry_http_gate_connections",
                                "Connections waiting at the front door for their request (or idle between requests)")
                         .with();
    return g;
}

void refuse(Poco::Net::StreamSocket& socket, const char* status, const std::string& title, const std::string& detail) {
    gateRefusals().with({std::string_view(status, 3)}).add();
    const std::string text = problemText(std::atoi(status), title, detail);
    const std::string answer = std::string("HTTP/1.1 ") + status +
                               "\r\nConnection: close\r\nContent-Type: application/problem+json; charset=utf-8"
                               "\r\nContent-Length: " + std::to_string(text.size()) +
                               "\r\nServer: funeral-registry\r\n\r\n" + text;
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

/// How long a worker waits for a kept-alive connection's next request before it gives the connection back.
constexpr int kLingerMs = 2;

/// TCP_CORK while an answer is written: Poco sends its head and its body in two send() calls, which on
/// loopback (and on any network) made two segments, each a trip through the TCP stack; corked, they leave
/// together when the cork comes off (or as soon as a full segment is ready, for a long body).
class Cork {
public:
    explicit Cork(int fd) : _fd(fd) { set(1); }
    ~Cork() { set(0); }
    Cork(const Cork&) = delete;
    Cork& operator=(const Cork&) = delete;

private:
    void set(int on) const { (void)::setsockopt(_fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on); }
    int _fd;
};

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
    const std::string text = problemText(400, "请求有误",
                                         "请求行或请求头不符合要求(过长、过多或格式错误) / the request line or headers are "
                                         "malformed or over the limits: " + what);
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
    session.setKeepAlive(false);
}

/// Reads what is left of a request body and drops it; false if it is malformed or the connection broke.
bool drain(std::istream& body) {
    try {
        body.ignore(std::numeric_limits<std::streamsize>::max());
        return body.eof() && !body.bad();
    } catch (const Poco::Exception&) {
        return false;
    } catch (const std::ios_base::failure&) {
        return false;
    }
}

/// Whether the next request on `fd` is all in the kernel's buffer already: its head, and its body by
/// Content-Length (a chunked one is left to the gate).
bool arrivedWhole(int fd) {
    std::array<char, 16384> seen;
    const ssize_t got = ::recv(fd, seen.data(), seen.size(), MSG_PEEK | MSG_DONTWAIT);
    if (got <= 0) return got == 0; // a close is the worker's to see (NoMessageException ends the loop)
    const std::string_view bytes(seen.data(), static_cast<std::size_t>(got));
    const std::size_t end = headEnd(bytes);
    if (end == 0) return false;
    // Most next requests are GETs without a body: no need to parse their head here.
    const auto mentions = [head = bytes.substr(0, end)](std::string_view name) {
        return std::search(head.begin(), head.end(), name.begin(), name.end(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               }) != head.end();
    };
    if (!mentions("\ncontent-length:") && !mentions("\ntransfer-encoding:")) return true;
    const Head head = readHead(bytes);
    return head.bytes > 0 && !head.malformed && !head.chunked &&
           head.bytes + head.contentLength <= static_cast<std::size_t>(got);
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
        auto [served, client, whole] = _gate.takeHanded(fdOf(socket()));
        const int maxRequests = _params->getMaxKeepAliveRequests();
        const std::string server = _params->getSoftwareVersion();
        GateSession session(socket(), _params);
        // No HTTPServerSession::hasMoreRequests(): the gate hands over a connection whose request is in, and
        // the loop below goes round only when the next one is (it polled with Poco's Socket::poll, which
        // makes and closes an epoll set: four system calls a request).
        while (!_gate.stopping()) {
            bool keepAlive = false;
            bool unread = false; // answered before its body was read (413, 400, ...)
            try {
                Poco::Net::HTTPServerResponseImpl response(session);
                Poco::Net::HTTPServerRequestImpl request(response, session, _params);
                response.setDate(Poco::Timestamp());
                response.setVersion(request.getVersion());
                // A request not all there (a body over its limit) is answered and its connection closed:
                // the answer says so, or the client would send its next request into the close.
                const bool mayKeep = whole && _params->getKeepAlive() && request.getKeepAlive() &&
                                     (maxRequests <= 0 || served + 1 < maxRequests);
                response.setKeepAlive(mayKeep);
                if (!server.empty()) response.set("Server", server);
                try {
                    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(_factory->createRequestHandler(request));
                    if (handler) {
                        const auto* buffered = dynamic_cast<const BufferedSocketImpl*>(socket().impl());
                        if (request.getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK &&
                            !(buffered && buffered->continued()))
                            response.sendContinue();
                        {
                            Cork cork(fdOf(socket())); // the head and body of the answer leave in one segment
                            handler->handleRequest(request, response);
                        }
                        // What the handler left of the body (an early refusal reads none of it) is read and
                        // dropped: all of it is there, so the connection stays usable, as its answer said.
                        // A body not all there is left to a lingering close instead.
                        const bool bodyMayRemain = (request.hasContentLength() && request.getContentLength64() > 0) ||
                                                   request.getChunkedTransferEncoding();
                        if (bodyMayRemain) unread = !whole || !drain(request.stream());
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
                _gate.giveBack(session.detachSocket(), served, true, client); // the rest of the request is unread
                return;
            } catch (const Poco::Exception&) {
                return; // the connection broke: it ends here
            }
            ++served;
            if (unread) {
                _gate.giveBack(session.detachSocket(), served, true, client);
                return;
            }
            if (!keepAlive) return;
            if (session.pending() > 0) continue; // a pipelined request already read: serve it here
            // Other connections are waiting for a worker: this one goes to the back of the line (through the
            // gate), so that 64 busy clients on 16 workers take turns instead of 16 of them keeping theirs.
            if (_gate.othersWaiting()) {
                _gate.giveBack(session.detachSocket(), served, false, client);
                return;
            }
            // A busy client's next request usually follows within microseconds: wait that long on this
            // worker (a hand-off through the gate costs more), then leave the idle connection to the gate.
            // poll(2) itself: Poco's Socket::poll makes (and closes) an epoll set on every call. (Nothing of
            // the next request is in a BufferedSocketImpl: the gate reads exactly one request into it.)
            // Only a request that is all there is served here: one still arriving goes to the gate, which
            // waits for the rest without a thread.
            pollfd next{fdOf(socket()), POLLIN, 0};
            if (::poll(&next, 1, kLingerMs) > 0 && arrivedWhole(fdOf(socket()))) continue;
            _gate.giveBack(session.detachSocket(), served, false, client);
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

void HeadGate::giveBack(const Poco::Net::StreamSocket& socket, int served, bool linger, std::string client) {
    {
        std::lock_guard<std::mutex> lock(_returnedMutex);
        if (_stop.load()) return; // closed when the last copy goes
        _returned.push_back({socket, served, linger, std::move(client)});
    }
    const char byte = 1;
    (void)::write(_wake[1], &byte, 1);
}

HeadGate::Handed HeadGate::takeHanded(int fd) {
    std::lock_guard<std::mutex> lock(_returnedMutex);
    const auto found = _handed.find(fd);
    if (found == _handed.end()) return {};
    Handed handed = std::move(found->second);
    _handed.erase(found);
    return handed;
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
    const double minRate = static_cast<double>(std::max<std::size_t>(_settings.bodyMinRate, 1));
    auto& log = Poco::Logger::get("registry.http");
    auto& buffered = *_buffered;
    const auto leave = [&perClient, &buffered](Waiting& w) {
        const auto found = perClient.find(w.client);
        if (found != perClient.end() && --found->second == 0) perClient.erase(found);
        buffered.fetch_sub(w.bytes.size());
        std::string().swap(w.bytes);
    };
    // Admits a connection (new, or back from a worker); when the gate is full the oldest idle one goes, or
    // else the oldest one.
    const auto admit = [&](Waiting w) {
        if (waiting.size() >= _settings.maxPending) {
            auto victim = std::find_if(waiting.begin(), waiting.end(), [](const Waiting& x) { return x.idle; });
            if (victim == waiting.end()) victim = waiting.begin();
            leave(*victim);
            drop(victim->socket);
            waiting.erase(victim);
            gateEvictions().add();
        }
        ++perClient[w.client];
        waiting.push_back(std::move(w));
    };
    // Hands a connection whose request is complete (in the kernel's buffer, or in `w.bytes`) to a worker.
    const auto dispatch = [&](Waiting& w, bool whole = true) {
        int fd = fdOf(w.socket);
        Poco::Net::StreamSocket socket = w.socket;
        if (w.reading) {
            const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0); // the new socket object takes the connection over
            if (copy < 0) {
                log.error("the HTTP gate cannot hand a request over: %s", std::string(std::strerror(errno)));
                refuse(w.socket, "503 Service Unavailable", "服务暂不可用", "服务器资源不足,请稍后再试 / the server is out of "
                                                                         "resources, try again later");
                return;
            }
            // The bytes stay counted in the budget: the new socket gives them back once they are read.
            socket = Poco::Net::StreamSocket(new BufferedSocketImpl(copy, std::move(w.bytes), _buffered, w.continued));
            w.bytes.clear();
            drop(w.socket);
            fd = copy;
        }
        if (w.lowat != 1) wakeAfter(fd, 1); // the worker's blocking reads must not wait for more than there is
        {
            std::lock_guard<std::mutex> lock(_returnedMutex);
            _handed[fd] = {w.served, w.client, whole};
        }
        _dispatcher->enqueue(socket);
    };
    // Whether the request read at the gate is all there (or, chunked, over its limit or malformed: the worker
    // then refuses it from what is in memory).
    const auto complete = [](const Waiting& w) {
        if (!w.chunked) return w.bytes.size() >= w.need;
        return w.chunks.done() || w.chunks.bad() || w.chunks.decoded() > w.limit;
    };
    // Reads what has come of a body at the gate; false if the connection has ended.
    const auto readBody = [&](Waiting& w) {
        const int fd = fdOf(w.socket);
        for (int round = 0; round < 16 && !complete(w); ++round) { // at most 1 MiB per turn
            std::size_t want = std::min(scratch.size(), w.need - w.bytes.size());
            if (w.chunked) { // look first, then take only what belongs to this request
                const ssize_t seen = ::recv(fd, scratch.data(), scratch.size(), MSG_PEEK | MSG_DONTWAIT);
                if (seen > 0) want = w.chunks.scan(std::string_view(scratch.data(), static_cast<std::size_t>(seen)));
            }
            const ssize_t got = ::recv(fd, scratch.data(), want, MSG_DONTWAIT);
            if (got > 0) {
                w.bytes.append(scratch.data(), static_cast<std::size_t>(got));
                buffered.fetch_add(static_cast<std::size_t>(got));
                continue;
            }
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
            return false; // closed or reset in the middle of its body
        }
        const auto credit = std::chrono::duration<double>(static_cast<double>(w.bytes.size()) / minRate);
        w.deadline = w.bodyStart + headTimeout + std::chrono::duration_cast<Clock::duration>(credit);
        return true;
    };
    // Reads more of a body; once it is whole the request goes to a worker. False when it has left the gate.
    const auto advance = [&](Waiting& w) {
        if (!readBody(w)) {
            drop(w.socket);
            return false;
        }
        if (!complete(w)) return true;
        dispatch(w, !w.chunked || w.chunks.done());
        return false;
    };
    auto before = Clock::now();
    while (!_stop.load()) {
        gateWaiting().set(static_cast<double>(waiting.size()));
        fds.clear();
        fds.push_back({fdOf(_socket), POLLIN, 0});
        fds.push_back({_wake[0], POLLIN, 0});
        auto now = Clock::now();
        // Over the body budget, bodies are not read (their clocks stop) until workers have taken some, except
        // the one with the most bytes in: were all paused, bodies that together fill the budget would wait for
        // each other for ever. So memory stays within the budget plus one body.
        const bool throttled = buffered.load() >= _settings.bodyBufferBytes;
        const Waiting* favourite = nullptr;
        if (throttled)
            for (const auto& w : waiting)
                if (w.reading && (!favourite || w.bytes.size() > favourite->bytes.size())) favourite = &w;
        auto wait = std::chrono::milliseconds(throttled ? 20 : 200); // also how soon a stop is noticed
        const auto until = [&](Clock::time_point deadline) {
            wait = std::min(wait, std::max(std::chrono::milliseconds(0),
                                           std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
        };
        for (auto& w : waiting) {
            if (w.reading && throttled && &w != favourite) {
                w.deadline += now - before;
                fds.push_back({fdOf(w.socket), 0, 0});
            } else {
                fds.push_back({fdOf(w.socket), POLLIN, 0});
            }
            until(w.deadline);
        }
        for (const auto& l : lingering) {
            fds.push_back({fdOf(l.socket), POLLIN, 0});
            until(l.deadline);
        }
        before = now;
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
            const short revents = fds[i + 2].revents;
            if (revents != 0 && w.reading) {
                keep = advance(w);
            } else if (revents != 0) {
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
                    const std::string_view seen(peek.data(), static_cast<std::size_t>(got));
                    const Head head = readHead(seen);
                    const std::size_t limit = head.small ? _settings.maxBodyBytes : _settings.maxUploadBytes;
                    if (head.bytes == 0) {
                        if (static_cast<std::size_t>(got) >= peek.size()) {
                            refuse(w.socket, "431 Request Header Fields Too Large", "请求头过大",
                                   "请求头超过了 http.max_head_bytes 的限制 / the request head is over http.max_head_bytes");
                            keep = false;
                        } else {
                            w.lowat = static_cast<int>(got) + 1;
                            wakeAfter(fd, w.lowat);
                        }
                    } else if (!head.malformed && !head.chunked &&
                               (head.contentLength == 0 || head.contentLength > limit ||
                                head.bytes + head.contentLength <= static_cast<std::size_t>(got))) {
                        // No body, one the worker refuses unread (413, 400), or all of it already here.
                        dispatch(w, head.contentLength <= limit);
                        keep = false;
                    } else if (head.malformed) {
                        dispatch(w); // Poco's parser on the worker answers it (400)
                        keep = false;
                    } else {
                        // The body is still coming: read it here, from the head on, and exactly this request.
                        w.reading = true;
                        w.chunked = head.chunked;
                        w.limit = limit;
                        w.need = head.chunked ? head.bytes : head.bytes + static_cast<std::size_t>(head.contentLength);
                        w.bodyStart = now;
                        if (head.chunked) { // the head first; the chunks are then scanned as they come
                            w.bytes.assign(peek.data(), head.bytes);
                            buffered.fetch_add(head.bytes);
                            (void)::recv(fd, scratch.data(), head.bytes, MSG_DONTWAIT); // peeked: all there
                            w.need = std::numeric_limits<std::size_t>::max();
                        }
                        if (head.expectContinue) {
                            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
                            (void)::send(fd, kContinue, sizeof kContinue - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
                            w.continued = true;
                        }
                        if (w.lowat != 1) wakeAfter(fd, 1);
                        w.lowat = 1;
                        keep = advance(w);
                    }
                }
            }
            if (keep && now >= w.deadline) {
                if (w.idle)
                    drop(w.socket); // an idle keep-alive connection simply ends
                else
                    refuse(w.socket, "408 Request Timeout", "请求超时",
                           w.reading ? "请求体传得太慢 / the request body arrived too slowly"
                                     : "请求头没有及时收到 / the request head did not arrive in time");
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
                    Waiting l;
                    l.socket = r.socket;
                    l.deadline = now + lingerTimeout;
                    lingering.push_back(std::move(l));
                } else {
                    Waiting w;
                    w.socket = r.socket;
                    w.deadline = now + idleTimeout;
                    w.idle = true;
                    w.served = r.served;
                    w.client = r.client.empty() ? clientOf(r.socket) : std::move(r.client);
                    admit(std::move(w));
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
                    _handed.erase(fdOf(socket)); // a number reused from a connection the dispatcher dropped
                }
                std::string client = clientOf(socket);
                const auto found = perClient.find(client);
                if (found != perClient.end() && found->second >= _settings.maxPerClient) {
                    // One address may not fill the gate.
                    refuse(socket, "429 Too Many Requests", "连接过多",
                           "同一地址的连接过多(http.max_connections_per_client),请稍后再试 / too many connections from "
                           "this address (http.max_connections_per_client); try again later");
                    continue;
                }
                // An answer goes out in several writes when it is larger than the response buffer (a page,
                // a stylesheet): with Nagle's algorithm the last one waited for the client's delayed ACK,
                // 40 ms on every kept-alive request (measured with curl, 0.04 s against 0.0002 s).
                try {
                    socket.setNoDelay(true);
                } catch (const Poco::Exception&) {
                }
                Waiting w;
                w.socket = socket;
                w.deadline = now + headTimeout;
                w.client = std::move(client);
                admit(std::move(w));
            }
        }
    }
    for (auto& w : waiting) {
        leave(w);
        drop(w.socket);
    }
    for (auto& l : lingering) drop(l.socket);
    std::lock_guard<std::mutex> lock(_returnedMutex);
    for (auto& returned : _returned) drop(returned.socket);
    _returned.clear();
}

} // namespace registry::http
