#include "plugins/Wire.h"

#include <Poco/JSON/Array.h>

#include <cstring>

namespace registry::plugins::wire {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {
enum Tag : std::uint8_t { Null = 0, False = 1, True = 2, Integer = 3, Double = 4, String = 5, List = 6, Map = 7 };
}

// --- Writer ------------------------------------------------------------------------------------------------

void Writer::u32(std::uint32_t v) {
    char b[4];
    std::memcpy(b, &v, 4);
    _bytes.append(b, 4);
}

void Writer::i64(std::int64_t v) {
    char b[8];
    std::memcpy(b, &v, 8);
    _bytes.append(b, 8);
}

void Writer::f64(double v) {
    char b[8];
    std::memcpy(b, &v, 8);
    _bytes.append(b, 8);
}

void Writer::str(std::string_view v) {
    u32(static_cast<std::uint32_t>(v.size()));
    _bytes.append(v.data(), v.size());
}

void Writer::strings(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
}

void Writer::optStr(const std::optional<std::string>& v) {
    boolean(v.has_value());
    if (v) str(*v);
}

void Writer::optI64(const std::optional<std::int64_t>& v) {
    boolean(v.has_value());
    if (v) i64(*v);
}

void Writer::optF64(const std::optional<double>& v) {
    boolean(v.has_value());
    if (v) f64(*v);
}

void Writer::json(const Object::Ptr& value) {
    if (!value) {
        u8(Null);
        return;
    }
    object(*value, 0);
}

void Writer::object(const Object& value, int depth) {
    if (depth > kMaxDepth) throw WireError("JSON nested deeper than " + std::to_string(kMaxDepth));
    u8(Map);
    u32(static_cast<std::uint32_t>(value.size()));
    // Object::begin() iterates the key map; with JSON_PRESERVE_KEY_ORDER the order lives in getNames().
    for (const auto& key : value.getNames()) {
        str(key);
        var(value.get(key), depth + 1);
    }
}

void Writer::var(const Var& value, int depth) {
    if (depth > kMaxDepth) throw WireError("JSON nested deeper than " + std::to_string(kMaxDepth));
    if (value.isEmpty()) {
        u8(Null);
    } else if (value.type() == typeid(Object::Ptr)) {
        const Object::Ptr o = value.extract<Object::Ptr>();
        if (o)
            object(*o, depth);
        else
            u8(Null);
    } else if (value.type() == typeid(Array::Ptr)) {
        const Array::Ptr a = value.extract<Array::Ptr>();
        if (!a) {
            u8(Null);
            return;
        }
        u8(List);
        u32(static_cast<std::uint32_t>(a->size()));
        for (std::size_t i = 0; i < a->size(); ++i) var(a->get(static_cast<unsigned>(i)), depth + 1);
    } else if (value.isBoolean()) {
        u8(value.extract<bool>() ? True : False);
    } else if (value.isInteger()) {
        u8(Integer);
        i64(value.convert<Poco::Int64>());
    } else if (value.isNumeric()) {
        u8(Double);
        f64(value.convert<double>());
    } else {
        u8(String);
        str(value.convert<std::string>());
    }
}

// --- Reader ------------------------------------------------------------------------------------------------

void Reader::need(std::size_t n) const {
    if (n > _bytes.size() - _at) throw WireError("frame ends too early");
}

std::uint8_t Reader::u8() {
    need(1);
    return static_cast<std::uint8_t>(_bytes[_at++]);
}

std::uint32_t Reader::u32() {
    need(4);
    std::uint32_t v;
    std::memcpy(&v, _bytes.data() + _at, 4);
    _at += 4;
    return v;
}

std::int64_t Reader::i64() {
    need(8);
    std::int64_t v;
    std::memcpy(&v, _bytes.data() + _at, 8);
    _at += 8;
    return v;
}

double Reader::f64() {
    need(8);
    double v;
    std::memcpy(&v, _bytes.data() + _at, 8);
    _at += 8;
    return v;
}

bool Reader::boolean() {
    const std::uint8_t v = u8();
    if (v > 1) throw WireError("boolean out of range");
    return v == 1;
}

std::string Reader::str() {
    const std::uint32_t n = u32();
    need(n);
    std::string v(_bytes.data() + _at, n);
    _at += n;
    return v;
}

std::vector<std::string> Reader::strings() {
    const std::uint32_t n = u32();
    if (n > left() / 4) throw WireError("list longer than its frame");
    std::vector<std::string> v;
    v.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) v.push_back(str());
    return v;
}

std::optional<std::string> Reader::optStr() {
    if (!boolean()) return std::nullopt;
    return str();
}

