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

#include <cstdint>
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

/// ctx.* asking for records.
enum class DataKind : std::uint8_t { ReferencePrice = 1, PreviousPrice = 2, PreviousRecord = 3, CurrentPrices = 4, Facility = 5 };
/// A DataReply starts with one of these.
enum class DataStatus : std::uint8_t { Ok = 0, Failed = 1 };

} // namespace registry::plugins::protocol
