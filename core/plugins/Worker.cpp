#include "plugins/Worker.h"

#include "plugins/Channel.h"
#include "plugins/LuaConvert.h"

#include <seccomp.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define REGISTRY_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REGISTRY_SANITIZED 1
#endif
#endif

namespace registry::plugins {

using wire::FrameType;

namespace {

/// What the worker maps beyond its Lua heap while it runs: the frames it receives, the views and findings
/// it builds on the host side of a call.
constexpr std::size_t kHostMarginBytes = 96u << 20;
/// Frames from the server: a plugin set or a batch of records.
constexpr std::uint32_t kMaxIncomingBytes = wire::kMaxFrameBytes;

std::size_t mappedBytes() {
    // Read before the filter is installed: /proc is out of reach afterwards.
    std::FILE* statm = std::fopen("/proc/self/statm", "r");
    if (!statm) return 0;
    unsigned long pages = 0;
    const int read = std::fscanf(statm, "%lu", &pages);
    std::fclose(statm);
    return read == 1 ? pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

/// The filter: only what a Lua state and this loop need. Returns "" or why it could not be installed.
std::string installFilter() {
#ifdef REGISTRY_SANITIZED
    // The sanitizers' runtime reads /proc and more when it reports; a refused call fails instead of killing.
    const std::uint32_t refuse = SCMP_ACT_ERRNO(EPERM);
#else
    const std::uint32_t refuse = SCMP_ACT_KILL_PROCESS;
#endif
    scmp_filter_ctx filter = seccomp_init(refuse);
    if (!filter) return "seccomp_init failed";
    int rc = 0;
    const int allowed[] = {
        SCMP_SYS(read),         SCMP_SYS(write),          SCMP_SYS(readv),         SCMP_SYS(writev),
        SCMP_SYS(close),        SCMP_SYS(exit),           SCMP_SYS(exit_group),    SCMP_SYS(brk),
        SCMP_SYS(munmap),       SCMP_SYS(mremap),         SCMP_SYS(madvise),       SCMP_SYS(futex),
        SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),  SCMP_SYS(gettimeofday),  SCMP_SYS(time),
        SCMP_SYS(getrusage),    SCMP_SYS(rt_sigreturn),   SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid),
        SCMP_SYS(gettid),       SCMP_SYS(restart_syscall), SCMP_SYS(sched_yield),
    };
    for (const int call : allowed)
        if (rc == 0) rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, call, 0);
#ifdef REGISTRY_SANITIZED
    // ASan looks at the signal stack whenever a C++ exception is thrown (a Lua error is one: Lua is built
    // as C++), and aborts if it cannot.
    if (rc == 0) rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0);
#endif
    // Memory, but never executable: a plugin that found a way to write machine code cannot run it.
    if (rc == 0) rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (rc == 0)
        rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    // abort() signals the process itself; nothing else may be signalled.
    if (rc == 0)
        rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(getpid())));
    if (rc == 0) rc = seccomp_load(filter);
    seccomp_release(filter);
    if (rc != 0) return std::string("the kernel refused the seccomp filter: ") + std::strerror(-rc);
    return {};
}

} // namespace

protocol::Confinement confineWorker(std::size_t memoryBytes) {
    protocol::Confinement c;
    c.pid = getpid();
    std::signal(SIGPIPE, SIG_IGN); // a server that went away is a failed write, then an exit
    rlimit none{0, 0};
    setrlimit(RLIMIT_CORE, &none);
    rlimit cpu{static_cast<rlim_t>(kWorkerCpuSeconds), static_cast<rlim_t>(kWorkerCpuSeconds + 5)};
    if (setrlimit(RLIMIT_CPU, &cpu) == 0) c.cpuSeconds = kWorkerCpuSeconds;
#ifndef REGISTRY_SANITIZED
    // The sanitizers reserve terabytes of shadow memory: an address-space limit cannot hold under them.
    const std::size_t mapped = mappedBytes();
    if (mapped > 0) {
        const rlim_t limit = mapped + memoryBytes + kHostMarginBytes;
        rlimit as{limit, limit};
        if (setrlimit(RLIMIT_AS, &as) == 0) c.addressSpaceBytes = static_cast<std::int64_t>(limit);
    }
#else
    (void)memoryBytes;
    (void)&mappedBytes;
#endif
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    c.seccompError = installFilter();
    c.seccomp = c.seccompError.empty();
    return c;
}

