#pragma once
// The server's side of one sandbox process (Worker.h): it starts `funeral-registry plugin-worker` with
// posix_spawn (never a fork of the threaded server), loads plugins into it, runs hooks in it and answers
// its ctx lookups, and ends it with SIGKILL when a call outlives its time limit or the process misbehaves.
//
// Everything a worker sends is treated as hostile: frames are bounded before they are read
// (kMaxResultBytes), malformed ones end the worker, and a lookup is answered only with records of the
// districts the plugin that runs may see.
//
// Not thread-safe: one thread uses a process at a time (WorkerPool hands them out).

#include "plugins/PluginState.h"
#include "plugins/Protocol.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace registry::plugins {

struct PluginSet;

/// The executable that holds the `plugin-worker` verb: the running program's own file (/proc/self/exe).
std::string defaultWorkerExecutable();

class SandboxProcess {
public:
    /// Starts a worker and waits for its Hello. Throws std::runtime_error if it does not start.
    SandboxProcess(const std::string& executable, const HostSettings& settings, LogSink log);
    /// Kills the worker (if it still runs) and reaps it.
    ~SandboxProcess();
    SandboxProcess(const SandboxProcess&) = delete;
    SandboxProcess& operator=(const SandboxProcess&) = delete;

    const protocol::Confinement& confinement() const { return _confinement; }
    /// False once the worker was killed or went away: throw it away and start another.
    bool alive() const { return _fd >= 0; }
    /// The registry generation loaded by loadSet (0: none).
    std::uint64_t generation() const { return _generation; }
    std::int64_t cpuMilliseconds() const { return _cpuMilliseconds; }

    /// Loads a plugin set (replacing what was loaded). False if the worker did not finish in time or died
    /// (it is gone then); `why` says what happened.
    bool loadSet(const PluginSet& set, std::string& why);

    /// Runs one plugin file and reads its manifest, as PluginState::load does; with `fresh`, in a new
    /// state with these settings. The plugin stays loaded under its name (districts: where it may reach).
    /// A worker that hangs or dies gives a Timeout / Error outcome and is gone.
    LoadResult loadFile(const std::string& code, const std::string& file, const Poco::JSON::Object& config,
                        const std::vector<std::string>& districts, bool fresh);

    /// How a call ended. `completed`: every plugin reported (onResult decided). Otherwise the plugin at
    /// `stoppedAt` hung or the worker died while it ran; `failure` says which, and the worker is gone.
    struct CallEnd {
        bool completed = true;
        std::size_t stoppedAt = 0;
        CallResult failure;
    };
    /// Runs `kind` of `plugins` on the subject. Each plugin's result goes to onResult(index, result) as it
    /// arrives; with stopAtRefusal the worker stops after a refusal. `data` answers the plugins' lookups.
    CallEnd call(HookKind kind, const Subject& subject, const CallEnvironment& environment, bool stopAtRefusal,
                 const std::vector<const PluginSource*>& plugins,
                 const std::function<void(std::size_t, HookResult&)>& onResult);

    /// The checks of many records (an audit batch) in one exchange. `plugins` is the loaded set's order;
    /// each record names the positions of the plugins that run on it. Results arrive at record
    /// boundaries: onResult(record, position in the record's list, result) for each result that is not a
    /// plain ok with nothing, then onCompleted(n) when the first n records are done. `data` answers what
    /// `preload` does not. On a hang or death, the end names the record (`stoppedRecord`) and position
    /// (`stoppedAt`) of the call that ran, if one did (`inCall`).
    struct BatchRecord {
        const Subject* subject = nullptr;
        std::string asOfDate;
        std::vector<std::uint32_t> plugins; // positions in the set
    };
    struct BatchEnd {
        bool completed = true;
        bool inCall = false;
        std::size_t stoppedRecord = 0;
        std::size_t stoppedAt = 0;
        CallResult failure;
    };
    /// `failuresLeft[j]`: how many more failures the plugin at set position j may have in this run before
    /// it is skipped (-1: no limit); the worker stops running it within the batch at 0, as the server
    /// would.
    BatchEnd batch(const std::string& today, const protocol::BatchPreload& preload,
                   const std::vector<BatchRecord>& records, std::size_t first,
                   const std::vector<std::shared_ptr<const PluginSource>>& plugins,
                   const std::vector<std::int64_t>& failuresLeft, PluginData* data,
                   const std::function<void(std::size_t, std::size_t, HookResult&)>& onResult,
                   const std::function<void(std::size_t)>& onCompleted);

    /// Ends the worker now.
    void kill();

private:
    using Clock = std::chrono::steady_clock;
    /// Reads the next frame, serving Log frames on the way. False when the deadline passed or the worker
    /// broke the protocol or went away (it is killed, `why` says which).
    bool next(wire::FrameType& type, std::string& payload, Clock::time_point deadline, std::string& why);
    bool send(wire::FrameType type, const wire::Writer& w, Clock::time_point deadline, std::string& why);
    /// Answers one DataRequest for `plugin`, which may reach only its districts.
    bool answer(std::string_view request, const PluginSource& plugin, PluginData* data, Clock::time_point deadline,
                std::string& why);
    /// "the sandbox process ended (killed by signal 31: a system call the sandbox forbids)".
    std::string ended();
    Clock::duration callAllowance() const;

    HostSettings _settings;
    LogSink _log;
    int _fd = -1;
    int _pid = -1;
    bool _reaped = false;
    int _status = 0;
    protocol::Confinement _confinement;
    std::uint64_t _generation = 0;
    std::int64_t _cpuMilliseconds = 0;
    protocol::Progress* _progress = nullptr; // shared with the worker
    std::uint64_t _seenCalls = 0;
    bool _started = false; // its hello arrived: from now on the watchdog times its calls
    Clock::time_point _callStarted;
};

} // namespace registry::plugins
