#include "plugins/PluginState.h"

#include <algorithm>

#include "domain/LogText.h"
#include "plugins/LuaConvert.h"
#include "plugins/Sandbox.h"

#include <Poco/Logger.h>

#include <set>
#include <stdexcept>

namespace registry::plugins {

using Poco::JSON::Object;

namespace {

/// Coverage: the lines holding code of the Lua functions of `source` reachable from the value at `index`
/// (the function itself, a table's values, a function's upvalues), each function and table visited once.
/// Functions a hook creates while it runs are not reachable here; their lines count once they run.
void codeLines(lua_State* lua, int index, const std::string& source, std::set<int>& lines,
               std::set<const void*>& seen, int depth) {
    const int type = lua_type(lua, index);
    if ((type != LUA_TFUNCTION && type != LUA_TTABLE) || depth > 50) return;
    if (!seen.insert(lua_topointer(lua, index)).second) return;
    index = lua_absindex(lua, index);
    luaL_checkstack(lua, 4, "coverage");
    if (type == LUA_TTABLE) {
        lua_pushnil(lua);
        while (lua_next(lua, index)) {
            codeLines(lua, -1, source, lines, seen, depth + 1);
            lua_pop(lua, 1);
        }
        return;
    }
    lua_Debug ar;
    lua_pushvalue(lua, index);
    lua_getinfo(lua, ">SL", &ar); // pops the function, pushes its lines (nil for a C function)
    if (lua_istable(lua, -1) && ar.source && source == ar.source) {
        lua_pushnil(lua);
        while (lua_next(lua, -2)) {
            lines.insert(static_cast<int>(lua_tointeger(lua, -2)));
            lua_pop(lua, 1);
        }
    }
    lua_pop(lua, 1);
    for (int i = 1; lua_getupvalue(lua, index, i); ++i) {
        codeLines(lua, -1, source, lines, seen, depth + 1);
        lua_pop(lua, 1);
    }
}

void codeLines(lua_State* lua, int index, const std::string& source, std::set<int>& lines) {
    std::set<const void*> seen;
    codeLines(lua, index, source, lines, seen, 0);
}

constexpr std::size_t kMaxMessageBytes = 4000;
// What one finding's details and all the findings of one call may hold, counted before anything is
// copied to the host: a plugin's 8 MiB string under 120 keys would otherwise be 1 GB of host memory.
constexpr std::size_t kMaxDetailsBytes = 64 * 1024;
constexpr std::size_t kMaxFindingBytesPerCall = 1024 * 1024;
const std::string kPriceName = "price";
const std::string kFacilityName = "facility";
const std::string kBurialSiteName = "burial_site";
constexpr std::size_t kMaxLogLineBytes = 1000;
constexpr std::size_t kMaxRuleBytes = 100;

/// Runs `body`, turning a C++ exception into a Lua error: one must never cross Lua's frames.
template <class Body> int guarded(lua_State* lua, const char* function, Body&& body) {
    std::string failure;
    try {
        return body();
    } catch (const std::exception& e) { // Lua's own error object is no std::exception: it passes through
        failure = e.what();
    }
    return luaL_error(lua, "ctx.%s: %s", function, failure.c_str());
}

/// `return pushNil(lua)`: a lookup that finds nothing returns nil, not nothing, so tostring(ctx.facility(9))
/// works.
int pushNil(lua_State* lua) {
    lua_pushnil(lua);
    return 1;
}

bool isRuleCode(const std::string& rule) {
    if (rule.empty() || rule.size() > kMaxRuleBytes) return false;
    for (char c : rule) {
        const bool allowed =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!allowed) return false;
    }
    return true;
}

/// A non-empty text field of at most `maxBytes`, measured before it is copied.
std::string requiredField(lua_State* lua, int t, const char* key, const char* hint, std::size_t maxBytes) {
    if (lua_getfield(lua, t, key) != LUA_TSTRING || lua_rawlen(lua, -1) == 0)
        luaL_error(lua, "ctx.finding: '%s' must be %s", key, hint);
    if (lua_rawlen(lua, -1) > maxBytes)
        luaL_error(lua, "ctx.finding: %s longer than %d bytes", key, static_cast<int>(maxBytes));
    std::size_t size = 0;
    const char* text = lua_tolstring(lua, -1, &size);
    std::string value(text, size);
    lua_pop(lua, 1);
    return value;
}

} // namespace

LogSink serverLogSink() {
    return [](const std::string& plugin, const std::string& message) {
        Poco::Logger::get("registry.plugins").information("[%s] %s", domain::logSafe(plugin), domain::logSafe(message));
    };
}

