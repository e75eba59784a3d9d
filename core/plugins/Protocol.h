#pragma once
// The messages between the server and a sandbox process, on top of Wire.h. Each is written by one side
// and read by the other through the functions here, so the two cannot drift apart.
//
//   server                                   worker
//   ------                                   ------
//                                   <- Hello (how it is confined)
//   LoadSet (settings, plugins)     ->
//                                   <- Loaded
//   Call (hook, subject, plugins)   ->
//                                   <- Log*, DataRequest (-> DataReply)*, Result per plugin
//                                   <- Done
//   LoadFile (one file to check)    ->
//                                   <- Loaded (outcome, manifest)

#include "plugins/Limits.h"
#include "plugins/Views.h"
#include "plugins/PluginState.h"
#include "plugins/Wire.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::plugins::protocol {

/// How a worker is confined; sent in its Hello and shown in GET /api/v1/plugins.
struct Confinement {
    std::int64_t pid = 0;
    bool seccomp = false;
    std::string seccompError; // why the kernel refused the filter, when it did
    std::int64_t addressSpaceBytes = 0; // RLIMIT_AS; 0 when not set (sanitizer builds)
    std::int64_t cpuSeconds = 0;        // RLIMIT_CPU
};
void write(wire::Writer& w, const Confinement& c);
void read(wire::Reader& r, Confinement& c);

/// What a worker's Lua state needs of the host settings.
void writeSettings(wire::Writer& w, const HostSettings& settings);
void readSettings(wire::Reader& r, HostSettings& settings);

/// Line numbers (coverage).
void writeLines(wire::Writer& w, const std::vector<int>& lines);
std::vector<int> readLines(wire::Reader& r);

/// A subject with the records it points to, as the worker decodes it.
struct OwnedSubject {
    Subject subject;
    Poco::JSON::Object::Ptr view;
    domain::PriceRecord price;
    domain::Facility facility;
    domain::BurialSite site;
};
void write(wire::Writer& w, const Subject& subject);
void read(wire::Reader& r, OwnedSubject& out);

/// One hook of `plugins` (names, in order) on one subject.
void writeCall(wire::Writer& w, HookKind kind, const Subject& subject, const CallEnvironment& environment,
               bool stopAtRefusal, const std::vector<const PluginSource*>& plugins);
struct CallRequest {
    HookKind kind = HookKind::Checks;
    OwnedSubject subject;
    CallEnvironment environment; // data is the worker's to set
    bool stopAtRefusal = false;
    std::vector<std::string> plugins;
};
void read(wire::Reader& r, CallRequest& call);

void write(wire::Writer& w, const HookResult& result);
void read(wire::Reader& r, HookResult& result);

/// The end of a call: whether the worker's state ran out of memory (it builds a new one), and the CPU
/// time the worker has used so far (the server retires it before RLIMIT_CPU).
struct Done {
    bool exhausted = false;
    std::int64_t cpuMilliseconds = 0;
};
void write(wire::Writer& w, const Done& done);
void read(wire::Reader& r, Done& done);

/// A page of memory the worker shares with the server (a memfd mapped by both): which call runs now. The
/// worker bumps `calls` as each hook call or file load starts, without a system call; the server's
/// watchdog ends a worker whose current call has run past its time limit, however many calls one message
/// holds (an audit batch holds thousands).
struct Progress {
    std::atomic<std::uint64_t> calls{0};
    std::atomic<std::uint32_t> record{0};   // index in the batch (0 for a single call)
    std::atomic<std::uint32_t> position{0}; // index in the record's plugin list
    std::atomic<std::uint32_t> inCall{0};   // 1 while a call runs
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "Progress is shared between processes");

/// What an audit batch's lookups will ask for, sent with the batch so that the worker answers them itself:
/// the caps of the items the batch's prices name, and the record each price replaced (found or not).
/// Anything else a plugin asks for goes to the server as a DataRequest.
struct BatchPreload {
    std::map<std::string, std::vector<domain::ReferencePrice>> caps; // by item
    std::map<std::int64_t, std::optional<std::pair<domain::PriceRecord, domain::Facility>>> previous; // by id
};
void write(wire::Writer& w, const BatchPreload& preload);
void read(wire::Reader& r, BatchPreload& preload);

/// ctx.* asking for records.
enum class DataKind : std::uint8_t { ReferencePrice = 1, PreviousPrice = 2, PreviousRecord = 3, CurrentPrices = 4, Facility = 5 };
/// A DataReply starts with one of these.
enum class DataStatus : std::uint8_t { Ok = 0, Failed = 1 };

} // namespace registry::plugins::protocol
