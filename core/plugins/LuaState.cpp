#include "plugins/LuaState.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <new>

namespace registry::plugins {

namespace {

// Instructions between two looks at the budget. The interval adapts within a call: it grows while the
// plugin runs plain Lua (a look costs a clock read) and shrinks to one instruction when ticks get slow,
// which happens when each instruction is an expensive library call (string.rep in a loop), so the wall-time
// limit is overshot by at most about one such call.
constexpr int kFirstInterval = 100;
constexpr int kMaxInterval = 10000;
constexpr auto kSlowTick = std::chrono::microseconds(1000);
constexpr auto kFastTick = std::chrono::microseconds(100);

// The error object the hook raises. Only its address matters; the host never trusts the error object to
// tell a limit from an error (its own Budget says which), so a plugin cannot forge one.
char kLimitSentinel;

std::string mebibytes(std::size_t bytes) {
    if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

/// "common/x.lua:12: " for the innermost Lua function on the stack, "" when there is none.
std::string innermostLocation(lua_State* lua) {
    lua_Debug ar;
    for (int level = 1; lua_getstack(lua, level, &ar); ++level) {
        if (!lua_getinfo(lua, "Sl", &ar)) break;
        if (ar.currentline > 0)
            return std::string(ar.short_src) + ":" + std::to_string(ar.currentline) + ": ";
    }
    return {};
}

} // namespace

std::string toString(Outcome outcome) {
    switch (outcome) {
    case Outcome::Ok:
        return "ok";
    case Outcome::Error:
        return "error";
    case Outcome::Timeout:
        return "timeout";
    case Outcome::OutOfMemory:
        return "out_of_memory";
    }
    return "error";
}

LuaState::LuaState(const Limits& limits) : _limits(limits) {
    _lua = lua_newstate(&LuaState::allocate, this);
    if (!_lua) throw std::bad_alloc();
}

LuaState::~LuaState() {
    if (_lua) lua_close(_lua);
}

LuaState& LuaState::from(lua_State* lua) {
    void* ud = nullptr;
    lua_getallocf(lua, &ud);
    return *static_cast<LuaState*>(ud);
}

void* LuaState::allocate(void* ud, void* ptr, std::size_t oldSize, std::size_t newSize) noexcept {
    auto* self = static_cast<LuaState*>(ud);
    // For a new block Lua passes the kind of object in oldSize, not a size.
    const std::size_t old = ptr ? oldSize : 0;
    if (newSize == 0) {
        std::free(ptr);
        self->_used -= old;
        return nullptr;
    }
    // Refusing makes Lua collect garbage and try once more before it raises "not enough memory", so a
    // refusal here is not yet a failure of the call: LUA_ERRMEM reaching a protected call is.
    if (newSize > old && self->_used - old + newSize > self->_limits.memoryBytes) return nullptr;
    void* block = std::realloc(ptr, newSize);
    if (!block) return newSize <= old ? ptr : nullptr; // Lua assumes shrinking never fails
    self->_used = self->_used - old + newSize;
    return block;
}

void LuaState::trip(Trip why) {
    if (_budget.trip == Trip::None) _budget.trip = why;
    // From now on the hook raises before every instruction, so no Lua code runs between the point where a
    // plugin's pcall catches the error and the host's protected call.
    lua_sethook(_lua, &LuaState::countHook, hookMask(), 1);
}

void LuaState::noteOutOfMemory() {
    if (_budget.active) trip(Trip::Memory);
}

void LuaState::recordLines(const std::string& chunkName) {
    _linesSource = chunkName.empty() ? std::string() : "@" + chunkName;
    _linesRun.clear();
}

std::vector<int> LuaState::takeLinesRun() {
    std::vector<int> lines(_linesRun.begin(), _linesRun.end());
    _linesRun.clear();
    return lines;
}

void LuaState::countHook(lua_State* lua, lua_Debug* ar) {
    LuaState& self = from(lua);
    Budget& budget = self._budget;
    if (!budget.active) return;
    if (ar->event == LUA_HOOKLINE && budget.trip == Trip::None) {
        // Coverage: "S" reads the function's source without allocating in the state.
        if (lua_getinfo(lua, "S", ar) && ar->source && self._linesSource == ar->source)
            self._linesRun.insert(ar->currentline);
        return;
    }
    if (budget.trip == Trip::None) {
        budget.instructions += static_cast<std::uint64_t>(budget.interval);
        const auto now = std::chrono::steady_clock::now();
        if (budget.instructions > self._limits.instructionsPerCall) {
            self.trip(Trip::Instructions);
        } else if (now > budget.deadline) {
            self.trip(Trip::WallTime);
        } else {
            const auto tick = now - budget.lastTick;
            budget.lastTick = now;
            int interval = budget.interval;
            if (tick > kSlowTick)
                interval = std::max(1, interval / 8);
            else if (tick < kFastTick)
                interval = std::min(kMaxInterval, interval * 2);
            if (interval != budget.interval) {
                budget.interval = interval;
                lua_sethook(lua, &LuaState::countHook, self.hookMask(), interval);
            }
            return;
        }
    }
    lua_pushlightuserdata(lua, &kLimitSentinel);
    lua_error(lua);
}

std::string LuaState::limitMessage() const {
    switch (_budget.trip) {
    case Trip::Instructions:
        return "instruction limit exceeded (" + std::to_string(_limits.instructionsPerCall) + " per call)";
    case Trip::WallTime:
        return "time limit exceeded (" + std::to_string(_limits.wallTimePerCall.count()) + " ms per call)";
    case Trip::Memory:
        return "memory limit exceeded (" + mebibytes(_limits.memoryBytes) + " per Lua state)";
    case Trip::None:
        break;
    }
    return {};
}

namespace {
/// An error text as the host keeps it: at most kMaxErrorBytes, copied only that far (error(string.rep(
/// "x", 50 << 20)) must not become 50 MB of host memory per failing record).
constexpr std::size_t kMaxErrorBytes = 4000;
std::string boundedText(lua_State* lua, int index) {
    std::size_t size = 0;
    const char* text = lua_tolstring(lua, index, &size);
    if (!text) return std::string();
    if (size <= kMaxErrorBytes) return std::string(text, size);
    return std::string(text, kMaxErrorBytes) + "… (" + std::to_string(size) + " bytes)";
}
} // namespace

int LuaState::messageHandler(lua_State* lua) {
    LuaState& self = from(lua);
    const std::string where = innermostLocation(lua);
    std::string text;
    if (self._budget.trip != Trip::None) {
        text = where + self.limitMessage();
    } else if (lua_type(lua, 1) == LUA_TSTRING || lua_type(lua, 1) == LUA_TNUMBER) {
        text = boundedText(lua, 1);
        // error("x") already starts with its position; errors raised in C functions (bad argument,
        // read-only table) or with level 0 do not.
        const std::string file = where.substr(0, where.find(':') + 1);
        if (!where.empty() && text.compare(0, file.size(), file) != 0) text = where + text;
    } else {
        text = where + "(error object is a " + luaL_typename(lua, 1) + " value)";
    }
    luaL_traceback(lua, lua, nullptr, 1);
    self._traceback = lua_tostring(lua, -1);
    lua_pop(lua, 1);
    self._handledMessage = text;
    self._handled = true;
    lua_pushlstring(lua, text.data(), text.size());
    return 1;
}

int LuaState::trampoline(lua_State* lua) {
    LuaState& self = from(lua);
    lua_settop(lua, 0);
    std::string failure;
    try {
        self._invoke(self._body, lua);
        return 0;
    } catch (const std::exception& e) {
        // Only the host's own exceptions: Lua's error object is not a std::exception and passes through.
        failure = e.what();
    }
    return luaL_error(lua, "host error: %s", failure.c_str());
}

CallResult LuaState::runErased(Erased invoke, void* body) {
    assert(!_budget.active && "LuaState::run is not reentrant");
    const int top = lua_gettop(_lua);
    _budget = Budget{};
    _budget.active = true;
    _budget.lastTick = std::chrono::steady_clock::now();
    _budget.deadline = _budget.lastTick + _limits.wallTimePerCall;
    _budget.interval = kFirstInterval;
    _handled = false;
    _handledMessage.clear();
    _traceback.clear();

    _invoke = invoke;
    _body = body;

    lua_pushcfunction(_lua, &LuaState::messageHandler);
    lua_pushcfunction(_lua, &LuaState::trampoline);
    lua_sethook(_lua, &LuaState::countHook, hookMask(), kFirstInterval);
    const int status = lua_pcall(_lua, 0, 0, top + 1);
    lua_sethook(_lua, nullptr, 0, 0);
    CallResult result = finish(status);
    _budget.active = false;
    lua_settop(_lua, top);
    if (result.outcome == Outcome::OutOfMemory) {
        _exhausted = true;
        lua_gc(_lua, LUA_GCCOLLECT);
    }
    return result;
}

CallResult LuaState::finish(int status) {
    CallResult result;
    if (status == LUA_OK) return result;
    if (status == LUA_ERRMEM && _budget.trip == Trip::None) _budget.trip = Trip::Memory;
    switch (_budget.trip) {
    case Trip::Instructions:
    case Trip::WallTime:
        result.outcome = Outcome::Timeout;
        break;
    case Trip::Memory:
        result.outcome = Outcome::OutOfMemory;
        break;
    case Trip::None:
        result.outcome = Outcome::Error;
        break;
    }
    if (_handled)
        result.message = _handledMessage;
    else if (_budget.trip != Trip::None)
        result.message = limitMessage();
    else if (lua_type(_lua, -1) == LUA_TSTRING)
        result.message = boundedText(_lua, -1);
    else
        result.message = "error without a message";
    result.traceback = _traceback;
    return result;
}

void LuaState::loadText(lua_State* lua, std::string_view source, const std::string& chunkName) {
    const std::string name = "@" + chunkName;
    const int status = luaL_loadbufferx(lua, source.data(), source.size(), name.c_str(), "t");
    if (status == LUA_OK) return;
    if (status == LUA_ERRMEM) from(lua).noteOutOfMemory();
    // A syntax error names its line already; a refused binary chunk does not name the file.
    std::string message = lua_tostring(lua, -1) ? lua_tostring(lua, -1) : "cannot load";
    if (message.compare(0, chunkName.size(), chunkName) != 0) message = chunkName + ": " + message;
    lua_pop(lua, 1);
    lua_pushlstring(lua, message.data(), message.size());
    lua_error(lua);
}

} // namespace registry::plugins
