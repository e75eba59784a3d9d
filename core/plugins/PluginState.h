#pragma once
// One Lua state with plugins loaded into it, each in its own environment with its own ctx, and the ctx
// API those plugins call. A worker thread holds one at a time (StatePool); the registry and the test
// runner also use one to check a plugin file.

#include "domain/Enums.h"
#include "plugins/Limits.h"
#include "plugins/LuaState.h"
#include "plugins/Plugin.h"
#include "plugins/Views.h"

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace registry::plugins {

/// Where ctx.log and print go: the plugin's name (or its file while it loads) and the line.
using LogSink = std::function<void(const std::string& plugin, const std::string& message)>;

/// The server log: Poco logger "registry.plugins", level information.
LogSink serverLogSink();

/// What a hook call sees beyond its record.
struct CallEnvironment {
    PluginData* data = nullptr; // null: nothing behind ctx (lookups find nothing)
    std::string today;          // ctx.today(): "YYYY-MM-DD"
    std::string district;       // the record's district: ctx.reference_price's default
    std::string asOfDate;       // ctx.reference_price's date: a price's effective_from, else today
};

/// How one hook call ended, and what it reported before that.
struct HookResult {
    CallResult call;
    std::vector<Finding> findings;      // from ctx.finding; kept even if the call failed afterwards
    std::optional<std::string> refusal; // a validate hook's message
    std::size_t droppedFindings = 0;    // beyond maxFindingsPerCall
    std::vector<int> linesRun;          // with HostSettings::coverage: lines of the plugin's file that ran
};

/// The result of loading a plugin file.
struct LoadResult {
    CallResult call; // error, timeout or out of memory while the file ran, or a bad manifest
    Manifest manifest;
    /// With HostSettings::coverage: the lines of the file that hold code (of its top level and of every
    /// function reachable from its manifest, plus any other line that ran), and those its top level ran.
    std::vector<int> lines;
    std::vector<int> linesRun;
    bool ok() const { return call.ok(); }
};

class PluginState {
public:
    /// A state with the sandbox installed and no plugins. Throws std::runtime_error if even that does not
    /// fit the limits.
    PluginState(const HostSettings& settings, LogSink log, std::uint64_t generation = 0);

    /// Runs `code` (the text of `file`) in a fresh environment and reads the manifest it returns. On
    /// success the plugin stays loaded under its name with `config` as ctx.config (replacing a plugin of
    /// the same name). `file` names the chunk in messages ("common/basic_cap.lua").
    LoadResult load(const std::string& code, const std::string& file, const Poco::JSON::Object& config);

    /// Loads a plugin that loaded before; a failure here is kept and reported by call().
    void load(const PluginSource& source);

    /// A record converted to Lua once for the calls of several plugins on it: views are read-only, so
    /// plugins can share one. Must not outlive the state.
    class PreparedRecord {
    public:
        PreparedRecord(PluginState& state, domain::SubjectType subject, const Poco::JSON::Object& view);
        /// The same from a function that pushes the record's table (convert::pushPrice and the like).
        PreparedRecord(PluginState& state, domain::SubjectType subject,
                       const std::function<void(lua_State*)>& push);
        ~PreparedRecord();
        PreparedRecord(const PreparedRecord&) = delete;
        PreparedRecord& operator=(const PreparedRecord&) = delete;
        domain::SubjectType subject() const { return _subject; }

    private:
        friend class PluginState;
        PluginState& _state;
        domain::SubjectType _subject;
        int _ref = LUA_NOREF;
        CallResult _converted; // not ok when the view did not fit in memory
    };

    /// Calls hook `kind` of the loaded plugin `plugin` on a prepared record, under the limits. A plugin
    /// without that hook gives ok with nothing.
    HookResult call(const PluginSource& plugin, HookKind kind, const PreparedRecord& record,
                    const CallEnvironment& environment);

    /// The same for one plugin on one record.
    HookResult call(const PluginSource& plugin, HookKind kind, domain::SubjectType subject,
                    const Poco::JSON::Object& view, const CallEnvironment& environment);

    /// The registry generation this state was built for.
    std::uint64_t generation() const { return _generation; }

    /// A call ran out of memory: drop this state and build another.
    bool exhausted() const { return _lua.exhausted(); }

    std::size_t memoryUsed() const { return _lua.memoryUsed(); }

private:
    struct Slot {
        int hooks = LUA_NOREF; // table hook name → function
        int ctx = LUA_NOREF;
        std::string version;
        std::string error; // set when the plugin did not load in this state
    };
    struct Frame {
        const std::string* who = nullptr; // plugin name, or file while loading
        const std::string* version = nullptr;
        const std::string* hook = nullptr;
        const CallEnvironment* environment = nullptr;
        /// The districts the plugin applies to; empty (or null) for a citywide one. A district plugin sees
        /// only these districts' records through ctx (PLUGINS.md).
        const std::vector<std::string>* districts = nullptr;
        HookResult* result = nullptr;
        std::size_t logLines = 0;
        std::size_t findingBytes = 0; // text of this call's findings so far (message, rule, details)
    };
    class FrameScope;

    static PluginState& self(lua_State* lua);
    /// May the plugin of `frame` see a record of `district` through ctx?
    static bool reaches(const Frame& frame, const std::string& district);
    Frame& frame(lua_State* lua, const char* function);
    void pushContext(lua_State* lua, const Poco::JSON::Object& config);

    static int luaPrint(lua_State* lua);
    static int ctxFinding(lua_State* lua);
    static int ctxReferencePrice(lua_State* lua);
    static int ctxPreviousPrice(lua_State* lua);
    static int ctxCurrentPrices(lua_State* lua);
    static int ctxFacility(lua_State* lua);
    static int ctxToday(lua_State* lua);
    static int ctxLog(lua_State* lua);
    void writeLog(const std::string& line);

    LuaState _lua;
    bool _coverage;
    std::size_t _maxFindings;
    std::size_t _maxLogLines;
    LogSink _log;
    std::uint64_t _generation;
    std::unordered_map<std::string, Slot> _slots;
    std::unordered_map<std::int64_t, std::pair<std::int64_t, int>> _referenceTables; // cap id → (version, ref)
    Frame* _frame = nullptr;
};

} // namespace registry::plugins