class PluginState::FrameScope {
public:
    FrameScope(PluginState& state, Frame& frame) : _state(state), _previous(state._frame) {
        state._frame = &frame;
    }
    ~FrameScope() { _state._frame = _previous; }
    FrameScope(const FrameScope&) = delete;
    FrameScope& operator=(const FrameScope&) = delete;

private:
    PluginState& _state;
    Frame* _previous;
};

PluginState::PluginState(const HostSettings& settings, LogSink log, std::uint64_t generation)
    : _lua(settings.limits), _coverage(settings.coverage), _maxFindings(settings.maxFindingsPerCall),
      _maxLogLines(settings.maxLogLinesPerCall), _log(std::move(log)), _generation(generation) {
    const CallResult installed = _lua.run([](lua_State* lua) { sandbox::install(lua); });
    if (!installed.ok()) throw std::runtime_error("cannot set up the plugin sandbox: " + installed.message);
}

PluginState& PluginState::self(lua_State* lua) {
    return *static_cast<PluginState*>(lua_touserdata(lua, lua_upvalueindex(1)));
}

PluginState::Frame& PluginState::frame(lua_State* lua, const char* function) {
    if (!_frame || !_frame->environment)
        luaL_error(lua, "ctx.%s can only be called while a hook runs", function);
    return *_frame;
}

LoadResult PluginState::load(const std::string& code, const std::string& file, const Object& config) {
    LoadResult result;
    Frame frame;
    frame.who = &file;
    FrameScope scope(*this, frame);
    std::set<int> lines;
    if (_coverage) _lua.recordLines(file);
    result.call = _lua.run([&](lua_State* lua) {
        LuaState::loadText(lua, code, file);
        if (_coverage) codeLines(lua, -1, "@" + file, lines);
        lua_pushlightuserdata(lua, this);
        lua_pushcclosure(lua, &PluginState::luaPrint, 1);
        sandbox::pushEnvironment(lua, -1);
        lua_remove(lua, -2);
        lua_setupvalue(lua, -2, 1); // a main chunk's only upvalue is _ENV: the plugin sees its environment
        lua_call(lua, 0, 1);
        if (_coverage) codeLines(lua, -1, "@" + file, lines);
        result.manifest = convert::readManifest(lua, -1);
        Slot slot;
        slot.version = result.manifest.version;
        slot.hooks = luaL_ref(lua, LUA_REGISTRYINDEX);
        pushContext(lua, config);
        slot.ctx = luaL_ref(lua, LUA_REGISTRYINDEX);
        auto old = _slots.find(result.manifest.name);
        if (old != _slots.end()) {
            luaL_unref(lua, LUA_REGISTRYINDEX, old->second.hooks);
            luaL_unref(lua, LUA_REGISTRYINDEX, old->second.ctx);
        }
        _slots[result.manifest.name] = slot;
    });
    if (_coverage) {
        result.linesRun = _lua.takeLinesRun();
        lines.insert(result.linesRun.begin(), result.linesRun.end());
        result.lines.assign(lines.begin(), lines.end());
    }
    return result;
}

void PluginState::load(const PluginSource& source) {
    const LoadResult loaded = load(source.code, source.file, *source.config);
    if (!loaded.ok()) {
        Slot failed;
        failed.error = loaded.call.message;
        _slots[source.manifest.name] = failed;
    } else if (loaded.manifest.name != source.manifest.name) {
        // A file whose manifest depends on chance: not the plugin the registry checked.
        Slot failed;
        failed.error = source.file + ": returned the name '" + loaded.manifest.name + "' this time, '" +
                       source.manifest.name + "' before";
        _slots[source.manifest.name] = failed;
    }
}

void PluginState::pushContext(lua_State* lua, const Object& config) {
    const std::pair<const char*, lua_CFunction> functions[] = {
        {"finding", &PluginState::ctxFinding},
        {"reference_price", &PluginState::ctxReferencePrice},
        {"previous_price", &PluginState::ctxPreviousPrice},
        {"current_prices", &PluginState::ctxCurrentPrices},
        {"facility", &PluginState::ctxFacility},
        {"today", &PluginState::ctxToday},
        {"log", &PluginState::ctxLog},
    };
    lua_createtable(lua, 0, 8);
    for (const auto& [name, function] : functions) {
        lua_pushlightuserdata(lua, this);
        lua_pushcclosure(lua, function, 1);
        lua_setfield(lua, -2, name);
    }
    convert::pushView(lua, config, "ctx.config");
    lua_setfield(lua, -2, "config");
    sandbox::pushReadOnly(lua, -1, "ctx");
    lua_remove(lua, -2);
}

