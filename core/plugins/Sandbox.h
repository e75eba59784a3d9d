#pragma once
// The environment a plugin runs in, built from the allow-list of PLUGINS.md: basic functions without
// load, loadstring, dofile, loadfile, require, collectgarbage (and with rawset refused on host tables);
// string without dump; table, math, utf8; os.time, os.date and os.clock. Nothing else of the state, and
// nothing of another plugin, is reachable from a plugin's environment.
//
// Host tables (the libraries, ctx, record views, config) are read-only proxies: an empty table whose
// locked metatable reads through to the real one and refuses writes. The string metatable is locked too.
// pcall and xpcall re-raise when the call reached a limit, setmetatable refuses __gc (a finalizer could
// run outside any plugin call, where no limit applies).
//
// Every function here must be called inside LuaState::run, except pinLocalTimeZone.

#include "plugins/Lua.h"

namespace registry::plugins::sandbox {

/// Once per state: opens the allowed libraries (into the registry, never into a reachable table), keeps
/// read-only proxies of them and locks the string metatable.
void install(lua_State* lua);

/// Pushes a fresh environment for one plugin: the allowed globals, `_G` pointing at itself, and `print`
/// set to the function at stack index `print` (0: no print).
void pushEnvironment(lua_State* lua, int print);

/// Pushes a read-only proxy of the table at `index`; `what` names it in error messages ("ctx", "price").
/// Tables inside it are not wrapped: wrap them first.
void pushReadOnly(lua_State* lua, int index, const char* what);

/// True if the value at `index` is a read-only proxy.
bool isReadOnly(lua_State* lua, int index);

/// Pushes the real table behind the proxy at `index`, or the value itself if it is not a proxy.
void pushUnwrapped(lua_State* lua, int index);

/// Sets TZ to the local zone file (":/etc/localtime") when it is unset. Without TZ, glibc reads and
/// stats /etc/localtime again on every mktime, localtime and strftime, under one process-wide lock: a
/// plugin calling os.time or os.date on every record of an audit spent more time there than in its own
/// code, with the audit's workers waiting on each other. The zone stays the same; a change to
/// /etc/localtime is seen at the next start. Call it first thing in main(), before any thread starts
/// (setenv is not thread-safe).
void pinLocalTimeZone();

} // namespace registry::plugins::sandbox
