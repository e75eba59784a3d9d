#include "plugins/LuaConvert.h"

#include "codec/RecordFields.h"
#include "codec/RecordJson.h"
#include "plugins/Views.h"
#include "plugins/Sandbox.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace registry::plugins::convert {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr int kMaxDepth = 20;
constexpr int kMaxValues = 10'000;

void pushArray(lua_State* lua, const Array& array, const char* what);

void pushObjectTable(lua_State* lua, const Object& object, const char* what) {
    lua_createtable(lua, 0, static_cast<int>(object.size()));
    for (const auto& [key, value] : object) {
        if (value.isEmpty()) continue;
        pushJson(lua, value, what);
        lua_setfield(lua, -2, key.c_str());
    }
    sandbox::pushReadOnly(lua, -1, what);
    lua_remove(lua, -2);
}

void pushArray(lua_State* lua, const Array& array, const char* what) {
    lua_createtable(lua, static_cast<int>(array.size()), 0);
    for (std::size_t i = 0; i < array.size(); ++i) {
        const Var& value = array.get(static_cast<unsigned>(i));
        if (value.isEmpty()) continue;
        pushJson(lua, value, what);
        lua_rawseti(lua, -2, static_cast<lua_Integer>(i + 1));
    }
    sandbox::pushReadOnly(lua, -1, what);
    lua_remove(lua, -2);
}

struct ToJson {
    lua_State* lua;
    std::size_t maxBytes;
    int values = 0;
    std::size_t bytes = 0;

    /// Counts `size` bytes of text before they are copied: the same 8 MiB string under many keys is
    /// counted each time, since each key would hold its own copy on the host.
    void countBytes(const std::string& path, std::size_t size) {
        if (size > maxBytes - bytes)
            fail(path, "larger than " + std::to_string(maxBytes) + " bytes of text (at most that much is kept)");
        bytes += size;
    }

    [[noreturn]] void fail(const std::string& path, const std::string& problem) {
        luaL_error(lua, "%s: %s", path.c_str(), problem.c_str());
        __builtin_unreachable(); // luaL_error raises
    }

    Var convert(int index, const std::string& path, int depth) {
        if (++values > kMaxValues) fail(path, "too many values (at most 10000)");
        switch (lua_type(lua, index)) {
        case LUA_TNIL:
            return Var();
        case LUA_TBOOLEAN:
            return Var(lua_toboolean(lua, index) != 0);
        case LUA_TNUMBER: {
            if (lua_isinteger(lua, index)) return Var(static_cast<Poco::Int64>(lua_tointeger(lua, index)));
            const double number = lua_tonumber(lua, index);
            if (!std::isfinite(number)) fail(path, "numbers must be finite");
            return Var(number);
        }
        case LUA_TSTRING: {
            std::size_t size = 0;
            const char* text = lua_tolstring(lua, index, &size);
            countBytes(path, size);
            return Var(std::string(text, size));
        }
        case LUA_TTABLE:
            return table(index, path, depth);
        default:
            fail(path, std::string("cannot convert a ") + luaL_typename(lua, index) + " value");
        }
    }

    Var table(int index, const std::string& path, int depth) {
        if (depth >= kMaxDepth) fail(path, "nested too deeply (a cycle?)");
        luaL_checkstack(lua, 4, "converting a table");
        sandbox::pushUnwrapped(lua, index);
        const int t = lua_gettop(lua);
        const lua_Integer length = static_cast<lua_Integer>(lua_rawlen(lua, t));
        lua_Integer count = 0;
        bool sequence = length > 0;
        lua_pushnil(lua);
        while (lua_next(lua, t)) {
            ++count;
            if (!lua_isinteger(lua, -2) || lua_tointeger(lua, -2) < 1 || lua_tointeger(lua, -2) > length)
                sequence = false;
            lua_pop(lua, 1);
        }
        if (sequence && count == length) {
            Array::Ptr array = new Array;
            for (lua_Integer i = 1; i <= length; ++i) {
                lua_rawgeti(lua, t, i);
                array->add(convert(lua_gettop(lua), path + "[" + std::to_string(i) + "]", depth + 1));
                lua_pop(lua, 1);
            }
            lua_pop(lua, 1);
            return array;
        }
        Object::Ptr object = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        // Keys in sorted order, so that the same table gives the same JSON text on every run.
        std::vector<std::string> keys;
        lua_pushnil(lua);
        while (lua_next(lua, t)) {
            lua_pop(lua, 1);
            if (lua_type(lua, -1) == LUA_TSTRING) {
                countBytes(path, lua_rawlen(lua, -1));
                keys.emplace_back(lua_tostring(lua, -1));
            } else if (lua_isinteger(lua, -1)) {
                keys.push_back(std::to_string(lua_tointeger(lua, -1)));
            } else {
                fail(path, std::string("keys must be strings or integers, not ") + luaL_typename(lua, -1));
            }
        }
        std::sort(keys.begin(), keys.end());
        for (const auto& key : keys) {
            lua_pushlstring(lua, key.data(), key.size());
            if (lua_rawget(lua, t) == LUA_TNIL) { // an integer key stored as a number
                lua_pop(lua, 1);
                lua_pushinteger(lua, std::stoll(key));
                lua_rawget(lua, t);
            }
            object->set(key, convert(lua_gettop(lua), path + "." + key, depth + 1));
            lua_pop(lua, 1);
        }
        lua_pop(lua, 1);
        return object;
    }
};

