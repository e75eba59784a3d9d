#pragma once
// The bytes between the server and its plugin sandbox processes (SandboxProcess, Worker): frames of a
// 4-byte length and a type, whose payload is written with Writer and read with Reader. Records go as
// their fields, JSON (views, details, config) as a tagged tree; nothing is text that needs parsing.
//
// The server treats every byte from a worker as hostile: a Reader never reads past its payload, refuses
// an enum value outside its range, a tree deeper than kMaxDepth or a string longer than what is left, and
// throws WireError for all of them (the server then ends that worker).

#include "domain/BurialSite.h"
#include "domain/Enums.h"
#include "domain/Facility.h"
#include "domain/Price.h"
#include "plugins/Outcome.h"
#include "plugins/Plugin.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace registry::plugins::wire {

/// A frame that breaks the format: truncated, an unknown tag, a value out of range.
class WireError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The largest frame either side accepts (a plugin set of many files, a batch of records).
constexpr std::uint32_t kMaxFrameBytes = 256u << 20;
/// Nesting of a JSON tree on the wire; Lua tables deeper than this never reach the wire (the converter
/// stops at a lower depth).
constexpr int kMaxDepth = 64;

enum class FrameType : std::uint8_t {
    // server → worker
    LoadSet = 1,   // the plugins of one registry generation, replacing whatever the worker had
    LoadFile = 2,  // one file to run and read the manifest of (plugin check, plugin test, a reload)
    Call = 3,      // hooks of named plugins on one subject
    DataReply = 4, // the answer to a DataRequest
    Batch = 5,     // the checks of every applicable plugin on many records (an audit)
    // worker → server
    Hello = 20,       // sent once at start: how the worker is confined
    Loaded = 21,      // reply to LoadSet / LoadFile
    Result = 22,      // one plugin's hook on the current subject
    Done = 23,        // the current Call or Batch record is over
    Log = 24,         // a ctx.log / print line
    DataRequest = 25, // ctx.* asks the server for a record
    BatchProgress = 26, // results of a Batch so far, at a record boundary (the last one ends it)
};

class Writer {
public:
    void u8(std::uint8_t v) { _bytes.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v);
    void i64(std::int64_t v);
    void f64(double v);
    void boolean(bool v) { u8(v ? 1 : 0); }
    void str(std::string_view v);
    void strings(const std::vector<std::string>& v);
    void optStr(const std::optional<std::string>& v);
    void optI64(const std::optional<std::int64_t>& v);
    void optF64(const std::optional<double>& v);
    template <class E> void enumeration(E v) { u8(static_cast<std::uint8_t>(v)); }
    template <class E> void optEnum(const std::optional<E>& v) {
        boolean(v.has_value());
        if (v) enumeration(*v);
    }
    /// Null for a null pointer.
    void json(const Poco::JSON::Object::Ptr& object);
    void json(const Poco::JSON::Object& value) { object(value, 0); }
    void var(const Poco::Dynamic::Var& value, int depth = 0);

    const std::string& bytes() const { return _bytes; }
    std::string& bytes() { return _bytes; }
    void clear() { _bytes.clear(); }

private:
    void object(const Poco::JSON::Object& object, int depth);
    std::string _bytes;
};

class Reader {
public:
    explicit Reader(std::string_view bytes) : _bytes(bytes) {}
    std::uint8_t u8();
    std::uint32_t u32();
    std::int64_t i64();
    double f64();
    bool boolean();
    std::string str();
    std::vector<std::string> strings();
    std::optional<std::string> optStr();
    std::optional<std::int64_t> optI64();
    std::optional<double> optF64();
    template <class E> E enumeration() {
        const std::uint8_t v = u8();
        if (v >= domain::EnumTraits<E>::entries.size()) throw WireError("enum value out of range");
        return static_cast<E>(v);
    }
    template <class E> std::optional<E> optEnum() {
        if (!boolean()) return std::nullopt;
        return enumeration<E>();
    }
    /// A JSON object (key order kept), or null.
    Poco::JSON::Object::Ptr json();
    Poco::Dynamic::Var var(int depth = 0);

    bool atEnd() const { return _at == _bytes.size(); }
    std::size_t left() const { return _bytes.size() - _at; }

private:
    Poco::JSON::Object::Ptr object(int depth);
    void need(std::size_t n) const;
    std::string_view _bytes;
    std::size_t _at = 0;
};

// Records and what a call returns, field by field.
void write(Writer& w, const domain::PriceRecord& price);
void read(Reader& r, domain::PriceRecord& price);
void write(Writer& w, const domain::Facility& facility);
void read(Reader& r, domain::Facility& facility);
void write(Writer& w, const domain::BurialSite& site);
void read(Reader& r, domain::BurialSite& site);
void write(Writer& w, const domain::ReferencePrice& reference);
void read(Reader& r, domain::ReferencePrice& reference);
void write(Writer& w, const CallResult& call);
void read(Reader& r, CallResult& call);
void write(Writer& w, const Finding& finding);
void read(Reader& r, Finding& finding);
void write(Writer& w, const Manifest& manifest);
void read(Reader& r, Manifest& manifest);
/// What a worker needs of a plugin to load and call it (file, code, manifest, districts, config).
void write(Writer& w, const PluginSource& source);
void read(Reader& r, PluginSource& source);

} // namespace registry::plugins::wire
