#pragma once
// Text that came from users, clients or plugins, made safe to put in a log line.

#include <string>
#include <string_view>

namespace registry::domain {

/// `text` with every control character escaped, so that one log entry stays one line and a username, a
/// URI or a plugin's message cannot forge another entry or send terminal escape sequences:
/// "\n" → `\n`, "\r" → `\r`, "\t" → `\t`, a backslash → `\\` (so an escape in the output is never
/// ambiguous), other C0 controls and DEL → `\xNN`. Everything else, UTF-8 included, is kept as it is.
std::string logSafe(std::string_view text);

} // namespace registry::domain
