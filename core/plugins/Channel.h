#pragma once
// Frames over the socket between the server and a sandbox process (Wire.h says what is in them): a 4-byte
// length (of the type and payload), the type, the payload. The server side waits with a deadline and
// never takes a signal from a peer that has gone (MSG_NOSIGNAL); the worker side blocks.

#include "plugins/Wire.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace registry::plugins::channel {

using Clock = std::chrono::steady_clock;

enum class Status {
    Ok,
    Timeout, // the deadline passed first
    Closed,  // the peer closed its end or went away
    TooLarge // the peer announced a frame above the limit
};

/// Writes one frame; Timeout if the peer stopped reading until the deadline.
Status writeFrame(int fd, wire::FrameType type, const std::string& payload, Clock::time_point deadline);

/// Waits until a frame (or the peer's close) can be read.
Status waitReadable(int fd, Clock::time_point deadline);
/// Polls `fd` without sleeping for up to `spin` (yielding the CPU between polls): true once it is readable.
/// A sandbox process answers a one-record call in tens of microseconds, less than it takes to put this
/// thread to sleep and wake it again on this machine kind (docs/PERFORMANCE.md, *Plugins in sandbox processes*).
bool spinReadable(int fd, std::chrono::microseconds spin);

/// Reads one frame of at most `maxBytes`; nothing larger is ever allocated.
Status readFrame(int fd, wire::FrameType& type, std::string& payload, std::uint32_t maxBytes,
                 Clock::time_point deadline);

/// The worker's side: blocking, false when the server has gone (or sent a frame above the limit).
bool writeFrameBlocking(int fd, wire::FrameType type, const std::string& payload);
bool readFrameBlocking(int fd, wire::FrameType& type, std::string& payload, std::uint32_t maxBytes);

} // namespace registry::plugins::channel