namespace {

[[noreturn]] void quit(int code) { _exit(code); }

/// ctx.* lookups answered by the server.
class RemoteData : public PluginData {
public:
    explicit RemoteData(int fd) : _fd(fd) {}

    /// Which call asks from now on: the server answers for that record's plugin at that position.
    void at(std::uint32_t record, std::uint32_t position) {
        _record = record;
        _position = position;
    }

    std::optional<domain::ReferencePrice> referencePrice(const std::string& item, const std::string& district,
                                                         const std::string& date) override {
        wire::Writer w;
        w.u8(static_cast<std::uint8_t>(protocol::DataKind::ReferencePrice));
        w.str(item);
        w.str(district);
        w.str(date);
        wire::Reader r = ask(w);
        if (!r.boolean()) return std::nullopt;
        domain::ReferencePrice reference;
        wire::read(r, reference);
        return reference;
    }

    Poco::JSON::Object::Ptr previousPrice(const Poco::JSON::Object& price) override {
        wire::Writer w;
        w.u8(static_cast<std::uint8_t>(protocol::DataKind::PreviousPrice));
        w.json(price);
        wire::Reader r = ask(w);
        return r.json();
    }

    bool previousRecord(std::int64_t priceId, const domain::PriceRecord*& previous,
                        const domain::Facility*& facility) override {
        wire::Writer w;
        w.u8(static_cast<std::uint8_t>(protocol::DataKind::PreviousRecord));
        w.i64(priceId);
        wire::Reader r = ask(w);
        previous = nullptr;
        facility = nullptr;
        const std::uint8_t answer = r.u8(); // 0: ask previousPrice, 1: none, 2: found
        if (answer == 0) return false;
        if (answer == 2) {
            wire::read(r, _previous);
            wire::read(r, _facility);
            previous = &_previous;
            facility = &_facility;
        }
        return true;
    }

    std::vector<Poco::JSON::Object::Ptr> currentPrices(std::int64_t facilityId) override {
        wire::Writer w;
        w.u8(static_cast<std::uint8_t>(protocol::DataKind::CurrentPrices));
        w.i64(facilityId);
        wire::Reader r = ask(w);
        const std::uint32_t n = r.u32();
        if (n > r.left()) throw wire::WireError("price list longer than its frame");
        std::vector<Poco::JSON::Object::Ptr> prices;
        for (std::uint32_t i = 0; i < n; ++i) prices.push_back(r.json());
        return prices;
    }

    Poco::JSON::Object::Ptr facility(std::int64_t facilityId) override {
        wire::Writer w;
        w.u8(static_cast<std::uint8_t>(protocol::DataKind::Facility));
        w.i64(facilityId);
        wire::Reader r = ask(w);
        return r.json();
    }

private:
    /// Sends the request and waits for its reply; a failure on the server side is an exception here, which
    /// the ctx function turns into a Lua error.
    wire::Reader ask(const wire::Writer& request) {
        wire::Writer framed;
        framed.u32(_record);
        framed.u32(_position);
        framed.bytes() += request.bytes();
        if (!channel::writeFrameBlocking(_fd, FrameType::DataRequest, framed.bytes())) quit(0);
        FrameType type;
        if (!channel::readFrameBlocking(_fd, type, _reply, kMaxIncomingBytes)) quit(0);
        if (type != FrameType::DataReply) quit(4);
        wire::Reader r(_reply);
        if (r.u8() != static_cast<std::uint8_t>(protocol::DataStatus::Ok)) throw std::runtime_error(r.str());
        return r;
    }

