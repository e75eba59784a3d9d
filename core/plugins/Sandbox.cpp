#include "plugins/Sandbox.h"

#include "plugins/LuaState.h"
#include "plugins/PatternGuard.h"

#include <cstdlib>
#include <cstring>
#include <ctime>

namespace registry::plugins::sandbox {

namespace {

// Registry keys (their addresses) and the marker every read-only metatable carries.
char kReadOnlyMarker;
char kBaseKey;   // the real global table of the state: base functions to copy from
char kStringKey; // read-only proxies of the allowed libraries
char kTableKey;
char kMathKey;
char kUtf8Key;
char kOsKey;

constexpr const char* kBaseAllowed[] = {"assert",   "error",    "getmetatable", "ipairs",  "next",
                                        "pairs",    "rawequal", "rawget",       "rawlen",  "select",
                                        "tonumber", "tostring", "type",         "_VERSION"};
constexpr const char* kOsAllowed[] = {"time", "date", "clock"};

// --- read-only proxies ---------------------------------------------------------------------------------

/// Pushes the real table behind a proxy; raises if `index` is not one.
void pushReal(lua_State* lua, int index) {
    if (!isReadOnly(lua, index)) luaL_error(lua, "not a host table");
    lua_getmetatable(lua, index);
    lua_rawgetp(lua, -1, &kReadOnlyMarker); // the marker's value is the real table
    lua_remove(lua, -2);
}

int refuseWrite(lua_State* lua) {
    const char* what = "host table";
    if (luaL_getmetafield(lua, 1, "__name") == LUA_TSTRING) what = lua_tostring(lua, -1);
    if (lua_type(lua, 2) == LUA_TSTRING)
        return luaL_error(lua, "attempt to modify read-only table '%s' (field '%s')", what,
                          lua_tostring(lua, 2));
    return luaL_error(lua, "attempt to modify read-only table '%s'", what);
}

int proxyLen(lua_State* lua) {
    pushReal(lua, 1);
    lua_pushinteger(lua, static_cast<lua_Integer>(lua_rawlen(lua, -1)));
    return 1;
}

// The iterator gets the proxy, never the real table, so a plugin cannot obtain a writable reference.
int proxyNext(lua_State* lua) {
    lua_settop(lua, 2);
    pushReal(lua, 1);
    lua_pushvalue(lua, 2);
    if (lua_next(lua, -2)) return 2;
    lua_pushnil(lua);
    return 1;
}

int proxyPairs(lua_State* lua) {
    luaL_checkany(lua, 1);
    lua_pushcfunction(lua, &proxyNext);
    lua_pushvalue(lua, 1);
    lua_pushnil(lua);
    return 3;
}

// --- guarded base functions ----------------------------------------------------------------------------

// pcall and xpcall as in lbaselib.c, except that an error after a limit was reached is raised again: the
// plugin may catch its own errors, never the host's limits.
int finishProtected(lua_State* lua, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        LuaState& state = LuaState::from(lua);
        if (status == LUA_ERRMEM) {
            // Raised again as an ordinary error (lua_error would turn Lua's memory message back into a memory
            // error), so that the host's message handler runs here and can name the line of this pcall.
            state.noteOutOfMemory();
            lua_pushliteral(lua, "out of memory");
        }
        if (state.limitReached()) return lua_error(lua);
        lua_pushboolean(lua, 0);
        lua_pushvalue(lua, -2);
        return 2;
    }
    return lua_gettop(lua) - static_cast<int>(extra);
}

int guardedPcall(lua_State* lua) {
    luaL_checkany(lua, 1);
    lua_pushboolean(lua, 1);
    lua_insert(lua, 1);
    const int status = lua_pcallk(lua, lua_gettop(lua) - 2, LUA_MULTRET, 0, 0, &finishProtected);
    return finishProtected(lua, status, 0);
}

// The message handler a plugin gives xpcall, behind a guard: when the error is a limit raised by the count
// hook, Lua runs the handler with hooks off (the hook has not returned), so the plugin's handler must not run
// at all then.
int guardedHandler(lua_State* lua) {
    if (LuaState::from(lua).limitReached()) return 1; // the error object, unchanged
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_insert(lua, 1);
    lua_call(lua, lua_gettop(lua) - 1, 1);
    return 1;
}

int guardedXpcall(lua_State* lua) {
    const int n = lua_gettop(lua);
    luaL_checktype(lua, 2, LUA_TFUNCTION);
    lua_pushvalue(lua, 2);
    lua_pushcclosure(lua, &guardedHandler, 1);
    lua_replace(lua, 2);
    lua_pushboolean(lua, 1);
    lua_pushvalue(lua, 1);
    lua_rotate(lua, 3, 2);
    const int status = lua_pcallk(lua, n - 2, LUA_MULTRET, 2, 2, &finishProtected);
    return finishProtected(lua, status, 2);
}

int guardedRawset(lua_State* lua) {
    luaL_checktype(lua, 1, LUA_TTABLE);
    if (isReadOnly(lua, 1)) return luaL_error(lua, "rawset on a read-only host table");
    luaL_checkany(lua, 2);
    luaL_checkany(lua, 3);
    lua_settop(lua, 3);
    lua_rawset(lua, 1);
    return 1;
}

int guardedSetmetatable(lua_State* lua) {
    const int t = lua_type(lua, 2);
    luaL_checktype(lua, 1, LUA_TTABLE);
    luaL_argexpected(lua, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(lua, "__gc");
        if (lua_rawget(lua, 2) != LUA_TNIL)
            return luaL_error(lua, "__gc metamethods are not available to plugins");
        lua_pop(lua, 1);
    }
    if (luaL_getmetafield(lua, 1, "__metatable") != LUA_TNIL)
        return luaL_error(lua, "cannot change a protected metatable");
    lua_settop(lua, 2);
    lua_setmetatable(lua, 1);
    return 1;
}

// --- library loops that run in C without allocating
// --------------------------------------------------------- A loop in C is invisible to the count hook; most
// are bounded by memory (the allocator's cap ends them), these two are not.

constexpr lua_Integer kMaxMoveElements = 10'000'000;

/// string.rep('', 1e15) copies nothing a quadrillion times: an empty result needs no loop.
int guardedRep(lua_State* lua) {
    std::size_t length = 0;
    std::size_t separator = 0;
    luaL_checklstring(lua, 1, &length);
    luaL_checkinteger(lua, 2);
    luaL_optlstring(lua, 3, "", &separator);
    if (length == 0 && separator == 0) {
        lua_pushliteral(lua, "");
        return 1;
    }
    const int arguments = lua_gettop(lua);
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_insert(lua, 1);
    lua_call(lua, arguments, 1);
    return 1;
}

/// table.move({}, 1, 1e15, 2) moves nils, which allocates nothing, a quadrillion times.
int guardedMove(lua_State* lua) {
    const lua_Integer first = luaL_checkinteger(lua, 2);
    const lua_Integer last = luaL_checkinteger(lua, 3);
    luaL_checkinteger(lua, 4);
    if (last >= first && (first < 0 ? last > first + kMaxMoveElements : last - first >= kMaxMoveElements))
        return luaL_error(lua, "table.move: more than %d elements", static_cast<int>(kMaxMoveElements));
    const int arguments = lua_gettop(lua);
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_insert(lua, 1);
    lua_call(lua, arguments, 1);
    return 1;
}

/// table.insert, remove and sort loop over the table's length in C, where the count hook never runs, and
/// the length is what a plugin's __len says: `#t` of math.maxinteger made table.remove(t, 1) run for ever.
/// The length is taken first (a Lua __len runs under the hook) and refused past kMaxMoveElements.
int guardedByLength(lua_State* lua) {
    luaL_checktype(lua, 1, LUA_TTABLE);
    const lua_Integer length = luaL_len(lua, 1);
    if (length < 0 || length > static_cast<lua_Integer>(kMaxMoveElements))
        return luaL_error(lua, "table.%s: a table of length %I (at most %d elements)",
                          lua_tostring(lua, lua_upvalueindex(2)), static_cast<LUAI_UACINT>(length),
                          static_cast<int>(kMaxMoveElements));
    const int arguments = lua_gettop(lua);
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_insert(lua, 1);
    lua_call(lua, arguments, LUA_MULTRET);
    return lua_gettop(lua);
}

/// Replaces `name` in the table at `index` by `guard`, which gets the original as upvalue 1.
void wrapField(lua_State* lua, int index, const char* name, lua_CFunction guard) {
    index = lua_absindex(lua, index);
    lua_getfield(lua, index, name);
    lua_pushcclosure(lua, guard, 1);
    lua_setfield(lua, index, name);
}

// --- libraries -----------------------------------------------------------------------------------------

/// Calls a luaopen_* function and leaves its table on the stack.
void openLibrary(lua_State* lua, lua_CFunction open, const char* name) {
    lua_pushcfunction(lua, open);
    lua_pushstring(lua, name);
    lua_call(lua, 1, 1);
}

/// Copies the fields of the table on top (all, or only `allowed`, minus `except`) into a new table,
/// replaces the top with a read-only proxy of the copy and stores the proxy in the registry under `key`.
void keepCopy(lua_State* lua, void* key, const char* what, const char* except,
              const char* const* allowed = nullptr, std::size_t allowedCount = 0) {
    const int source = lua_gettop(lua);
    lua_newtable(lua);
    const int copy = lua_gettop(lua);
    if (allowed) {
        for (std::size_t i = 0; i < allowedCount; ++i) {
            lua_getfield(lua, source, allowed[i]);
            lua_setfield(lua, copy, allowed[i]);
        }
    } else {
        lua_pushnil(lua);
        while (lua_next(lua, source)) {
            const bool skip =
                except && lua_type(lua, -2) == LUA_TSTRING && std::strcmp(lua_tostring(lua, -2), except) == 0;
            if (skip) {
                lua_pop(lua, 1);
                continue;
            }
            lua_pushvalue(lua, -2);
            lua_insert(lua, -2);
            lua_rawset(lua, copy);
        }
    }
    pushReadOnly(lua, copy, what);
    lua_rawsetp(lua, LUA_REGISTRYINDEX, key);
    lua_settop(lua, source - 1);
}

void lockStringMetatable(lua_State* lua) {
    lua_pushliteral(lua, "");
    if (!lua_getmetatable(lua, -1)) luaL_error(lua, "string metatable missing");
    lua_rawgetp(lua, LUA_REGISTRYINDEX, &kStringKey);
    lua_setfield(lua, -2, "__index"); // methods of strings are the safe string library
    lua_pushliteral(lua, "read-only");
    lua_setfield(lua, -2, "__metatable"); // getmetatable("") no longer reaches the real metatable
    lua_pop(lua, 2);
}

} // namespace