/// The raw field `key` of the table at `t` pushed; returns its type.
int field(lua_State* lua, int t, const char* key) {
    lua_pushstring(lua, key);
    return lua_rawget(lua, t);
}

std::string requiredString(lua_State* lua, int t, const char* key, const char* example) {
    const int type = field(lua, t, key);
    if (type != LUA_TSTRING || lua_rawlen(lua, -1) == 0)
        luaL_error(lua, "manifest: '%s' must be a non-empty string, e.g. %s = %s", key, key, example);
    std::string value = lua_tostring(lua, -1);
    lua_pop(lua, 1);
    return value;
}

} // namespace

void pushJson(lua_State* lua, const Var& value, const char* what) {
    luaL_checkstack(lua, 4, "converting a view");
    // Scalars first: their checks are cheap, where comparing type_info costs a string comparison.
    if (value.isEmpty()) {
        lua_pushnil(lua);
    } else if (value.isString() && value.type() == typeid(std::string)) {
        const std::string& text = value.extract<std::string>();
        lua_pushlstring(lua, text.data(), text.size());
    } else if (value.isBoolean()) {
        lua_pushboolean(lua, value.extract<bool>());
    } else if (value.isInteger()) {
        try {
            lua_pushinteger(lua, static_cast<lua_Integer>(value.convert<Poco::Int64>()));
        } catch (const Poco::Exception&) {
            lua_pushnumber(lua, value.convert<double>()); // an unsigned beyond Int64
        }
    } else if (value.isNumeric()) {
        lua_pushnumber(lua, value.convert<double>());
    } else if (value.type() == typeid(Object::Ptr)) {
        const auto& object = value.extract<Object::Ptr>();
        if (object)
            pushObjectTable(lua, *object, what);
        else
            lua_pushnil(lua);
    } else if (value.type() == typeid(Array::Ptr)) {
        const auto& array = value.extract<Array::Ptr>();
        if (array)
            pushArray(lua, *array, what);
        else
            lua_pushnil(lua);
    } else if (value.type() == typeid(Object)) {
        pushObjectTable(lua, value.extract<Object>(), what);
    } else if (value.type() == typeid(Array)) {
        pushArray(lua, value.extract<Array>(), what);
    } else {
        const std::string text = value.convert<std::string>();
        lua_pushlstring(lua, text.data(), text.size());
    }
}

void pushView(lua_State* lua, const Object& view, const char* what) {
    pushObjectTable(lua, view, what);
}

