#include "plugins/SandboxProcess.h"

#include "plugins/Channel.h"
#include "plugins/PluginRegistry.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace registry::plugins {

using wire::FrameType;

namespace {

/// The most a worker's frame may hold: a call's findings are bounded at 1 MiB of text by the worker; this
/// leaves room for their structure, and is all a misbehaving worker can make the server allocate.
constexpr std::uint32_t kMaxResultBytes = 4u << 20;
constexpr std::size_t kMaxLogLineBytes = 1000;
constexpr auto kStartTimeout = std::chrono::seconds(15);
constexpr const char* kSandboxEnvironment = "REGISTRY_SANDBOX_PROCESS";

std::string viewDistrict(const Poco::JSON::Object::Ptr& view) {
    return view ? view->optValue<std::string>("district", "") : std::string();
}

} // namespace

std::string defaultWorkerExecutable() {
    char path[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return "funeral-registry";
    return std::string(path, static_cast<std::size_t>(n));
}

SandboxProcess::SandboxProcess(const std::string& executable, const HostSettings& settings, LogSink log)
    : _settings(settings), _log(std::move(log)) {
    // A program without the plugin-worker verb (a test binary pointed at itself) would run its own main
    // again, which would start sandbox processes of its own: the child's environment says what it is, and
    // a sandbox process never starts another.
    if (std::getenv(kSandboxEnvironment))
        throw std::runtime_error("a plugin sandbox process cannot start sandbox processes ('" + executable +
                                 "' has no plugin-worker verb?)");
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw std::runtime_error(std::string("cannot create the plugin sandbox's socket: ") + std::strerror(errno));
    int child = fds[1];
    if (child == 3 || child == 4) { // dup2(3, 3) would keep close-on-exec: move it out of the way first
        child = fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
        ::close(fds[1]);
    }
    // The progress page (Protocol.h): the worker maps it as fd 4 before it confines itself.
    int shared = memfd_create("registry-sandbox-progress", MFD_CLOEXEC);
    if (shared >= 0 && (shared == 3 || shared == 4)) {
        const int moved = fcntl(shared, F_DUPFD_CLOEXEC, 10);
        ::close(shared);
        shared = moved;
    }
    void* page = MAP_FAILED;
    if (shared >= 0 && ftruncate(shared, static_cast<off_t>(sizeof(protocol::Progress))) == 0)
        page = mmap(nullptr, sizeof(protocol::Progress), PROT_READ | PROT_WRITE, MAP_SHARED, shared, 0);
    if (page == MAP_FAILED) {
        if (shared >= 0) ::close(shared);
        ::close(fds[0]);
        ::close(child);
        throw std::runtime_error(std::string("cannot share memory with the plugin sandbox: ") + std::strerror(errno));
    }
    _progress = new (page) protocol::Progress();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, child, 3);
    posix_spawn_file_actions_adddup2(&actions, shared, 4);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none); // the server's threads block signals the worker needs
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const std::string memory = std::to_string(std::max<std::size_t>(1, settings.limits.memoryBytes >> 20));
    std::string verb = "plugin-worker", fd = "3", progressFd = "4";
    char* argv[] = {const_cast<char*>(executable.c_str()), verb.data(), fd.data(), const_cast<char*>(memory.c_str()),
                    progressFd.data(), nullptr};
    std::vector<char*> environment;
    for (char** e = environ; *e; ++e) environment.push_back(*e);
    std::string marker = std::string(kSandboxEnvironment) + "=1";
    environment.push_back(marker.data());
    environment.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, executable.c_str(), &actions, &attributes, argv, environment.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(child);
    ::close(shared); // the mapping stays
    if (rc != 0) {
        ::close(fds[0]);
        throw std::runtime_error("cannot start the plugin sandbox process '" + executable + "': " + std::strerror(rc));
    }
    _pid = pid;
    _fd = fds[0];
    FrameType type;
    std::string payload, why;
    if (!next(type, payload, Clock::now() + kStartTimeout, why) || type != FrameType::Hello) {
        if (why.empty()) why = "it sent something else than its hello";
        kill();
        throw std::runtime_error("the plugin sandbox process '" + executable + "' did not start: " + why);
    }
    _started = true;
    try {
        wire::Reader r(payload);
        protocol::read(r, _confinement);
    } catch (const wire::WireError& e) {
        kill();
        throw std::runtime_error(std::string("the plugin sandbox process sent a bad hello: ") + e.what());
    }
}

SandboxProcess::~SandboxProcess() {
    kill();
    if (_progress) munmap(_progress, sizeof(protocol::Progress));
}