PluginState::PreparedRecord::PreparedRecord(PluginState& state, domain::SubjectType subject,
                                            const Object& view)
    : PreparedRecord(state, subject, [&](lua_State* lua) {
          const std::string& what = subject == domain::SubjectType::BurialSite ? kBurialSiteName
                                    : subject == domain::SubjectType::Price    ? kPriceName
                                                                               : kFacilityName;
          convert::pushView(lua, view, what.c_str());
      }) {}

PluginState::PreparedRecord::PreparedRecord(PluginState& state, domain::SubjectType subject,
                                            const std::function<void(lua_State*)>& push)
    : _state(state), _subject(subject) {
    _converted = state._lua.run([&](lua_State* lua) {
        push(lua);
        _ref = luaL_ref(lua, LUA_REGISTRYINDEX);
    });
}

PluginState::PreparedRecord::~PreparedRecord() {
    // Clearing a registry slot allocates nothing, so it needs no protected call.
    if (_ref != LUA_NOREF) luaL_unref(_state._lua.lua(), LUA_REGISTRYINDEX, _ref);
}

HookResult PluginState::call(const PluginSource& plugin, HookKind kind, domain::SubjectType subject,
                             const Object& view, const CallEnvironment& environment) {
    PreparedRecord record(*this, subject, view);
    return call(plugin, kind, record, environment);
}

HookResult PluginState::call(const PluginSource& plugin, HookKind kind, const PreparedRecord& record,
                             const CallEnvironment& environment) {
    HookResult result;
    const std::string& hook = hookName(kind, record.subject());
    const auto slot = _slots.find(plugin.manifest.name);
    if (slot == _slots.end() || !slot->second.error.empty()) {
        result.call.outcome = Outcome::Error;
        result.call.message = slot == _slots.end() ? "not loaded" : slot->second.error;
        return result;
    }
    if (!plugin.has(hook)) return result;
    if (!record._converted.ok()) {
        result.call = record._converted;
        return result;
    }

    Frame frame;
    frame.who = &plugin.manifest.name;
    frame.version = &plugin.manifest.version;
    frame.hook = &hook;
    frame.environment = &environment;
    frame.districts = &plugin.districts;
    frame.result = &result;
    FrameScope scope(*this, frame);
    const int hooks = slot->second.hooks;
    const int ctx = slot->second.ctx;
    result.call = _lua.run([&](lua_State* lua) {
        lua_rawgeti(lua, LUA_REGISTRYINDEX, hooks);
        if (lua_getfield(lua, -1, hook.c_str()) != LUA_TFUNCTION) return;
        lua_rawgeti(lua, LUA_REGISTRYINDEX, record._ref);
        lua_rawgeti(lua, LUA_REGISTRYINDEX, ctx);
        lua_call(lua, 2, 1);
        if (kind != HookKind::Validate) return;
        const int type = lua_type(lua, -1);
        if (type == LUA_TSTRING) {
            std::string message = lua_tostring(lua, -1);
            result.refusal = message.empty() ? "refused by plugin " + plugin.manifest.name : message;
        } else if (type != LUA_TNIL && !(type == LUA_TBOOLEAN && !lua_toboolean(lua, -1))) {
            luaL_error(lua, "%s returned a %s: return nil to accept, or a message to refuse", hook.c_str(),
                       luaL_typename(lua, -1));
        }
    });
    if (!result.call.ok()) result.refusal.reset(); // a plugin that failed never blocks a write
    if (_coverage) result.linesRun = _lua.takeLinesRun();
    return result;
}

// --- the ctx API and print -------------------------------------------------------------------------------

void PluginState::writeLog(const std::string& line) {
    if (!_frame || !_log) return;
    ++_frame->logLines;
    if (_frame->logLines > _maxLogLines + 1) return;
    std::string text = _frame->logLines > _maxLogLines ? "(further lines of this call dropped)" : line;
    if (text.size() > kMaxLogLineBytes) text = text.substr(0, kMaxLogLineBytes) + "…";
    _log(*_frame->who, text);
}

int PluginState::luaPrint(lua_State* lua) {
    PluginState& state = self(lua);
    const int n = lua_gettop(lua);
    std::string line;
    for (int i = 1; i <= n; ++i) {
        std::size_t size = 0;
        const char* text = luaL_tolstring(lua, i, &size);
        if (i > 1 && line.size() <= kMaxLogLineBytes) line += '\t';
        // Only what the line can hold is copied: writeLog cuts it at kMaxLogLineBytes anyway.
        if (line.size() <= kMaxLogLineBytes) line.append(text, std::min(size, kMaxLogLineBytes + 1 - line.size()));
        lua_pop(lua, 1);
    }
    return guarded(lua, "log", [&] {
        state.writeLog(line);
        return 0;
    });
}

