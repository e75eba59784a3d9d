#pragma once
// One Lua state with the host's limits: an allocator with a cap, and a count hook that ends a call that
// runs too long. Everything that touches the state goes through run(), which is protected (a Lua error or
// a limit never escapes into the host) and installs the hook only for its duration, so plugins cost
// speed only while they run.
//
// A limit, once reached, cannot be caught from Lua: the hook keeps raising on every instruction until the
// host's protected call returns, and the sandbox's pcall/xpcall re-raise (see Sandbox.h).
//
// Not thread-safe: one thread uses a state at a time (StatePool hands them out).

#include "plugins/Limits.h"
#include "plugins/Lua.h"
#include "plugins/Outcome.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace registry::plugins {

class LuaState {
public:
    /// Opens a bare state (no libraries) whose allocator refuses to go past limits.memoryBytes.
    /// Throws std::bad_alloc if even that fails.
    explicit LuaState(const Limits& limits);
    ~LuaState();
    LuaState(const LuaState&) = delete;
    LuaState& operator=(const LuaState&) = delete;

    lua_State* lua() const { return _lua; }
    const Limits& limits() const { return _limits; }

    /// Runs `body(lua_State*)` protected and under the limits of one call. `body` may use any Lua API,
    /// raise Lua errors and call plugin functions unprotected (lua_call): the outcome says how it ended.
    /// The stack is as before when run returns. A C++ exception from `body` becomes an Error outcome.
    template <class Body> CallResult run(Body&& body) {
        return runErased(&invoke<std::remove_reference_t<Body>>, &body);
    }

    /// Inside run(): compiles `source` as a text chunk (binary chunks are refused) named `chunkName`
    /// ("common/x.lua", shown in messages) and pushes the function; raises a Lua error on a syntax error.
    static void loadText(lua_State* lua, std::string_view source, const std::string& chunkName);

    /// Inside run(): true once the call reached a limit. Code that catches errors on behalf of Lua (the
    /// sandbox's pcall) must re-raise when this is true.
    bool limitReached() const { return _budget.trip != Trip::None; }

    /// Inside run(): the call ran out of memory (status LUA_ERRMEM seen by a protected call in the
    /// sandbox); from now on the call cannot continue.
    void noteOutOfMemory();

    /// True after a call ended out of memory: whatever filled the state (a plugin's global table) may
    /// still be there, so the owner should replace the state rather than reuse it.
    bool exhausted() const { return _exhausted; }

    std::size_t memoryUsed() const { return _used; }

    /// Coverage (`plugin test --coverage`): from now on every line that runs in the chunk loaded as
    /// `chunkName` is recorded, through Lua's line hook, until recordLines("") stops it. Slow: for tests.
    void recordLines(const std::string& chunkName);
    /// The lines recorded since the last call, in order; the record starts again empty.
    std::vector<int> takeLinesRun();

    /// The LuaState that owns `lua` (any thread of it).
    static LuaState& from(lua_State* lua);

private:
    enum class Trip { None, Instructions, WallTime, Memory };
    struct Budget {
        bool active = false;
        std::uint64_t instructions = 0;
        std::chrono::steady_clock::time_point deadline;
        std::chrono::steady_clock::time_point lastTick;
        int interval = 0; // instructions between hook calls now
        Trip trip = Trip::None;
    };

    using Erased = void (*)(void* body, lua_State* lua);
    template <class Body> static void invoke(void* body, lua_State* lua) { (*static_cast<Body*>(body))(lua); }
    CallResult runErased(Erased invoke, void* body);

    static void* allocate(void* ud, void* ptr, std::size_t oldSize, std::size_t newSize) noexcept;
    static void countHook(lua_State* lua, lua_Debug* ar);
    static int messageHandler(lua_State* lua);
    static int trampoline(lua_State* lua);
    void trip(Trip why);
    std::string limitMessage() const;
    CallResult finish(int status);

    Limits _limits;
    lua_State* _lua = nullptr;
    std::size_t _used = 0;
    bool _exhausted = false;
    Budget _budget;
    std::string _traceback; // written by the message handler of the current call
    std::string _handledMessage;
    bool _handled = false;
    int hookMask() const { return LUA_MASKCOUNT | (_linesSource.empty() ? 0 : LUA_MASKLINE); }
    std::string _linesSource; // "@" + the chunk whose lines are recorded; empty: none are
    std::set<int> _linesRun;
    Erased _invoke = nullptr; // the body of the current run()
    void* _body = nullptr;
};

} // namespace registry::plugins