    int _fd;
    std::uint32_t _record = 0, _position = 0;
    std::string _reply;
    domain::PriceRecord _previous;
    domain::Facility _facility;
};

/// An audit batch's lookups: what came with the batch is answered here, the rest by the server.
class BatchData : public PluginData {
public:
    BatchData(const protocol::BatchPreload& preload, RemoteData& remote) : _preload(preload), _remote(remote) {}

    std::optional<domain::ReferencePrice> referencePrice(const std::string& item, const std::string& district,
                                                         const std::string& date) override {
        const auto caps = _preload.caps.find(item);
        if (caps == _preload.caps.end()) return _remote.referencePrice(item, district, date);
        return selectReferencePrice(caps->second, item, district, date);
    }
    Poco::JSON::Object::Ptr previousPrice(const Poco::JSON::Object& price) override {
        return _remote.previousPrice(price);
    }
    bool previousRecord(std::int64_t priceId, const domain::PriceRecord*& previous,
                        const domain::Facility*& facility) override {
        const auto found = _preload.previous.find(priceId);
        if (found == _preload.previous.end()) return _remote.previousRecord(priceId, previous, facility);
        previous = found->second ? &found->second->first : nullptr;
        facility = found->second ? &found->second->second : nullptr;
        return true;
    }
    std::vector<Poco::JSON::Object::Ptr> currentPrices(std::int64_t facilityId) override {
        return _remote.currentPrices(facilityId);
    }
    Poco::JSON::Object::Ptr facility(std::int64_t facilityId) override { return _remote.facility(facilityId); }

private:
    const protocol::BatchPreload& _preload;
    RemoteData& _remote;
};

/// Results of a batch flushed to the server at the end of a record once this many bytes are waiting.
constexpr std::size_t kFlushBytes = 64 * 1024;
/// ... or once this many records are done, so that a worker that dies loses little.
constexpr std::uint32_t kFlushRecords = 64;

class Worker {
public:
    Worker(int fd, protocol::Progress& progress) : _fd(fd), _progress(progress), _data(fd) {}

    int run() {
        FrameType type;
        std::string payload;
        while (channel::readFrameBlocking(_fd, type, payload, kMaxIncomingBytes)) {
            try {
                wire::Reader r(payload);
                switch (type) {
                case FrameType::LoadSet:
                    loadSet(r);
                    break;
                case FrameType::LoadFile:
                    loadFile(r);
                    break;
                case FrameType::Call:
                    call(r);
                    break;
                case FrameType::Batch:
                    batch(r);
                    break;
                default:
                    return 4; // the server never sends anything else here
                }
            } catch (const wire::WireError&) {
                return 4;
            } catch (const std::bad_alloc&) {
                return 5; // the host side ran out of its address space: the server starts another worker
            }
        }
        return 0;
    }

private:
    void send(FrameType type, const wire::Writer& w) {
        if (!channel::writeFrameBlocking(_fd, type, w.bytes())) quit(0);
    }

    LogSink logSink() {
        return [this](const std::string& plugin, const std::string& line) {
            wire::Writer w;
            w.str(plugin);
            w.str(line);
            send(FrameType::Log, w);
        };
    }

    /// A hook call or a file load starts: the server's watchdog times it from here.
    void starting(std::uint32_t record, std::uint32_t position) {
        _progress.record.store(record, std::memory_order_relaxed);
        _progress.position.store(position, std::memory_order_relaxed);
        _progress.inCall.store(1, std::memory_order_relaxed);
        _progress.calls.fetch_add(1, std::memory_order_release);
        _data.at(record, position);
    }
    void finished() { _progress.inCall.store(0, std::memory_order_release); }

    void rebuild() {
        _state = std::make_unique<PluginState>(_settings, logSink(), _generation);
        std::uint32_t i = 0;
        for (const auto& [name, source] : _sources) {
            starting(0, i++);
            _state->load(*source);
            finished();
        }
    }

