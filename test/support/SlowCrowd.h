#pragma once
// Slow and idle clients for the front-door test (test/fault) and benchmark (scripts/bench.sh slow): a crowd
// from 200 loopback addresses that holds connections open the way slowloris, slow uploads and browsers do.

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <thread>

namespace registry::testsupport {

/// A connection from the loopback address 127.0.0.`host` (so that many clients do not share one address).
Poco::Net::StreamSocket connectFrom(int port, int host);

/// `each` connections send a request head a byte a second, `each` send a whole head and then their body
/// (Content-Length 1000000) a byte a second, and `each` sit idle after one answered request. One the server
/// closes is opened again, so all stay until the crowd is destroyed.
class Crowd {
public:
    Crowd(int port, int each);
    ~Crowd();
    Crowd(const Crowd&) = delete;
    Crowd& operator=(const Crowd&) = delete;
    int opened() const { return _opened.load(); }
    int reopened() const { return _reopened.load(); }
    int timedOut() const { return _timedOut.load(); } // slow bodies answered 408

private:
    enum Kind { SlowHead, SlowBody, Idle };
    struct Client {
        Kind kind;
        int host;
        Poco::Net::StreamSocket socket;
        unsigned long sent = 0;
    };
    void open(Client& c);
    void run();

    int _port, _each;
    std::atomic<bool> _stop{false};
    std::atomic<int> _opened{0}, _reopened{0}, _timedOut{0};
    std::thread _thread;
};

} // namespace registry::testsupport