int PluginState::ctxLog(lua_State* lua) {
    PluginState& state = self(lua);
    state.frame(lua, "log");
    std::size_t size = 0;
    const char* text = luaL_tolstring(lua, 1, &size);
    const std::string line(text, std::min(size, kMaxLogLineBytes + 1)); // writeLog cuts the rest
    return guarded(lua, "log", [&] {
        state.writeLog(line);
        return 0;
    });
}

int PluginState::ctxToday(lua_State* lua) {
    Frame& frame = self(lua).frame(lua, "today");
    lua_pushstring(lua, frame.environment->today.c_str());
    return 1;
}

int PluginState::ctxFinding(lua_State* lua) {
    PluginState& state = self(lua);
    Frame& frame = state.frame(lua, "finding");
    luaL_checktype(lua, 1, LUA_TTABLE);
    sandbox::pushUnwrapped(lua, 1);
    const int t = lua_gettop(lua);
    lua_pushnil(lua);
    while (lua_next(lua, t)) {
        lua_pop(lua, 1);
        const char* key = lua_type(lua, -1) == LUA_TSTRING ? lua_tostring(lua, -1) : "";
        const std::string name = key;
        if (name != "rule" && name != "severity" && name != "message" && name != "details")
            luaL_error(lua, "ctx.finding: unknown field '%s' (expected rule, severity, message, details)",
                       name.empty() ? luaL_typename(lua, -1) : key);
    }

    Finding finding;
    finding.plugin = *frame.who;
    finding.pluginVersion = frame.version ? *frame.version : std::string();
    finding.hook = frame.hook ? *frame.hook : std::string();
    finding.rule = requiredField(lua, t, "rule", "a short code like \"price.above_cap\"", kMaxRuleBytes);
    if (!isRuleCode(finding.rule))
        luaL_error(lua,
                   "ctx.finding: rule '%s' must be a short code of lowercase letters, digits, '.', '_', '-'",
                   finding.rule.c_str());
    const std::string severity = requiredField(lua, t, "severity", "\"info\", \"warning\" or \"violation\"", 20);
    const auto parsed = domain::parseEnum<domain::Severity>(severity);
    if (!parsed || *parsed == domain::Severity::Error)
        luaL_error(lua, "ctx.finding: severity must be \"info\", \"warning\" or \"violation\", not '%s'",
                   severity.c_str());
    finding.severity = *parsed;
    finding.message = requiredField(lua, t, "message", "a non-empty string", kMaxMessageBytes);
    const std::size_t callLeft = kMaxFindingBytesPerCall - std::min(frame.findingBytes, kMaxFindingBytesPerCall);
    if (callLeft < finding.message.size() + finding.rule.size())
        luaL_error(lua, "ctx.finding: the findings of this call hold more than %d bytes",
                   static_cast<int>(kMaxFindingBytesPerCall));
    lua_getfield(lua, t, "details");
    const std::size_t detailsLeft = std::min(kMaxDetailsBytes, callLeft - finding.message.size() - finding.rule.size());
    std::size_t detailsBytes = 0; // counted by the converter as it copied them
    finding.details = convert::toJsonObject(lua, -1, "ctx.finding: details", detailsLeft, &detailsBytes);
    lua_pop(lua, 1);
    frame.findingBytes += finding.message.size() + finding.rule.size() + detailsBytes;

    return guarded(lua, "finding", [&] {
        if (frame.result->findings.size() >= state._maxFindings)
            ++frame.result->droppedFindings;
        else
            frame.result->findings.push_back(std::move(finding));
        return 0;
    });
}

bool PluginState::reaches(const Frame& frame, const std::string& district) {
    if (!frame.districts || frame.districts->empty()) return true;
    return std::find(frame.districts->begin(), frame.districts->end(), district) != frame.districts->end();
}

namespace {
/// The `district` of a view; "" when it has none.
std::string viewDistrict(const Object& view) { return view.optValue<std::string>("district", ""); }
} // namespace

