#pragma once
// A socket for a request the HTTP gate has read whole (HeadGate.cpp): its bytes come from memory first,
// then from the kernel as usual.

#include <Poco/Net/Socket.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

namespace registry::http {

/// A socket whose first bytes (a request read at the gate) come from memory, then from the kernel as usual.
/// Poco's HTTPServerSession reads through StreamSocket::receiveBytes, so the worker parses the request as
/// if it had just arrived, without waiting on the network. The bytes count against the gate's body budget
/// until they have been read.
class BufferedSocketImpl : public Poco::Net::StreamSocketImpl {
public:
    BufferedSocketImpl(poco_socket_t fd, std::string bytes, std::shared_ptr<std::atomic<std::size_t>> budget,
                       bool continued)
        : Poco::Net::StreamSocketImpl(fd), _bytes(std::move(bytes)), _budget(std::move(budget)), _continued(continued) {}

    int receiveBytes(void* buffer, int length, int flags = 0) override {
        if (_at >= _bytes.size()) return Poco::Net::StreamSocketImpl::receiveBytes(buffer, length, flags);
        const std::size_t n = std::min(static_cast<std::size_t>(std::max(length, 0)), _bytes.size() - _at);
        std::memcpy(buffer, _bytes.data() + _at, n);
        if ((flags & MSG_PEEK) == 0) {
            _at += n;
            if (_at == _bytes.size()) release();
        }
        return static_cast<int>(n);
    }
    int available() override {
        return static_cast<int>(_bytes.size() - _at) + Poco::Net::StreamSocketImpl::available();
    }
    bool poll(const Poco::Timespan& timeout, int mode) override {
        if ((mode & Poco::Net::Socket::SELECT_READ) != 0 && _at < _bytes.size()) return true;
        return Poco::Net::StreamSocketImpl::poll(timeout, mode);
    }
    /// `100 Continue` has been sent for the request in memory: the worker must not send another.
    bool continued() const { return _continued; }

protected:
    ~BufferedSocketImpl() override { release(); }

private:
    void release() {
        _budget->fetch_sub(_bytes.size());
        std::string().swap(_bytes);
        _at = 0;
    }

    std::string _bytes;
    std::size_t _at = 0;
    std::shared_ptr<std::atomic<std::size_t>> _budget;
    bool _continued;
};

} // namespace registry::http
