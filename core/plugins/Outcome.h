#pragma once
// The closed set of ways a call into Lua can end. Callers switch on the outcome, never on message text.

#include <string>

namespace registry::plugins {

enum class Outcome {
    Ok,
    Error,       // the plugin raised an error (or broke the contract, e.g. a bad ctx.finding)
    Timeout,     // instruction budget or wall time of the call used up
    OutOfMemory, // the Lua state's memory cap reached
};

/// "ok", "error", "timeout", "out_of_memory": the form findings and logs carry.
std::string toString(Outcome outcome);

struct CallResult {
    Outcome outcome = Outcome::Ok;
    std::string message;   // "common/x.lua:12: attempt to index a nil value (local 'p')"; empty when ok
    std::string traceback; // Lua stack at the error, for plugin authors; may be empty

    bool ok() const { return outcome == Outcome::Ok; }
};

} // namespace registry::plugins