    void loadSet(wire::Reader& r) {
        protocol::readSettings(r, _settings);
        _generation = static_cast<std::uint64_t>(r.i64());
        const std::uint32_t n = r.u32();
        if (n > r.left()) throw wire::WireError("plugin list longer than its frame");
        _sources.clear();
        _ordered.clear();
        for (std::uint32_t i = 0; i < n; ++i) {
            auto source = std::make_shared<PluginSource>();
            wire::read(r, *source);
            _ordered.push_back(source);
            _sources[source->manifest.name] = std::move(source);
        }
        rebuild();
        wire::Writer w;
        w.u8(1);
        send(FrameType::Loaded, w);
    }

    void loadFile(wire::Reader& r) {
        HostSettings settings;
        protocol::readSettings(r, settings);
        const bool fresh = r.boolean();
        auto source = std::make_shared<PluginSource>();
        source->code = r.str();
        source->file = r.str();
        source->config = r.json();
        if (!source->config) source->config = new Poco::JSON::Object;
        source->districts = r.strings();
        if (fresh || !_state) {
            _settings = settings;
            _sources.clear();
            _ordered.clear();
            _state = std::make_unique<PluginState>(_settings, logSink(), 0);
        }
        starting(0, 0);
        LoadResult loaded = _state->load(source->code, source->file, *source->config);
        finished();
        if (loaded.ok()) {
            source->manifest = loaded.manifest;
            _sources[source->manifest.name] = source;
        }
        if (_state->exhausted()) rebuild();
        wire::Writer w;
        w.u8(0);
        wire::write(w, loaded.call);
        wire::write(w, loaded.manifest);
        protocol::writeLines(w, loaded.lines);
        protocol::writeLines(w, loaded.linesRun);
        send(FrameType::Loaded, w);
    }

    void call(wire::Reader& r) {
        protocol::CallRequest request;
        protocol::read(r, request);
        request.environment.data = &_data;
        std::optional<PluginState::PreparedRecord> record;
        const Subject& subject = request.subject.subject;
        std::uint32_t position = 0;
        for (const auto& name : request.plugins) {
            starting(0, position++);
            HookResult result;
            const auto source = _sources.find(name);
            if (!_state || source == _sources.end()) {
                result.call.outcome = Outcome::Error;
                result.call.message = "not loaded in the sandbox process";
            } else {
                if (_state->exhausted()) {
                    record.reset();
                    rebuild();
                }
                if (!record)
                    record.emplace(*_state, subject.type,
                                   [&subject](lua_State* lua) { convert::pushSubject(lua, subject); });
                result = _state->call(*source->second, request.kind, *record, request.environment);
            }
            finished();
            wire::Writer w;
            protocol::write(w, result);
            send(FrameType::Result, w);
            if (result.refusal && request.stopAtRefusal) break;
        }
        record.reset();
        const protocol::Done done = doneNow();
        wire::Writer w;
        protocol::write(w, done);
        send(FrameType::Done, w);
        if (done.exhausted) rebuild();
    }

    protocol::Done doneNow() const {
        protocol::Done done;
        done.exhausted = _state && _state->exhausted();
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        done.cpuMilliseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000LL +
                               (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
        return done;
    }