int PluginState::ctxReferencePrice(lua_State* lua) {
    Frame& frame = self(lua).frame(lua, "reference_price");
    const std::string item = luaL_checkstring(lua, 1);
    const std::string district = luaL_optstring(lua, 2, frame.environment->district.c_str());
    PluginData* data = frame.environment->data;
    std::optional<domain::ReferencePrice> reference;
    if (!reaches(frame, district)) return pushNil(lua); // another district's caps are not this plugin's
    if (data) {
        guarded(lua, "reference_price", [&] {
            reference = data->referencePrice(item, district, frame.environment->asOfDate);
            return 0;
        });
    }
    if (!reference) return pushNil(lua);
    // A stored cap's table is read-only and the same until the cap is edited (its version moves on):
    // each state builds it once.
    PluginState& state = self(lua);
    if (reference->id > 0) {
        auto cached = state._referenceTables.find(reference->id);
        if (cached != state._referenceTables.end() && cached->second.first == reference->version) {
            lua_rawgeti(lua, LUA_REGISTRYINDEX, cached->second.second);
            return 1;
        }
        convert::pushReferencePrice(lua, *reference);
        lua_pushvalue(lua, -1);
        const int ref = luaL_ref(lua, LUA_REGISTRYINDEX);
        if (cached != state._referenceTables.end()) {
            luaL_unref(lua, LUA_REGISTRYINDEX, cached->second.second);
            cached->second = {reference->version, ref};
        } else {
            state._referenceTables.emplace(reference->id, std::make_pair(reference->version, ref));
        }
        return 1;
    }
    convert::pushReferencePrice(lua, *reference);
    return 1;
}

int PluginState::ctxPreviousPrice(lua_State* lua) {
    Frame& frame = self(lua).frame(lua, "previous_price");
    luaL_checktype(lua, 1, LUA_TTABLE);
    // What identifies the record it replaced: its id, or for a price not stored yet its facility and item.
    Object::Ptr price = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    sandbox::pushUnwrapped(lua, 1);
    for (const char* key : {"id", "facility_id"}) { // raw reads: no metamethod of a plugin's own table runs
        lua_pushstring(lua, key);
        if (lua_rawget(lua, -2) == LUA_TNUMBER && lua_isinteger(lua, -1))
            price->set(key, static_cast<Poco::Int64>(lua_tointeger(lua, -1)));
        lua_pop(lua, 1);
    }
    lua_pushliteral(lua, "item");
    if (lua_rawget(lua, -2) == LUA_TSTRING) price->set("item", std::string(lua_tostring(lua, -1)));
    lua_pop(lua, 2);
    PluginData* data = frame.environment->data;
    const Poco::Int64 id = price->optValue<Poco::Int64>("id", 0);
    const domain::PriceRecord* record = nullptr;
    const domain::Facility* facility = nullptr;
    bool found = false;
    if (data && id > 0) {
        guarded(lua, "previous_price", [&] {
            found = data->previousRecord(id, record, facility);
            return 0;
        });
    }
    if (found) {
        if (!record || !facility || !reaches(frame, facility->district)) return pushNil(lua);
        convert::pushPrice(lua, *record, *facility);
        return 1;
    }
    Object::Ptr previous;
    if (data) {
        guarded(lua, "previous_price", [&] {
            previous = data->previousPrice(*price);
            return 0;
        });
    }
    if (!previous || !reaches(frame, viewDistrict(*previous))) return pushNil(lua);
    convert::pushView(lua, *previous, "price");
    return 1;
}

int PluginState::ctxCurrentPrices(lua_State* lua) {
    Frame& frame = self(lua).frame(lua, "current_prices");
    const lua_Integer facilityId = luaL_checkinteger(lua, 1);
    PluginData* data = frame.environment->data;
    std::vector<Object::Ptr> prices;
    if (data) {
        guarded(lua, "current_prices", [&] {
            prices = data->currentPrices(facilityId);
            return 0;
        });
    }
    lua_createtable(lua, static_cast<int>(prices.size()), 0);
    lua_Integer i = 0;
    for (const auto& price : prices) {
        if (!price || !reaches(frame, viewDistrict(*price))) continue; // another district's: as if none

        convert::pushView(lua, *price, "price");
        lua_rawseti(lua, -2, ++i);
    }
    sandbox::pushReadOnly(lua, -1, "current prices");
    return 1;
}

int PluginState::ctxFacility(lua_State* lua) {
    Frame& frame = self(lua).frame(lua, "facility");
    const lua_Integer facilityId = luaL_checkinteger(lua, 1);
    PluginData* data = frame.environment->data;
    Object::Ptr facility;
    if (data) {
        guarded(lua, "facility", [&] {
            facility = data->facility(facilityId);
            return 0;
        });
    }
    if (!facility || !reaches(frame, viewDistrict(*facility))) return pushNil(lua);
    convert::pushView(lua, *facility, "facility");
    return 1;
}

} // namespace registry::plugins
