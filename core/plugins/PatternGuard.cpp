#include "plugins/PatternGuard.h"

#include <algorithm>
#include <cstring>

namespace registry::plugins::sandbox {

namespace {

/// Index just after the single-character class starting at `i` (a letter, "%x" or "[set]"), as Lua's
/// matcher reads it; `pattern.size()` for a malformed class, which the matcher itself reports.
std::size_t classEnd(std::string_view pattern, std::size_t i) {
    const std::size_t size = pattern.size();
    if (pattern[i] == '%') return i + 2 <= size ? i + 2 : size;
    if (pattern[i] != '[') return i + 1;
    std::size_t j = i + 1;
    if (j < size && pattern[j] == '^') ++j;
    do { // the first character of a set may be ']'
        if (j >= size) return size;
        if (pattern[j++] == '%' && j < size) ++j;
    } while (j < size && pattern[j] != ']');
    return j < size ? j + 1 : size;
}

/// True when `pattern` has none of the characters that make find use the matcher.
bool plainText(std::string_view pattern) {
    return pattern.find_first_of("^$*+?.([%-") == std::string_view::npos;
}

/// The guarded function's name, for messages: its upvalue 2.
const char* nameOf(lua_State* lua) {
    return lua_tostring(lua, lua_upvalueindex(2));
}

/// Calls the original function (upvalue 1) with the same arguments and returns all it returns.
int callOriginal(lua_State* lua) {
    const int arguments = lua_gettop(lua);
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_insert(lua, 1);
    lua_call(lua, arguments, LUA_MULTRET);
    return lua_gettop(lua);
}

/// find, match, gmatch, gsub: (subject, pattern, ...); find's fourth argument `plain` skips the matcher.
int guarded(lua_State* lua) {
    std::size_t subject = 0;
    std::size_t patternSize = 0;
    luaL_checklstring(lua, 1, &subject);
    const char* pattern = luaL_checklstring(lua, 2, &patternSize);
    const char* name = nameOf(lua);
    const bool find = std::strcmp(name, "find") == 0;
    const bool plain = find && (lua_toboolean(lua, 4) || plainText({pattern, patternSize}));
    if (!plain) {
        const bool anchorAllowed = std::strcmp(name, "gmatch") != 0;
        const double bound = patternStepBound({pattern, patternSize}, subject, anchorAllowed);
        if (bound > kMaxPatternSteps)
            return luaL_error(
                lua,
                "string.%s: pattern too costly for a subject of %d bytes (over %d million matcher "
                "steps possible); use fewer '*', '+', '-' items, an anchor, or a shorter subject",
                name, static_cast<int>(subject), static_cast<int>(kMaxPatternSteps / 1e6));
    }
    return callOriginal(lua);
}

} // namespace

double patternStepBound(std::string_view pattern, std::size_t subjectBytes, bool anchorAllowed) {
    const double n = static_cast<double>(subjectBytes) + 1;
    double bound = n; // every start position
    std::size_t i = 0;
    if (anchorAllowed && !pattern.empty() && pattern[0] == '^') {
        bound = 1;
        i = 1;
    }
    // Each step compares one item; a [set] is compared member by member, so a step costs up to the longest
    // set's length: a class of 10 000 characters made string.find run for 18 s within the old bound.
    std::size_t longestSet = 1;
    while (i < pattern.size() && bound * static_cast<double>(longestSet) <= kMaxPatternSteps) {
        const char c = pattern[i];
        if (c == '(' || c == ')' || (c == '$' && i + 1 == pattern.size())) {
            ++i;
            continue;
        }
        if (c == '%' && i + 1 < pattern.size()) {
            const char next = pattern[i + 1];
            if (next == 'b') { // %bxy scans for the balancing character
                bound *= n;
                i += 4;
                continue;
            }
            if (next == 'f') { // %f[set]: a frontier, one comparison
                i = i + 2 < pattern.size() ? classEnd(pattern, i + 2) : pattern.size();
                continue;
            }
            if (next >= '0' && next <= '9') { // a back-reference compares a capture
                bound *= n;
                i += 2;
                continue;
            }
        }
        std::size_t end = classEnd(pattern, i);
        if (c == '[' && end > i + 2) longestSet = std::max(longestSet, end - i - 2);
        if (end < pattern.size()) {
            const char quantifier = pattern[end];
            if (quantifier == '*' || quantifier == '+' || quantifier == '-') {
                bound *= n;
                ++end;
            } else if (quantifier == '?') {
                bound *= 2;
                ++end;
            }
        }
        i = end;
    }
    return bound * static_cast<double>(longestSet);
}

void guardPatternFunctions(lua_State* lua, int index) {
    index = lua_absindex(lua, index);
    for (const char* name : {"find", "match", "gmatch", "gsub"}) {
        lua_getfield(lua, index, name);
        lua_pushstring(lua, name);
        lua_pushcclosure(lua, &guarded, 2);
        lua_setfield(lua, index, name);
    }
}

} // namespace registry::plugins::sandbox