std::optional<std::int64_t> Reader::optI64() {
    if (!boolean()) return std::nullopt;
    return i64();
}

std::optional<double> Reader::optF64() {
    if (!boolean()) return std::nullopt;
    return f64();
}

Object::Ptr Reader::json() {
    need(1);
    if (static_cast<std::uint8_t>(_bytes[_at]) == Null) {
        ++_at;
        return nullptr;
    }
    if (static_cast<std::uint8_t>(_bytes[_at]) != Map) throw WireError("expected a JSON object");
    ++_at;
    return object(0);
}

Object::Ptr Reader::object(int depth) {
    const std::uint32_t n = u32();
    if (n > left() / 5) throw WireError("object longer than its frame");
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::string key = str();
        o->set(key, var(depth + 1));
    }
    return o;
}

Var Reader::var(int depth) {
    if (depth > kMaxDepth) throw WireError("JSON nested deeper than " + std::to_string(kMaxDepth));
    switch (u8()) {
    case Null:
        return Var();
    case False:
        return Var(false);
    case True:
        return Var(true);
    case Integer:
        return Var(static_cast<Poco::Int64>(i64()));
    case Double:
        return Var(f64());
    case String:
        return Var(str());
    case List: {
        const std::uint32_t n = u32();
        if (n > left()) throw WireError("array longer than its frame");
        Array::Ptr a = new Array;
        for (std::uint32_t i = 0; i < n; ++i) a->add(var(depth + 1));
        return a;
    }
    case Map:
        return object(depth);
    default:
        throw WireError("unknown JSON tag");
    }
}

// --- records -----------------------------------------------------------------------------------------------

void write(Writer& w, const domain::PriceRecord& p) {
    w.i64(p.id);
    w.i64(p.facilityId);
    w.str(p.item);
    w.i64(p.amountFen);
    w.str(p.unit);
    w.str(p.effectiveFrom);
    w.optStr(p.effectiveTo);
    w.boolean(p.displayed);
    w.boolean(p.bundled);
    w.optF64(p.areaM2);
    w.optI64(p.termYears);
    w.enumeration(p.source);
    w.str(p.note);
    w.optI64(p.supersededBy);
    w.str(p.recordedBy);
    w.str(p.createdAt);
    w.i64(p.version);
}

void read(Reader& r, domain::PriceRecord& p) {
    p.id = r.i64();
    p.facilityId = r.i64();
    p.item = r.str();
    p.amountFen = r.i64();
    p.unit = r.str();
    p.effectiveFrom = r.str();
    p.effectiveTo = r.optStr();
    p.displayed = r.boolean();
    p.bundled = r.boolean();
    p.areaM2 = r.optF64();
    p.termYears = r.optI64();
    p.source = r.enumeration<domain::PriceSource>();
    p.note = r.str();
    p.supersededBy = r.optI64();
    p.recordedBy = r.str();
    p.createdAt = r.str();
    p.version = r.i64();
}

void write(Writer& w, const domain::Facility& f) {
    w.i64(f.id);
    w.str(f.code);
    w.str(f.name);
    w.enumeration(f.kind);
    w.str(f.district);
    w.str(f.address);
    w.str(f.operatorName);
    w.str(f.approvalNo);
    w.enumeration(f.status);
    w.optEnum(f.planAction);
    w.optEnum(f.planPhase);
    w.optI64(f.capacityTotal);
    w.optI64(f.capacityUsed);
    w.optF64(f.areaM2);
    w.optF64(f.lat);
    w.optF64(f.lon);
    w.str(f.notes);
    w.i64(f.version);
    w.str(f.createdAt);
    w.str(f.updatedAt);
}

void read(Reader& r, domain::Facility& f) {
    f.id = r.i64();
    f.code = r.str();
    f.name = r.str();
    f.kind = r.enumeration<domain::FacilityKind>();
    f.district = r.str();
    f.address = r.str();
    f.operatorName = r.str();
    f.approvalNo = r.str();
    f.status = r.enumeration<domain::FacilityStatus>();
    f.planAction = r.optEnum<domain::PlanAction>();
    f.planPhase = r.optEnum<domain::PlanPhase>();
    f.capacityTotal = r.optI64();
    f.capacityUsed = r.optI64();
    f.areaM2 = r.optF64();
    f.lat = r.optF64();
    f.lon = r.optF64();
    f.notes = r.str();
    f.version = r.i64();
    f.createdAt = r.str();
    f.updatedAt = r.str();
}

