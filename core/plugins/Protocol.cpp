#include "plugins/Protocol.h"

namespace registry::plugins::protocol {

void write(wire::Writer& w, const Confinement& c) {
    w.i64(c.pid);
    w.boolean(c.seccomp);
    w.str(c.seccompError);
    w.i64(c.addressSpaceBytes);
    w.i64(c.cpuSeconds);
}

void read(wire::Reader& r, Confinement& c) {
    c.pid = r.i64();
    c.seccomp = r.boolean();
    c.seccompError = r.str();
    c.addressSpaceBytes = r.i64();
    c.cpuSeconds = r.i64();
}

void writeSettings(wire::Writer& w, const HostSettings& s) {
    w.i64(static_cast<std::int64_t>(s.limits.memoryBytes));
    w.i64(static_cast<std::int64_t>(s.limits.instructionsPerCall));
    w.i64(s.limits.wallTimePerCall.count());
    w.i64(static_cast<std::int64_t>(s.maxFindingsPerCall));
    w.i64(static_cast<std::int64_t>(s.maxLogLinesPerCall));
    w.boolean(s.coverage);
}

void readSettings(wire::Reader& r, HostSettings& s) {
    const auto positive = [&](const char* what) {
        const std::int64_t v = r.i64();
        if (v <= 0) throw wire::WireError(std::string(what) + " must be positive");
        return v;
    };
    s.limits.memoryBytes = static_cast<std::size_t>(positive("memory limit"));
    s.limits.instructionsPerCall = static_cast<std::uint64_t>(positive("instruction limit"));
    s.limits.wallTimePerCall = std::chrono::milliseconds(positive("time limit"));
    s.maxFindingsPerCall = static_cast<std::size_t>(positive("findings per call"));
    s.maxLogLinesPerCall = static_cast<std::size_t>(positive("log lines per call"));
    s.coverage = r.boolean();
}

void writeLines(wire::Writer& w, const std::vector<int>& lines) {
    w.u32(static_cast<std::uint32_t>(lines.size()));
    for (int line : lines) w.u32(static_cast<std::uint32_t>(line));
}

std::vector<int> readLines(wire::Reader& r) {
    const std::uint32_t n = r.u32();
    if (n > r.left() / 4) throw wire::WireError("line list longer than its frame");
    std::vector<int> lines(n);
    for (auto& line : lines) {
        const std::uint32_t v = r.u32();
        if (v > (1u << 24)) throw wire::WireError("line number out of range");
        line = static_cast<int>(v);
    }
    return lines;
}

void write(wire::Writer& w, const Subject& s) {
    w.enumeration(s.type);
    w.str(s.district);
    if (s.view) {
        w.u8(0);
        w.json(*s.view);
        return;
    }
    w.u8(1);
    switch (s.type) {
    case domain::SubjectType::Price:
        wire::write(w, *s.price);
        wire::write(w, *s.facility);
        break;
    case domain::SubjectType::Facility:
        wire::write(w, *s.facility);
        break;
    case domain::SubjectType::BurialSite:
        wire::write(w, *s.site);
        break;
    }
}

void read(wire::Reader& r, OwnedSubject& out) {
    out.subject = Subject{};
    out.subject.type = r.enumeration<domain::SubjectType>();
    out.subject.district = r.str();
    const std::uint8_t form = r.u8();
    if (form == 0) {
        out.view = r.json();
        if (!out.view) throw wire::WireError("a subject view must be an object");
        out.subject.view = out.view.get();
        return;
    }
    if (form != 1) throw wire::WireError("unknown subject form");
    switch (out.subject.type) {
    case domain::SubjectType::Price:
        wire::read(r, out.price);
        wire::read(r, out.facility);
        out.subject.price = &out.price;
        out.subject.facility = &out.facility;
        break;
    case domain::SubjectType::Facility:
        wire::read(r, out.facility);
        out.subject.facility = &out.facility;
        break;
    case domain::SubjectType::BurialSite:
        wire::read(r, out.site);
        out.subject.site = &out.site;
        break;
    }
}

void writeCall(wire::Writer& w, HookKind kind, const Subject& subject, const CallEnvironment& environment,
               bool stopAtRefusal, const std::vector<const PluginSource*>& plugins) {
    w.enumeration(kind);
    write(w, subject);
    w.str(environment.today);
    w.str(environment.district);
    w.str(environment.asOfDate);
    w.boolean(stopAtRefusal);
    w.u32(static_cast<std::uint32_t>(plugins.size()));
    for (const auto* plugin : plugins) w.str(plugin->manifest.name);
}

void read(wire::Reader& r, CallRequest& call) {
    const std::uint8_t kind = r.u8();
    if (kind > static_cast<std::uint8_t>(HookKind::Validate)) throw wire::WireError("unknown hook kind");
    call.kind = static_cast<HookKind>(kind);
    read(r, call.subject);
    call.environment.today = r.str();
    call.environment.district = r.str();
    call.environment.asOfDate = r.str();
    call.stopAtRefusal = r.boolean();
    call.plugins = r.strings();
}

void write(wire::Writer& w, const HookResult& result) {
    wire::write(w, result.call);
    w.u32(static_cast<std::uint32_t>(result.findings.size()));
    for (const auto& finding : result.findings) wire::write(w, finding);
    w.optStr(result.refusal);
    w.i64(static_cast<std::int64_t>(result.droppedFindings));
    writeLines(w, result.linesRun);
}

void read(wire::Reader& r, HookResult& result) {
    wire::read(r, result.call);
    const std::uint32_t n = r.u32();
    if (n > r.left()) throw wire::WireError("finding list longer than its frame");
    result.findings.resize(n);
    for (auto& finding : result.findings) wire::read(r, finding);
    result.refusal = r.optStr();
    const std::int64_t dropped = r.i64();
    if (dropped < 0) throw wire::WireError("negative count");
    result.droppedFindings = static_cast<std::size_t>(dropped);
    result.linesRun = readLines(r);
}

void write(wire::Writer& w, const Done& done) {
    w.boolean(done.exhausted);
    w.i64(done.cpuMilliseconds);
}

void read(wire::Reader& r, Done& done) {
    done.exhausted = r.boolean();
    done.cpuMilliseconds = r.i64();
}

void write(wire::Writer& w, const BatchPreload& preload) {
    w.u32(static_cast<std::uint32_t>(preload.caps.size()));
    for (const auto& [item, caps] : preload.caps) {
        w.str(item);
        w.u32(static_cast<std::uint32_t>(caps.size()));
        for (const auto& cap : caps) wire::write(w, cap);
    }
    w.u32(static_cast<std::uint32_t>(preload.previous.size()));
    for (const auto& [id, previous] : preload.previous) {
        w.i64(id);
        w.boolean(previous.has_value());
        if (previous) {
            wire::write(w, previous->first);
            wire::write(w, previous->second);
        }
    }
}

void read(wire::Reader& r, BatchPreload& preload) {
    preload = BatchPreload{};
    const std::uint32_t items = r.u32();
    if (items > r.left()) throw wire::WireError("cap list longer than its frame");
    for (std::uint32_t i = 0; i < items; ++i) {
        std::string item = r.str();
        const std::uint32_t n = r.u32();
        if (n > r.left()) throw wire::WireError("cap list longer than its frame");
        auto& caps = preload.caps[item];
        caps.resize(n);
        for (auto& cap : caps) wire::read(r, cap);
    }
    const std::uint32_t previous = r.u32();
    if (previous > r.left()) throw wire::WireError("record list longer than its frame");
    for (std::uint32_t i = 0; i < previous; ++i) {
        const std::int64_t id = r.i64();
        auto& entry = preload.previous[id];
        if (r.boolean()) {
            entry.emplace();
            wire::read(r, entry->first);
            wire::read(r, entry->second);
        }
    }
}

} // namespace registry::plugins::protocol