    /// An audit batch: each record's checks by the plugins at the given positions of the loaded set.
    /// Results go back at record boundaries (BatchProgress: how many records are done, and the results
    /// that are not plain ok-and-nothing), the last one with Done.
    void batch(wire::Reader& r) {
        CallEnvironment environment;
        environment.today = r.str();
        protocol::BatchPreload preload;
        protocol::read(r, preload);
        BatchData data(preload, _data);
        environment.data = &data;
        const std::uint32_t counted = r.u32();
        if (counted != _ordered.size()) throw wire::WireError("failure budgets for another plugin set");
        std::vector<std::int64_t> failuresLeft(counted);
        for (auto& left : failuresLeft) left = r.i64(); // -1: no limit; 0: skipped for the rest of the run
        const std::uint32_t first = r.u32(); // index of the first record in the server's batch
        const std::uint32_t records = r.u32();
        if (records > r.left()) throw wire::WireError("record list longer than its frame");
        wire::Writer pending;
        std::uint32_t entries = 0, sinceFlush = 0;
        const auto flush = [&](std::uint32_t completed, bool last) {
            wire::Writer w;
            w.u32(completed);
            w.u32(entries);
            w.bytes() += pending.bytes();
            w.boolean(last);
            if (last) protocol::write(w, doneNow());
            send(FrameType::BatchProgress, w);
            pending.clear();
            entries = 0;
            sinceFlush = 0;
        };
        protocol::OwnedSubject owned;
        for (std::uint32_t i = 0; i < records; ++i) {
            protocol::read(r, owned);
            environment.district = owned.subject.district;
            environment.asOfDate = r.str();
            const std::uint32_t plugins = r.u32();
            if (plugins > r.left()) throw wire::WireError("plugin list longer than its frame");
            const Subject& subject = owned.subject;
            std::optional<PluginState::PreparedRecord> prepared;
            for (std::uint32_t position = 0; position < plugins; ++position) {
                const std::uint32_t index = r.u32();
                if (index >= _ordered.size()) throw wire::WireError("no such plugin");
                if (failuresLeft[index] == 0) continue; // failed often enough in this run: skipped, as the server does
                starting(first + i, position);
                if (_state->exhausted()) {
                    prepared.reset();
                    rebuild();
                    starting(first + i, position);
                }
                if (!prepared)
                    prepared.emplace(*_state, subject.type,
                                     [&subject](lua_State* lua) { convert::pushSubject(lua, subject); });
                HookResult result = _state->call(*_ordered[index], HookKind::Checks, *prepared, environment);
                finished();
                if (!result.call.ok() && failuresLeft[index] > 0) --failuresLeft[index];
                if (result.call.ok() && result.findings.empty() && result.droppedFindings == 0) continue;
                pending.u32(first + i);
                pending.u32(position);
                protocol::write(pending, result);
                ++entries;
            }
            ++sinceFlush;
            if (i + 1 < records && (pending.bytes().size() >= kFlushBytes || sinceFlush >= kFlushRecords))
                flush(first + i + 1, false);
        }
        flush(first + records, true);
        if (_state && _state->exhausted()) rebuild();
    }

    int _fd;
    protocol::Progress& _progress;
    RemoteData _data;
    HostSettings _settings;
    std::uint64_t _generation = 0;
    std::map<std::string, std::shared_ptr<PluginSource>> _sources;
    std::vector<std::shared_ptr<PluginSource>> _ordered; // the loaded set in its order (batch positions)
    std::unique_ptr<PluginState> _state;
};

} // namespace

int workerMain(int fd, std::size_t memoryBytes, int progressFd) {
    // The progress page, mapped before the filter allows no new mappings of files; then nothing but the
    // socket, stdin/stdout (/dev/null) and stderr stays open.
    void* page = mmap(nullptr, sizeof(protocol::Progress), PROT_READ | PROT_WRITE, MAP_SHARED, progressFd, 0);
    if (page == MAP_FAILED) return 3;
    auto* progress = static_cast<protocol::Progress*>(page);
    ::syscall(SYS_close_range, 3U + 1U, ~0U, 0U);
    const protocol::Confinement confinement = confineWorker(memoryBytes);
    wire::Writer hello;
    protocol::write(hello, confinement);
    if (!channel::writeFrameBlocking(fd, FrameType::Hello, hello.bytes())) return 0;
    const int code = Worker(fd, *progress).run();
    _exit(code); // no destructors, no atexit: nothing more to tidy in a process that ends here
}

} // namespace registry::plugins
