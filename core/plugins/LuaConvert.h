#pragma once
// Every conversion between host values and Lua values, in one place: JSON views to read-only tables,
// Lua tables to JSON (details of a finding, the cases of a plugin test), the manifest a plugin returns.
//
// All functions must run inside LuaState::run: they allocate and may raise Lua errors, whose messages
// name the offending field ("details.items[3]: cannot convert a function").

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/Price.h"
#include "plugins/Lua.h"
#include "plugins/Plugin.h"
#include "plugins/Views.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <string>

namespace registry::plugins::convert {

/// Pushes a JSON value: null as nil, objects and arrays as read-only tables (nested ones too) named
/// `what` in error messages, integers as Lua integers.
void pushJson(lua_State* lua, const Poco::Dynamic::Var& value, const char* what);
void pushView(lua_State* lua, const Poco::JSON::Object& view, const char* what);

/// The tables pushView makes of priceView / facilityView / burialSiteView (Views.h), built straight from
/// the records without the JSON view in between: the audit's path, one record after another.
void pushPrice(lua_State* lua, const domain::PriceRecord& price, const domain::Facility& facility);
void pushFacility(lua_State* lua, const domain::Facility& facility);
void pushBurialSite(lua_State* lua, const domain::BurialSite& site);

/// The subject's table: its view (named after its type), or its records as the three above push them.
void pushSubject(lua_State* lua, const Subject& subject);

/// A reference price as ctx.reference_price returns it (the API's fields: cap_fen, basis, effective_from…).
void pushReferencePrice(lua_State* lua, const domain::ReferencePrice& reference);

/// The Lua value at `index` as JSON. Tables with keys 1..n become arrays, other tables objects (an empty
/// table is an object); read-only proxies are read through. Raises on functions, userdata, cycles,
/// non-finite numbers, and on more than 10 000 values or nesting deeper than 20. `path` names the value.
/// `maxBytes` bounds the text it copies (strings and keys, counted before each is copied): a value
/// over it raises instead of growing the host's memory.
Poco::Dynamic::Var toJson(lua_State* lua, int index, const std::string& path,
                          std::size_t maxBytes = static_cast<std::size_t>(-1));

/// As toJson, for a value that must be a table converting to an object (nil gives an empty object).
/// `copiedBytes`, when given, receives the bytes of text it copied.
Poco::JSON::Object::Ptr toJsonObject(lua_State* lua, int index, const std::string& path,
                                     std::size_t maxBytes = static_cast<std::size_t>(-1),
                                     std::size_t* copiedBytes = nullptr);

/// Checks the table a plugin file returned (at `index`) and pushes a new table of its hook functions by
/// hook name ("checks.price" → function). Raises "manifest: …" on the first problem: a missing or bad
/// name or version, an unknown field or hook, a hook that is not a function, no hook at all, districts
/// that are not a list of strings, defaults that do not convert to JSON.
Manifest readManifest(lua_State* lua, int index);

} // namespace registry::plugins::convert