namespace {

/// The sink of codec/RecordFields.h that fills the Lua table on top of the stack: what pushView makes of
/// the record's JSON view (nulls left out, nested tables read-only), without building the view.
class LuaSink {
public:
    LuaSink(lua_State* lua, const char* what) : _lua(lua), _table(lua_gettop(lua)), _what(what) {}
    void text(const char* key, std::string_view value) {
        lua_pushlstring(_lua, value.data(), value.size());
        lua_setfield(_lua, _table, key);
    }
    void integer(const char* key, std::int64_t value) {
        lua_pushinteger(_lua, static_cast<lua_Integer>(value));
        lua_setfield(_lua, _table, key);
    }
    void number(const char* key, double value) {
        lua_pushnumber(_lua, value);
        lua_setfield(_lua, _table, key);
    }
    void boolean(const char* key, bool value) {
        lua_pushboolean(_lua, value);
        lua_setfield(_lua, _table, key);
    }
    void null(const char*) {}
    template <class F> void object(const char* key, F&& fields) {
        luaL_checkstack(_lua, 4, "converting a record");
        lua_createtable(_lua, 0, 2);
        LuaSink inner(_lua, _what);
        fields(inner);
        sandbox::pushReadOnly(_lua, -1, _what);
        lua_remove(_lua, -2);
        lua_setfield(_lua, _table, key);
    }
    void textList(const char* key, const std::vector<std::string_view>& values) {
        luaL_checkstack(_lua, 4, "converting a record");
        lua_createtable(_lua, static_cast<int>(values.size()), 0);
        lua_Integer i = 0;
        for (auto v : values) {
            lua_pushlstring(_lua, v.data(), v.size());
            lua_rawseti(_lua, -2, ++i);
        }
        sandbox::pushReadOnly(_lua, -1, _what);
        lua_remove(_lua, -2);
        lua_setfield(_lua, _table, key);
    }

private:
    lua_State* _lua;
    int _table;
    const char* _what;
};

/// Pushes the read-only table of `record` with `extra(sink)` written after its own fields.
template <class Record, class Extra>
void pushRecord(lua_State* lua, const Record& record, const char* what, int size, Extra&& extra) {
    luaL_checkstack(lua, 8, "converting a record");
    lua_createtable(lua, 0, size);
    LuaSink sink(lua, what);
    codec::writeFields(record, sink);
    extra(sink);
    sandbox::pushReadOnly(lua, -1, what);
    lua_remove(lua, -2);
}

} // namespace

void pushPrice(lua_State* lua, const domain::PriceRecord& price, const domain::Facility& facility) {
    pushRecord(lua, price, "price", 24, [&](LuaSink& sink) {
        // As priceView adds them.
        sink.text("facility_kind", codec::fields::code(facility.kind));
        sink.text("facility_name", facility.name);
        sink.text("district", facility.district);
        const auto item = priceItemFields(price.item, facility.kind);
        if (item.category) sink.text("item_category", *item.category);
        if (item.regime) sink.text("item_regime", *item.regime);
    });
}

void pushFacility(lua_State* lua, const domain::Facility& facility) {
    pushRecord(lua, facility, "facility", 20, [](LuaSink&) {});
}

void pushBurialSite(lua_State* lua, const domain::BurialSite& site) {
    pushRecord(lua, site, "burial_site", 22, [](LuaSink&) {});
}

void pushReferencePrice(lua_State* lua, const domain::ReferencePrice& reference) {
    pushView(lua, *codec::toJson(reference), "reference price");
}

namespace {
Var convertCounting(lua_State* lua, int index, const std::string& path, std::size_t maxBytes, std::size_t* copied) {
    ToJson converter{lua, maxBytes};
    Var value = converter.convert(lua_absindex(lua, index), path, 0);
    if (copied) *copied = converter.bytes;
    return value;
}
} // namespace

Var toJson(lua_State* lua, int index, const std::string& path, std::size_t maxBytes) {
    return convertCounting(lua, index, path, maxBytes, nullptr);
}

Object::Ptr toJsonObject(lua_State* lua, int index, const std::string& path, std::size_t maxBytes,
                         std::size_t* copiedBytes) {
    index = lua_absindex(lua, index);
    if (copiedBytes) *copiedBytes = 0;
    if (lua_isnil(lua, index)) return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (lua_type(lua, index) != LUA_TTABLE)
        luaL_error(lua, "%s: a table expected, got %s", path.c_str(), luaL_typename(lua, index));
    Var value = convertCounting(lua, index, path, maxBytes, copiedBytes);
    if (value.type() == typeid(Object::Ptr)) return value.extract<Object::Ptr>();
    luaL_error(lua, "%s: a table with named fields expected, got a list", path.c_str());
    return nullptr;
}

