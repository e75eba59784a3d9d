#pragma once
// Lua's pattern matcher backtracks in C, where the count hook never runs: string.find(s, ".-.-.-.-x") on a
// long string would hold a worker for hours, past every limit. Before a call reaches the matcher, the guard
// bounds the work it can do and refuses a call whose bound is too high, with a message that says why.
//
// The bound is (n+1)^(1 + k) · 2^q for a subject of n bytes, k items that repeat ('*', '+', '-', and %b and
// back-references, which scan) and q optional items ('?'), times the length of the longest [set] (each step
// compares a set member by member); an anchored pattern drops the first factor.
// Patterns on record fields (codes, names, notes) stay far below it.

#include "plugins/Lua.h"

#include <cstddef>
#include <string_view>

namespace registry::plugins::sandbox {

/// At most this many matcher steps per call.
constexpr double kMaxPatternSteps = 2e8;

/// The bound above for `pattern` on a subject of `subjectBytes`; `anchorAllowed` is false for gmatch, where
/// '^' is an ordinary character. Stops counting once past kMaxPatternSteps.
double patternStepBound(std::string_view pattern, std::size_t subjectBytes, bool anchorAllowed);

/// Replaces find, match, gmatch and gsub in the string library table at `index` with guarded versions.
/// Inside LuaState::run.
void guardPatternFunctions(lua_State* lua, int index);

} // namespace registry::plugins::sandbox