void pushReadOnly(lua_State* lua, int index, const char* what) {
    index = lua_absindex(lua, index);
    lua_createtable(lua, 0, 0);
    lua_createtable(lua, 0, 7);
    lua_pushvalue(lua, index);
    lua_setfield(lua, -2, "__index");
    lua_pushvalue(lua, index);
    lua_rawsetp(lua, -2, &kReadOnlyMarker);
    lua_pushcfunction(lua, &refuseWrite);
    lua_setfield(lua, -2, "__newindex");
    lua_pushcfunction(lua, &proxyLen);
    lua_setfield(lua, -2, "__len");
    lua_pushcfunction(lua, &proxyPairs);
    lua_setfield(lua, -2, "__pairs");
    lua_pushstring(lua, what);
    lua_setfield(lua, -2, "__name");
    lua_pushliteral(lua, "read-only");
    lua_setfield(lua, -2, "__metatable");
    lua_setmetatable(lua, -2);
}

bool isReadOnly(lua_State* lua, int index) {
    if (lua_type(lua, index) != LUA_TTABLE || !lua_getmetatable(lua, index)) return false;
    const bool marked = lua_rawgetp(lua, -1, &kReadOnlyMarker) == LUA_TTABLE;
    lua_pop(lua, 2);
    return marked;
}