void SandboxProcess::kill() {
    if (_fd >= 0) {
        ::close(_fd);
        _fd = -1;
    }
    if (_pid > 0 && !_reaped) {
        ::kill(_pid, SIGKILL);
        while (waitpid(_pid, &_status, 0) < 0 && errno == EINTR) {
        }
        _reaped = true;
    }
}

std::string SandboxProcess::ended() {
    // Reap first: a worker that closed its end is exiting, and its status says why.
    if (_pid > 0 && !_reaped) {
        int status = 0;
        for (int i = 0; i < 50; ++i) { // up to 0.5 s for a worker that is on its way out
            const pid_t done = waitpid(_pid, &status, WNOHANG);
            if (done == _pid) {
                _status = status;
                _reaped = true;
                break;
            }
            if (done < 0 && errno != EINTR) break;
            usleep(10'000);
        }
    }
    const bool exitedByItself = _reaped;
    kill();
    if (!exitedByItself) return "the sandbox process stopped answering and was ended";
    if (WIFSIGNALED(_status)) {
        const int signal = WTERMSIG(_status);
        std::string why = "the sandbox process was killed by signal " + std::to_string(signal);
        if (signal == SIGSYS) why += " (a system call the sandbox forbids)";
        if (signal == SIGXCPU) why += " (its CPU time limit)";
        if (signal == SIGSEGV || signal == SIGABRT) why += " (it crashed)";
        return why;
    }
    if (WIFEXITED(_status) && WEXITSTATUS(_status) == 5)
        return "the sandbox process ran out of memory (its address-space limit)";
    if (WIFEXITED(_status)) return "the sandbox process exited with code " + std::to_string(WEXITSTATUS(_status));
    return "the sandbox process ended";
}

SandboxProcess::Clock::duration SandboxProcess::callAllowance() const {
    const auto wall = _settings.limits.wallTimePerCall;
    return wall + std::max<std::chrono::milliseconds>(std::chrono::milliseconds(250), wall / 4);
}

bool SandboxProcess::send(FrameType type, const wire::Writer& w, Clock::time_point deadline, std::string& why) {
    if (_fd < 0) {
        why = "the sandbox process is gone";
        return false;
    }
    const channel::Status status = channel::writeFrame(_fd, type, w.bytes(), deadline);
    // Time between requests is not the worker's: its clock starts with this one.
    _seenCalls = _progress->calls.load(std::memory_order_acquire);
    _callStarted = Clock::now();
    if (status == channel::Status::Ok) return true;
    why = status == channel::Status::Timeout ? "time limit" : ended();
    kill();
    return false;
}

bool SandboxProcess::next(FrameType& type, std::string& payload, Clock::time_point deadline, std::string& why) {
    for (;;) {
        if (_fd < 0) {
            why = "the sandbox process is gone";
            return false;
        }
        // Wait for a frame while watching the worker's progress: the call that runs now may take the
        // time limit plus a margin, however many calls came before it in this message.
        for (bool first = true;; first = false) {
            const auto now = Clock::now();
            const std::uint64_t calls = _progress->calls.load(std::memory_order_acquire);
            if (calls != _seenCalls) {
                _seenCalls = calls;
                _callStarted = now;
            }
            // Before its hello the worker runs no call: only the start-up deadline holds.
            const auto callDeadline = _started ? _callStarted + callAllowance() : Clock::time_point::max();
            if (now >= deadline || now >= callDeadline) {
                why = "time limit";
                kill();
                return false;
            }
            // A one-record call is answered in about a hundred microseconds: polled for that long first, the
            // answer usually comes before this thread would have been put to sleep and woken again.
            if (first && channel::spinReadable(_fd, std::chrono::microseconds(200))) break;
            const channel::Status ready =
                channel::waitReadable(_fd, std::min({deadline, callDeadline, now + std::chrono::milliseconds(50)}));
            if (ready == channel::Status::Ok) break;
            if (ready == channel::Status::Closed) {
                why = ended();
                return false;
            }
        }
        // A frame is on its way: the worker is writing it, so it has no longer than a call to finish.
        const channel::Status status =
            channel::readFrame(_fd, type, payload, kMaxResultBytes, Clock::now() + callAllowance());
        if (status == channel::Status::Timeout) {
            why = "time limit";
            kill();
            return false;
        }
        if (status == channel::Status::Closed) {
            why = ended();
            return false;
        }
        if (status == channel::Status::TooLarge) {
            why = "the sandbox process sent more than " + std::to_string(kMaxResultBytes >> 20) + " MiB at once";
            kill();
            return false;
        }
        if (type != FrameType::Log) return true;
        try {
            wire::Reader r(payload);
            const std::string plugin = r.str();
            std::string line = r.str();
            if (line.size() > kMaxLogLineBytes) line = line.substr(0, kMaxLogLineBytes) + "…";
            if (_log) _log(plugin.substr(0, 200), line);
        } catch (const wire::WireError&) {
            why = "the sandbox process sent a malformed log line";
            kill();
            return false;
        }
    }
}

bool SandboxProcess::loadSet(const PluginSet& set, std::string& why) {
    wire::Writer w;
    protocol::writeSettings(w, _settings);
    w.i64(static_cast<std::int64_t>(set.generation));
    w.u32(static_cast<std::uint32_t>(set.plugins.size()));
    for (const auto& plugin : set.plugins) wire::write(w, *plugin);
    // Every file runs once, each under the time limit of one call.
    const auto deadline = Clock::now() + callAllowance() * static_cast<int>(set.plugins.size() + 1);
    if (!send(FrameType::LoadSet, w, deadline, why)) return false;
    FrameType type;
    std::string payload;
    if (!next(type, payload, deadline, why)) return false;
    if (type != FrameType::Loaded) {
        why = "the sandbox process broke the protocol while loading";
        kill();
        return false;
    }
    _generation = set.generation;
    return true;
}

LoadResult SandboxProcess::loadFile(const std::string& code, const std::string& file,
                                    const Poco::JSON::Object& config, const std::vector<std::string>& districts,
                                    bool fresh) {
    LoadResult result;
    wire::Writer w;
    protocol::writeSettings(w, _settings);
    w.boolean(fresh);
    w.str(code);
    w.str(file);
    w.json(config);
    w.strings(districts);
    const auto deadline = Clock::now() + callAllowance();
    std::string why;
    FrameType type;
    std::string payload;
    if (send(FrameType::LoadFile, w, deadline, why) && next(type, payload, deadline, why)) {
        try {
            if (type != FrameType::Loaded) throw wire::WireError("expected Loaded");
            wire::Reader r(payload);
            r.u8();
            wire::read(r, result.call);
            wire::read(r, result.manifest);
            result.lines = protocol::readLines(r);
            result.linesRun = protocol::readLines(r);
            _generation = 0; // no longer the registry's set
            return result;
        } catch (const wire::WireError&) {
            why = "the sandbox process broke the protocol while loading";
            kill();
        }
    }
    result.call.outcome = why == "time limit" ? Outcome::Timeout : Outcome::Error;
    result.call.message = why == "time limit" ? file + ": time limit exceeded (" +
                                                    std::to_string(_settings.limits.wallTimePerCall.count()) +
                                                    " ms per call; the sandbox process was stopped)"
                                              : file + ": " + why;
    return result;
}

bool SandboxProcess::answer(std::string_view request, const PluginSource& plugin, PluginData* data,
                            Clock::time_point deadline, std::string& why) {
    wire::Writer w;
    try {
        wire::Reader r(request);
        const auto kind = static_cast<protocol::DataKind>(r.u8());
        wire::Writer body;
        switch (kind) {
        case protocol::DataKind::ReferencePrice: {
            const std::string item = r.str(), district = r.str(), date = r.str();
            std::optional<domain::ReferencePrice> reference;
            if (data && plugin.appliesTo(district)) reference = data->referencePrice(item, district, date);
            body.boolean(reference.has_value());
            if (reference) wire::write(body, *reference);
            break;
        }
        case protocol::DataKind::PreviousPrice: {
            const Poco::JSON::Object::Ptr price = r.json();
            Poco::JSON::Object::Ptr previous;
            if (data && price) previous = data->previousPrice(*price);
            if (previous && !plugin.appliesTo(viewDistrict(previous))) previous = nullptr;
            body.json(previous);
            break;
        }
        case protocol::DataKind::PreviousRecord: {
            const std::int64_t id = r.i64();
            const domain::PriceRecord* previous = nullptr;
            const domain::Facility* facility = nullptr;
            const bool found = data && data->previousRecord(id, previous, facility);
            if (!found) {
                body.u8(0);
            } else if (!previous || !facility || !plugin.appliesTo(facility->district)) {
                body.u8(1);
            } else {
                body.u8(2);
                wire::write(body, *previous);
                wire::write(body, *facility);
            }
            break;
        }
        case protocol::DataKind::CurrentPrices: {
            const std::int64_t facilityId = r.i64();
            std::vector<Poco::JSON::Object::Ptr> prices;
            if (data) prices = data->currentPrices(facilityId);
            prices.erase(std::remove_if(prices.begin(), prices.end(),
                                        [&](const Poco::JSON::Object::Ptr& p) {
                                            return !p || !plugin.appliesTo(viewDistrict(p));
                                        }),
                         prices.end());
            body.u32(static_cast<std::uint32_t>(prices.size()));
            for (const auto& price : prices) body.json(price);
            break;
        }
        case protocol::DataKind::Facility: {
            const std::int64_t facilityId = r.i64();
            Poco::JSON::Object::Ptr facility;
            if (data) facility = data->facility(facilityId);
            if (facility && !plugin.appliesTo(viewDistrict(facility))) facility = nullptr;
            body.json(facility);
            break;
        }
        default:
            throw wire::WireError("unknown lookup");
        }
        w.u8(static_cast<std::uint8_t>(protocol::DataStatus::Ok));
        w.bytes() += body.bytes();
    } catch (const wire::WireError&) {
        why = "the sandbox process sent a malformed lookup";
        kill();
        return false;
    } catch (const std::exception& e) {
        w.clear();
        w.u8(static_cast<std::uint8_t>(protocol::DataStatus::Failed));
        w.str(e.what());
    }
    return send(FrameType::DataReply, w, deadline, why);
}

SandboxProcess::CallEnd SandboxProcess::call(HookKind kind, const Subject& subject,
                                             const CallEnvironment& environment, bool stopAtRefusal,
                                             const std::vector<const PluginSource*>& plugins,
                                             const std::function<void(std::size_t, HookResult&)>& onResult) {
    CallEnd end;
    std::size_t index = 0;
    std::string why;
    const auto fail = [&]() {
        if (!plugins.empty() && index >= plugins.size()) return end; // every plugin reported: only Done is lost
        end.completed = false;
        end.stoppedAt = std::min(index, plugins.empty() ? 0 : plugins.size() - 1);
        if (why == "time limit") {
            end.failure.outcome = Outcome::Timeout;
            end.failure.message = "time limit exceeded (" + std::to_string(_settings.limits.wallTimePerCall.count()) +
                                  " ms per call; the sandbox process was stopped)";
        } else {
            end.failure.outcome = why.find("out of memory") != std::string::npos ? Outcome::OutOfMemory : Outcome::Error;
            end.failure.message = why;
        }
        return end;
    };
    wire::Writer w;
    protocol::writeCall(w, kind, subject, environment, stopAtRefusal, plugins);
    const auto deadline = Clock::now() + callAllowance(); // for writing: the watchdog times each plugin
    if (!send(FrameType::Call, w, deadline, why)) return fail();
    const std::string& hook = hookName(kind, subject.type);
    FrameType type;
    std::string payload;
    for (;;) {
        if (!next(type, payload, Clock::time_point::max(), why)) return fail();
        try {
            if (type == FrameType::DataRequest) {
                wire::Reader prefix(payload);
                prefix.u32(); // the record: 0 in a single call
                const std::uint32_t position = prefix.u32();
                // Only the plugin that runs now may ask: the one after the results so far.
                if (position != index || index >= plugins.size()) throw wire::WireError("a lookup outside its call");
                if (!answer(std::string_view(payload).substr(8), *plugins[index], environment.data,
                            Clock::now() + callAllowance(), why))
                    return fail();
                continue;
            }
            if (type == FrameType::Result) {
                if (index >= plugins.size()) throw wire::WireError("more results than plugins");
                HookResult result;
                wire::Reader r(payload);
                protocol::read(r, result);
                const PluginSource& plugin = *plugins[index];
                // What the worker says about itself is not trusted: the server knows who ran.
                if (result.findings.size() > _settings.maxFindingsPerCall) {
                    result.droppedFindings += result.findings.size() - _settings.maxFindingsPerCall;
                    result.findings.resize(_settings.maxFindingsPerCall);
                }
                for (auto& finding : result.findings) {
                    finding.plugin = plugin.manifest.name;
                    finding.pluginVersion = plugin.manifest.version;
                    finding.hook = hook;
                }
                if (kind != HookKind::Validate) result.refusal.reset();
                onResult(index, result);
                ++index;
                continue;
            }
            if (type == FrameType::Done) {
                wire::Reader r(payload);
                protocol::Done done;
                protocol::read(r, done);
                _cpuMilliseconds = done.cpuMilliseconds;
                return end;
            }
            throw wire::WireError("unexpected frame");
        } catch (const wire::WireError& e) {
            why = std::string("the sandbox process broke the protocol (") + e.what() + ")";
            kill();
            return fail();
        }
    }
}

SandboxProcess::BatchEnd SandboxProcess::batch(
    const std::string& today, const protocol::BatchPreload& preload, const std::vector<BatchRecord>& records,
    std::size_t first, const std::vector<std::shared_ptr<const PluginSource>>& plugins,
    const std::vector<std::int64_t>& failuresLeft, PluginData* data,
    const std::function<void(std::size_t, std::size_t, HookResult&)>& onResult,
    const std::function<void(std::size_t)>& onCompleted) {
    BatchEnd end;
    std::size_t completed = first;
    std::string why;
    const auto fail = [&]() {
        end.completed = false;
        end.inCall = _progress->inCall.load(std::memory_order_acquire) != 0;
        end.stoppedRecord = _progress->record.load(std::memory_order_acquire);
        end.stoppedAt = _progress->position.load(std::memory_order_acquire);
        // What the page says is the worker's word: only a call of this batch, at or after what is done.
        if (end.stoppedRecord < completed || end.stoppedRecord >= records.size() ||
            end.stoppedAt >= records[end.stoppedRecord].plugins.size())
            end.inCall = false;
        if (why == "time limit") {
            end.failure.outcome = Outcome::Timeout;
            end.failure.message = "time limit exceeded (" + std::to_string(_settings.limits.wallTimePerCall.count()) +
                                  " ms per call; the sandbox process was stopped)";
        } else {
            end.failure.outcome = why.find("out of memory") != std::string::npos ? Outcome::OutOfMemory : Outcome::Error;
            end.failure.message = why;
        }
        return end;
    };
    wire::Writer w;
    w.str(today);
    protocol::write(w, preload);
    w.u32(static_cast<std::uint32_t>(failuresLeft.size()));
    for (const std::int64_t left : failuresLeft) w.i64(left);
    w.u32(static_cast<std::uint32_t>(first));
    w.u32(static_cast<std::uint32_t>(records.size() - first));
    for (std::size_t i = first; i < records.size(); ++i) {
        const BatchRecord& record = records[i];
        protocol::write(w, *record.subject);
        w.str(record.asOfDate);
        w.u32(static_cast<std::uint32_t>(record.plugins.size()));
        for (const std::uint32_t index : record.plugins) w.u32(index);
    }
    if (!send(FrameType::Batch, w, Clock::now() + callAllowance(), why)) return fail();
    FrameType type;
    std::string payload;
    for (;;) {
        if (!next(type, payload, Clock::time_point::max(), why)) return fail();
        try {
            if (type == FrameType::DataRequest) {
                wire::Reader prefix(payload);
                const std::uint32_t record = prefix.u32(), position = prefix.u32();
                if (record < completed || record >= records.size() || position >= records[record].plugins.size())
                    throw wire::WireError("a lookup outside its call");
                const PluginSource& plugin = *plugins.at(records[record].plugins[position]);
                if (!answer(std::string_view(payload).substr(8), plugin, data, Clock::now() + callAllowance(), why))
                    return fail();
                continue;
            }
            if (type != FrameType::BatchProgress) throw wire::WireError("unexpected frame");
            wire::Reader r(payload);
            const std::uint32_t done = r.u32();
            const std::uint32_t entries = r.u32();
            if (done < completed || done > records.size()) throw wire::WireError("progress out of range");
            for (std::uint32_t e = 0; e < entries; ++e) {
                const std::uint32_t record = r.u32(), position = r.u32();
                if (record < completed || record >= done || position >= records[record].plugins.size())
                    throw wire::WireError("a result outside the batch");
                HookResult result;
                protocol::read(r, result);
                const PluginSource& plugin = *plugins.at(records[record].plugins[position]);
                if (result.findings.size() > _settings.maxFindingsPerCall) {
                    result.droppedFindings += result.findings.size() - _settings.maxFindingsPerCall;
                    result.findings.resize(_settings.maxFindingsPerCall);
                }
                const std::string& hook = hookName(HookKind::Checks, records[record].subject->type);
                for (auto& finding : result.findings) {
                    finding.plugin = plugin.manifest.name;
                    finding.pluginVersion = plugin.manifest.version;
                    finding.hook = hook;
                }
                result.refusal.reset();
                onResult(record, position, result);
            }
            const bool last = r.boolean();
            if (last) {
                protocol::Done finished;
                protocol::read(r, finished);
                _cpuMilliseconds = finished.cpuMilliseconds;
                if (done != records.size()) throw wire::WireError("a batch that ended early");
            }
            completed = done;
            onCompleted(completed);
            if (last) return end;
        } catch (const wire::WireError& e) {
            why = std::string("the sandbox process broke the protocol (") + e.what() + ")";
            kill();
            return fail();
        }
    }
}

} // namespace registry::plugins
