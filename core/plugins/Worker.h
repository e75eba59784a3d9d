#pragma once
// The sandbox process: `funeral-registry plugin-worker 3 MEMORY_MB 4`, started by the server
// (SandboxProcess) with one end of a socketpair as fd 3 and the progress page (Protocol.h) as fd 4. It
// confines itself before it reads a byte of plugin code:
//
//   - every other file descriptor closed (the server's database files and sockets are not its business);
//   - RLIMIT_AS at what it maps at start plus MEMORY_MB and a margin for the host side of the calls, so
//     everything it holds counts, not just the Lua heap; RLIMIT_CPU as a lifetime budget; no core files;
//   - no new privileges, and a seccomp filter (libseccomp) that allows reading and writing the socket,
//     memory management without executable mappings, clocks, and exiting. Any other system call (open,
//     socket, execve, fork, ptrace, ...) kills the process. Where the kernel refuses the filter, the
//     worker runs without it and says so in its Hello (the server logs it and shows it in the plugin list).
//
// Then it loads the plugins the server sends and runs hooks on what the server asks, answering ctx.*
// lookups by asking the server over the same socket. It exits when the server closes the socket.

#include "plugins/Protocol.h"

#include <cstddef>

namespace registry::plugins {

/// Confines the calling process as above and returns how (the Hello's content). Separate so that a test
/// can call it in a child of its own.
protocol::Confinement confineWorker(std::size_t memoryBytes);

/// The worker's main loop on `fd`, reporting its progress in the page shared through `progressFd`;
/// returns the process exit code.
int workerMain(int fd, std::size_t memoryBytes, int progressFd);

/// CPU seconds a worker may use in its lifetime (RLIMIT_CPU); the server retires a worker at half.
constexpr long kWorkerCpuSeconds = 3600;

} // namespace registry::plugins