void pushUnwrapped(lua_State* lua, int index) {
    if (isReadOnly(lua, index))
        pushReal(lua, index);
    else
        lua_pushvalue(lua, index);
}

void install(lua_State* lua) {
    openLibrary(lua, &luaopen_base, "_G");
    lua_rawsetp(lua, LUA_REGISTRYINDEX, &kBaseKey);

    openLibrary(lua, &luaopen_string, "string"); // also sets the string metatable, locked below
    guardPatternFunctions(lua, -1);
    wrapField(lua, -1, "rep", &guardedRep);
    keepCopy(lua, &kStringKey, "string", "dump");
    openLibrary(lua, &luaopen_table, "table");
    wrapField(lua, -1, "move", &guardedMove);
    for (const char* name : {"insert", "remove", "sort", "concat", "unpack"}) {
        lua_getfield(lua, -1, name);
        lua_pushstring(lua, name);
        lua_pushcclosure(lua, &guardedByLength, 2);
        lua_setfield(lua, -2, name);
    }
    keepCopy(lua, &kTableKey, "table", nullptr);
    openLibrary(lua, &luaopen_math, "math");
    keepCopy(lua, &kMathKey, "math", nullptr);
    openLibrary(lua, &luaopen_utf8, "utf8");
    keepCopy(lua, &kUtf8Key, "utf8", nullptr);
    openLibrary(lua, &luaopen_os, "os");
    keepCopy(lua, &kOsKey, "os", nullptr, kOsAllowed, std::size(kOsAllowed));

    lockStringMetatable(lua);
}

void pushEnvironment(lua_State* lua, int print) {
    if (print != 0) print = lua_absindex(lua, print);
    lua_createtable(lua, 0, 32);
    const int env = lua_gettop(lua);

    lua_rawgetp(lua, LUA_REGISTRYINDEX, &kBaseKey);
    for (const char* name : kBaseAllowed) {
        lua_getfield(lua, -1, name);
        lua_setfield(lua, env, name);
    }
    lua_pop(lua, 1);

    const std::pair<const char*, lua_CFunction> guarded[] = {
        {"pcall", &guardedPcall},
        {"xpcall", &guardedXpcall},
        {"rawset", &guardedRawset},
        {"setmetatable", &guardedSetmetatable},
    };
    for (const auto& [name, fn] : guarded) {
        lua_pushcfunction(lua, fn);
        lua_setfield(lua, env, name);
    }

    const std::pair<const char*, void*> libraries[] = {
        {"string", &kStringKey}, {"table", &kTableKey}, {"math", &kMathKey},
        {"utf8", &kUtf8Key},     {"os", &kOsKey},
    };
    for (const auto& [name, key] : libraries) {
        lua_rawgetp(lua, LUA_REGISTRYINDEX, key);
        lua_setfield(lua, env, name);
    }

    if (print != 0) {
        lua_pushvalue(lua, print);
        lua_setfield(lua, env, "print");
    }
    lua_pushvalue(lua, env);
    lua_setfield(lua, env, "_G");
}

void pinLocalTimeZone() {
    if (!std::getenv("TZ")) setenv("TZ", ":/etc/localtime", 0);
    tzset();
}

} // namespace registry::plugins::sandbox
