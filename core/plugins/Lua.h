#pragma once
// Lua 5.4 for the plugin host, included from this one place.
//
// We link Debian's liblua5.4-c++ (Lua compiled as C++, exporting the usual C names): a Lua error then
// unwinds with a C++ exception, so the destructors of host objects between the error and the protected
// call run, where the C build's longjmp would skip them. Link Lua only through registry_plugins, never
// ${LUA_LIBRARIES} as well: two copies of the same symbols would mix the two error mechanisms.

#include <lua.hpp>
