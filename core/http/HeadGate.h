#pragma once
// The HTTP server's front door: a connection gets a worker thread only once its request head has arrived.
//
// Poco's HTTPServer hands every accepted connection to a worker thread, which then blocks reading the
// request head; 200 clients that send a byte a second (or nothing) hold every worker and queue slot, and
// real clients wait or are refused (slowloris). HeadGate accepts connections itself and watches them all
// from one thread with poll(), peeking (MSG_PEEK) at what has arrived without consuming it. A connection
// whose head is complete (a blank line within http.max_head_bytes) is handed, bytes untouched, to Poco's
// usual TCPServerDispatcher and HTTPServerConnection; one that has not sent its head within
// http.head_timeout_ms gets 408 and is closed; one whose head outgrows http.max_head_bytes gets 431. At most
// http.max_pending_connections wait at the gate (the oldest is dropped to admit a new one).
//
// Keep-alive requests after the first are read by the worker as before, bounded by
// http.keepalive_timeout_s.

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <cstddef>
#include <thread>

namespace registry::http {

struct HeadGateSettings {
    int headTimeoutMs = 5000;
    std::size_t maxHeadBytes = 65536;
    std::size_t maxPending = 1024;
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

private:
    void run();

    Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
    Poco::Net::ServerSocket _socket;
    Poco::Net::TCPServerDispatcher* _dispatcher;
    HeadGateSettings _settings;
    std::atomic<bool> _stop{false};
    std::thread _thread;
};

} // namespace registry::http
