#pragma once
// The HTTP server's front door: a connection gets a worker thread only once its request head has arrived.
//
// Poco's HTTPServer hands every accepted connection to a worker thread, which then blocks reading the
// request head; 200 clients that send a byte a second (or nothing) hold every worker and queue slot, and
// real clients wait or are refused (slowloris). HeadGate accepts connections itself and watches them all
// from one thread with poll(), peeking (MSG_PEEK) at what has arrived without consuming it. A connection
// whose head is complete (a blank line within http.max_head_bytes) and whose body (if any) has arrived too is
// handed, bytes untouched, to Poco's usual TCPServerDispatcher; one that has not sent its head within
// http.head_timeout_ms gets 408 and is closed; one whose head outgrows http.max_head_bytes gets 431. At most
// http.max_pending_connections wait at the gate (the oldest idle one, else the oldest, is dropped to admit a
// new one).
//
// A body that has not arrived with its head is read at the gate too (the head and exactly Content-Length
// bytes, nothing of a pipelined next request), into memory, and the worker gets a socket that serves those
// bytes before the kernel's (BufferedSocketImpl, in HeadGate.cpp). The body's deadline is the head deadline
// from when the head arrived plus one second per http.body_min_rate bytes received, so a client sending a
// byte a second is answered 408 within seconds while a phone uploading a 10 MB photo slowly is not. All
// bodies being read hold at most http.body_buffer_bytes (plus one body): beyond it the gate reads only the
// one closest to complete and pauses the others (their clocks stop too) until workers have taken some. `Expect: 100-continue` is answered at the gate; a chunked body is
// scanned to its last chunk (or until it is over its limit); a Content-Length body over its limit (http.max_body_bytes for JSON and forms, http.max_upload_bytes otherwise)
// goes to a worker unread, which answers 413 at once.
//
// A keep-alive connection goes back to the gate after each answer (GateConnection, in HeadGate.cpp, serves one
// request where Poco's HTTPServerConnection would loop over them): an idle connection waits at the gate
// without a thread, for http.keepalive_timeout_s, and its next request head is awaited like the first. So a
// worker is held only while a request is being read after its head, handled and answered. An answer sent
// before its request was read whole (413, 400) is followed by a lingering close at the gate, and one client
// address may hold at most http.max_connections_per_client connections at the gate (429 beyond).

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace registry::http {

struct HeadGateSettings {
    int headTimeoutMs = 5000;
    std::size_t maxHeadBytes = 65536;
    std::size_t maxPending = 1024;
    /// Connections of one client address that may wait at the gate (http.max_connections_per_client).
    std::size_t maxPerClient = 256;
    /// How long an early answer's connection is drained before it is closed (http.linger_ms).
    int lingerMs = 2000;
    /// A body is read at the gate if at most this long (http.max_body_bytes for JSON and forms,
    /// http.max_upload_bytes otherwise); a longer one goes to a worker unread, which refuses it (413).
    std::size_t maxBodyBytes = 1024 * 1024;
    std::size_t maxUploadBytes = 32 * 1024 * 1024;
    /// Each byte of body received extends its deadline by 1/bodyMinRate s (http.body_min_rate, bytes/s).
    std::size_t bodyMinRate = 1024;
    /// All bodies being read at the gate together (http.body_buffer_bytes).
    std::size_t bodyBufferBytes = 256 * 1024 * 1024;
};

class HeadGate {
public:
    HeadGate(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::ThreadPool& threads,
             const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
             HeadGateSettings settings);
    ~HeadGate();
    HeadGate(const HeadGate&) = delete;
    HeadGate& operator=(const HeadGate&) = delete;

    void start();
    /// Stops accepting, closes the connections still at the gate and tells the workers' keep-alive loops to
    /// end (abortCurrent also shuts the sockets of requests in progress).
    void stopAll(bool abortCurrent = false);

    /// A worker gives a keep-alive connection back after answering its `served`th request (thread-safe).
    /// With `linger`, the answer came before the request was read whole: the gate closes the connection
    /// gracefully (shutdown, then reads and drops what still comes for HeadGateSettings::lingerMs), so the
    /// client reads the answer instead of a reset.
    void giveBack(const Poco::Net::StreamSocket& socket, int served, bool linger = false, std::string client = "");
    /// What the gate knew of the connection on `fd` when it handed it over: requests answered on it so far
    /// (0 for a new one), the client's address (kept so that it is not asked of the kernel again), and
    /// whether all of its request is there (false for a body over its limit, handed over unread to be
    /// refused: that answer says `Connection: close`).
    struct Handed {
        int served = 0;
        std::string client;
        bool whole = true;
    };
    /// Takes (and forgets) what was handed over with `fd`.
    Handed takeHanded(int fd);
    bool stopping() const { return _stop.load(); }
    /// Requests whose connection waits for a worker: a worker then serves the next request of another
    /// connection rather than the next of its own.
    bool othersWaiting() const { return _dispatcher->queuedConnections() > 0; }
    /// Body bytes the gate holds in memory right now (read at the gate, not yet read by a worker).
    std::size_t bufferedBodyBytes() const { return _buffered->load(); }

private:
    void run();

    Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
    Poco::Net::HTTPServerParams::Ptr _params;
    std::mutex _returnedMutex;
    struct Returned {
        Poco::Net::StreamSocket socket;
        int served = 0;
        bool linger = false;
        std::string client;
    };
    std::vector<Returned> _returned; // given back, not yet watched
    std::unordered_map<int, Handed> _handed;                        // fd -> what the gate knew, while at a worker
    int _wake[2] = {-1, -1};                                        // a pipe: giveBack wakes the gate's poll
    Poco::Net::ServerSocket _socket;
    Poco::Net::TCPServerDispatcher* _dispatcher;
    HeadGateSettings _settings;
    std::atomic<bool> _stop{false};
    std::shared_ptr<std::atomic<std::size_t>> _buffered = std::make_shared<std::atomic<std::size_t>>(0);
    std::thread _thread;
};

} // namespace registry::http
