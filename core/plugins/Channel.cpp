#include "plugins/Channel.h"

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace registry::plugins::channel {

namespace {

int millisecondsUntil(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    return left > 1'000'000 ? 1'000'000 : static_cast<int>(left) + 1;
}

/// Waits until `fd` is ready for `events`; Timeout or Closed otherwise.
Status await(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, millisecondsUntil(deadline));
        if (n < 0) {
            if (errno == EINTR) continue;
            return Status::Closed;
        }
        if (n == 0) {
            if (Clock::now() >= deadline) return Status::Timeout;
            continue;
        }
        if (p.revents & events) return Status::Ok;
        return Status::Closed; // POLLHUP / POLLERR without data
    }
}

Status sendAll(int fd, const char* data, std::size_t size, Clock::time_point deadline) {
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            data += n;
            size -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const Status ready = await(fd, POLLOUT, deadline);
            if (ready != Status::Ok) return ready;
            continue;
        }
        return Status::Closed;
    }
    return Status::Ok;
}

Status receiveAll(int fd, char* data, std::size_t size, Clock::time_point deadline) {
    while (size > 0) {
        const ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
        if (n > 0) {
            data += n;
            size -= static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) return Status::Closed;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            const Status ready = await(fd, POLLIN, deadline);
            if (ready != Status::Ok) return ready;
            continue;
        }
        return Status::Closed;
    }
    return Status::Ok;
}

bool writeAll(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n > 0) {
            data += n;
            size -= static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    return true;
}

bool readAll(int fd, char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::read(fd, data, size);
        if (n > 0) {
            data += n;
            size -= static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    return true;
}

std::string header(wire::FrameType type, std::size_t payload) {
    std::string h(5, '\0');
    const auto length = static_cast<std::uint32_t>(payload + 1);
    std::memcpy(&h[0], &length, 4);
    h[4] = static_cast<char>(type);
    return h;
}

} // namespace

Status writeFrame(int fd, wire::FrameType type, const std::string& payload, Clock::time_point deadline) {
    if (payload.size() + 1 > wire::kMaxFrameBytes) return Status::TooLarge;
    const std::string h = header(type, payload.size());
    // Header and payload in one system call: sent apart, the reader may wake for the header alone and sleep
    // again before the payload comes (a second wake-up per frame, tens of microseconds on this machine).
    iovec parts[2] = {{const_cast<char*>(h.data()), h.size()}, {const_cast<char*>(payload.data()), payload.size()}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = 2;
    const ssize_t n = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (sent < h.size()) {
        const Status first = sendAll(fd, h.data() + sent, h.size() - sent, deadline);
        if (first != Status::Ok) return first;
        sent = h.size();
    }
    return sendAll(fd, payload.data() + (sent - h.size()), payload.size() - (sent - h.size()), deadline);
}

Status waitReadable(int fd, Clock::time_point deadline) { return await(fd, POLLIN, deadline); }

bool spinReadable(int fd, std::chrono::microseconds spin) {
    const auto until = Clock::now() + spin;
    do {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) return true;
        sched_yield();
    } while (Clock::now() < until);
    return false;
}

Status readFrame(int fd, wire::FrameType& type, std::string& payload, std::uint32_t maxBytes,
                 Clock::time_point deadline) {
    char h[5];
    const Status got = receiveAll(fd, h, sizeof h, deadline);
    if (got != Status::Ok) return got;
    std::uint32_t length;
    std::memcpy(&length, h, 4);
    if (length == 0 || length > maxBytes) return Status::TooLarge;
    type = static_cast<wire::FrameType>(static_cast<std::uint8_t>(h[4]));
    payload.resize(length - 1);
    return receiveAll(fd, payload.data(), payload.size(), deadline);
}

bool writeFrameBlocking(int fd, wire::FrameType type, const std::string& payload) {
    if (payload.size() + 1 > wire::kMaxFrameBytes) return false;
    const std::string h = header(type, payload.size());
    iovec parts[2] = {{const_cast<char*>(h.data()), h.size()}, {const_cast<char*>(payload.data()), payload.size()}};
    ssize_t n;
    do n = ::writev(fd, parts, 2);
    while (n < 0 && errno == EINTR);
    if (n < 0) return false;
    std::size_t sent = static_cast<std::size_t>(n);
    if (sent < h.size()) {
        if (!writeAll(fd, h.data() + sent, h.size() - sent)) return false;
        sent = h.size();
    }
    return writeAll(fd, payload.data() + (sent - h.size()), payload.size() - (sent - h.size()));
}

bool readFrameBlocking(int fd, wire::FrameType& type, std::string& payload, std::uint32_t maxBytes) {
    char h[5];
    if (!readAll(fd, h, sizeof h)) return false;
    std::uint32_t length;
    std::memcpy(&length, h, 4);
    if (length == 0 || length > maxBytes) return false;
    type = static_cast<wire::FrameType>(static_cast<std::uint8_t>(h[4]));
    payload.resize(length - 1);
    return readAll(fd, payload.data(), payload.size());
}

} // namespace registry::plugins::channel