void write(Writer& w, const domain::BurialSite& s) {
    w.i64(s.id);
    w.str(s.code);
    w.enumeration(s.kind);
    w.str(s.district);
    w.str(s.township);
    w.str(s.village);
    w.str(s.location);
    w.optF64(s.lat);
    w.optF64(s.lon);
    w.i64(s.graveCount);
    w.i64(s.gravesHandled);
    w.u32(static_cast<std::uint32_t>(s.zones.size()));
    for (const auto zone : s.zones) w.enumeration(zone);
    w.boolean(s.protectedRelic);
    w.optEnum(s.measure);
    w.enumeration(s.status);
    w.str(s.targetDate);
    w.str(s.responsibleUnit);
    w.i64(s.version);
    w.str(s.createdAt);
    w.str(s.updatedAt);
}

void read(Reader& r, domain::BurialSite& s) {
    s.id = r.i64();
    s.code = r.str();
    s.kind = r.enumeration<domain::BurialSiteKind>();
    s.district = r.str();
    s.township = r.str();
    s.village = r.str();
    s.location = r.str();
    s.lat = r.optF64();
    s.lon = r.optF64();
    s.graveCount = r.i64();
    s.gravesHandled = r.i64();
    const std::uint32_t zones = r.u32();
    if (zones > r.left()) throw WireError("zone list longer than its frame");
    s.zones.clear();
    for (std::uint32_t i = 0; i < zones; ++i) s.zones.push_back(r.enumeration<domain::Zone>());
    s.protectedRelic = r.boolean();
    s.measure = r.optEnum<domain::Measure>();
    s.status = r.enumeration<domain::BurialSiteStatus>();
    s.targetDate = r.str();
    s.responsibleUnit = r.str();
    s.version = r.i64();
    s.createdAt = r.str();
    s.updatedAt = r.str();
}

void write(Writer& w, const domain::ReferencePrice& p) {
    w.i64(p.id);
    w.str(p.item);
    w.optStr(p.district);
    w.i64(p.capFen);
    w.str(p.effectiveFrom);
    w.optStr(p.effectiveTo);
    w.str(p.basis);
    w.i64(p.version);
    w.str(p.createdAt);
    w.str(p.updatedAt);
}

void read(Reader& r, domain::ReferencePrice& p) {
    p.id = r.i64();
    p.item = r.str();
    p.district = r.optStr();
    p.capFen = r.i64();
    p.effectiveFrom = r.str();
    p.effectiveTo = r.optStr();
    p.basis = r.str();
    p.version = r.i64();
    p.createdAt = r.str();
    p.updatedAt = r.str();
}

void write(Writer& w, const CallResult& call) {
    w.enumeration(call.outcome);
    w.str(call.message);
    w.str(call.traceback);
}

void read(Reader& r, CallResult& call) {
    const std::uint8_t outcome = r.u8();
    if (outcome > static_cast<std::uint8_t>(Outcome::OutOfMemory)) throw WireError("outcome out of range");
    call.outcome = static_cast<Outcome>(outcome);
    call.message = r.str();
    call.traceback = r.str();
}

void write(Writer& w, const Finding& f) {
    w.str(f.plugin);
    w.str(f.pluginVersion);
    w.str(f.hook);
    w.str(f.rule);
    w.enumeration(f.severity);
    w.str(f.message);
    w.json(f.details);
}

void read(Reader& r, Finding& f) {
    f.plugin = r.str();
    f.pluginVersion = r.str();
    f.hook = r.str();
    f.rule = r.str();
    f.severity = r.enumeration<domain::Severity>();
    f.message = r.str();
    f.details = r.json();
    if (!f.details) f.details = new Object;
}

void write(Writer& w, const Manifest& m) {
    w.str(m.name);
    w.str(m.version);
    w.str(m.description);
    w.strings(m.districts);
    w.strings(m.hooks);
    w.json(m.defaults);
}

void read(Reader& r, Manifest& m) {
    m.name = r.str();
    m.version = r.str();
    m.description = r.str();
    m.districts = r.strings();
    m.hooks = r.strings();
    m.defaults = r.json();
    if (!m.defaults) m.defaults = new Object;
}

void write(Writer& w, const PluginSource& s) {
    w.str(s.file);
    w.str(s.code);
    write(w, s.manifest);
    w.strings(s.districts);
    w.json(s.config);
}

void read(Reader& r, PluginSource& s) {
    s.file = r.str();
    s.code = r.str();
    read(r, s.manifest);
    s.districts = r.strings();
    s.config = r.json();
    if (!s.config) s.config = new Object;
}

} // namespace registry::plugins::wire