Manifest readManifest(lua_State* lua, int index) {
    const int t = lua_absindex(lua, index);
    if (lua_type(lua, t) != LUA_TTABLE)
        luaL_error(lua, "manifest: the file must return a table (got %s)", luaL_typename(lua, t));

    static const std::set<std::string> known{"name",   "version",  "description", "districts",
                                             "checks", "validate", "defaults"};
    lua_pushnil(lua);
    while (lua_next(lua, t)) {
        lua_pop(lua, 1);
        if (lua_type(lua, -1) != LUA_TSTRING || !known.count(lua_tostring(lua, -1)))
            luaL_error(
                lua,
                "manifest: unknown field '%s' (expected name, version, description, districts, checks, "
                "validate, defaults)",
                lua_type(lua, -1) == LUA_TSTRING ? lua_tostring(lua, -1) : luaL_typename(lua, -1));
    }

    Manifest manifest;
    manifest.name = requiredString(lua, t, "name", "\"haidian.water-source-relocation\"");
    if (!isDottedName(manifest.name))
        luaL_error(
            lua,
            "manifest: name '%s' must be dotted lowercase words, e.g. \"haidian.water-source-relocation\"",
            manifest.name.c_str());
    manifest.version = requiredString(lua, t, "version", "\"1.0.0\"");
    // It names the version in URLs, logs and the decision record: a short plain token, like "1.0.0".
    if (!isVersionToken(manifest.version))
        luaL_error(lua, "manifest: version must be 1 to 40 letters, digits, '.', '-', '_' or '+' starting with a "
                        "letter or digit, e.g. \"1.0.0\"");

    const int descriptionType = field(lua, t, "description");
    if (descriptionType == LUA_TSTRING)
        manifest.description = lua_tostring(lua, -1);
    else if (descriptionType != LUA_TNIL)
        luaL_error(lua, "manifest: 'description' must be a string");
    lua_pop(lua, 1);

    const int districtsType = field(lua, t, "districts");
    if (districtsType == LUA_TTABLE) {
        const int d = lua_gettop(lua);
        const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(lua, d));
        for (lua_Integer i = 1; i <= n; ++i) {
            if (lua_rawgeti(lua, d, i) != LUA_TSTRING)
                luaL_error(lua, "manifest: 'districts' must be a list of district codes like \"110108\"");
            manifest.districts.emplace_back(lua_tostring(lua, -1));
            lua_pop(lua, 1);
        }
    } else if (districtsType != LUA_TNIL) {
        luaL_error(lua, "manifest: 'districts' must be a list of district codes like \"110108\"");
    }
    lua_pop(lua, 1);

    lua_newtable(lua); // hooks by name, returned to the caller
    const int hooks = lua_gettop(lua);
    for (const char* group : {"checks", "validate"}) {
        const int type = field(lua, t, group);
        if (type == LUA_TNIL) {
            lua_pop(lua, 1);
            continue;
        }
        if (type != LUA_TTABLE) luaL_error(lua, "manifest: '%s' must be a table of functions", group);
        const int g = lua_gettop(lua);
        lua_pushnil(lua);
        while (lua_next(lua, g)) {
            const char* subject = lua_type(lua, -2) == LUA_TSTRING ? lua_tostring(lua, -2) : "?";
            const std::string name = std::string(group) + "." + subject;
            const auto& all = allHookNames();
            if (std::find(all.begin(), all.end(), name) == all.end())
                luaL_error(lua, "manifest: unknown hook '%s' (expected price, facility or burial_site)",
                           name.c_str());
            if (lua_type(lua, -1) != LUA_TFUNCTION)
                luaL_error(lua, "manifest: hook '%s' must be a function, got %s", name.c_str(),
                           luaL_typename(lua, -1));
            lua_setfield(lua, hooks, name.c_str());
        }
        lua_pop(lua, 1);
    }
    for (const auto& name : allHookNames()) {
        if (lua_getfield(lua, hooks, name.c_str()) == LUA_TFUNCTION) manifest.hooks.push_back(name);
        lua_pop(lua, 1);
    }
    if (manifest.hooks.empty())
        luaL_error(lua, "manifest: no hooks: define at least one of checks.price, checks.facility, "
                        "checks.burial_site, validate.price, validate.facility, validate.burial_site");

    field(lua, t, "defaults");
    manifest.defaults = toJsonObject(lua, -1, "manifest: defaults");
    lua_pop(lua, 1);
    return manifest; // the hooks table stays pushed
}

void pushSubject(lua_State* lua, const Subject& subject) {
    if (subject.view) {
        const std::string what = domain::toString(subject.type);
        pushView(lua, *subject.view, what.c_str());
    } else if (subject.type == domain::SubjectType::Price) {
        pushPrice(lua, *subject.price, *subject.facility);
    } else if (subject.type == domain::SubjectType::Facility) {
        pushFacility(lua, *subject.facility);
    } else {
        pushBurialSite(lua, *subject.site);
    }
}

} // namespace registry::plugins::convert
