#pragma once
// Lua states for worker threads: a thread leases one for as long as it runs plugins and gives it back.
// A state is built with the registry's current plugins and rebuilt when the registry has moved on (a
// reload) or when a call exhausted its memory. At most `HostSettings::states` exist; a thread that finds
// none free waits for one.

#include "plugins/PluginRegistry.h"
#include "plugins/PluginState.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace registry::plugins {

class StatePool {
public:
    /// `registry` must outlive the pool.
    StatePool(const PluginRegistry& registry, LogSink log = serverLogSink());

    class Lease {
    public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease();

        PluginState& state() { return *_state; }
        /// The plugins the state was built with.
        const PluginSet& plugins() const { return *_set; }
        /// Builds the state again if the last call exhausted it; keeps the same plugins.
        void refresh();

    private:
        friend class StatePool;
        Lease(StatePool& pool, std::unique_ptr<PluginState> state, std::shared_ptr<const PluginSet> set);
        StatePool* _pool;
        std::unique_ptr<PluginState> _state;
        std::shared_ptr<const PluginSet> _set;
    };

    /// A state with the current plugins loaded. Blocks while all states are leased. Throws
    /// std::runtime_error if a state cannot be built at all.
    Lease acquire();

    /// States that exist now (leased or idle).
    std::size_t size() const;

private:
    std::unique_ptr<PluginState> build(const PluginSet& set) const;
    void giveBack(std::unique_ptr<PluginState> state);

    const PluginRegistry& _registry;
    LogSink _log;
    mutable std::mutex _mutex;
    std::condition_variable _available;
    std::vector<std::unique_ptr<PluginState>> _idle;
    std::size_t _created = 0;
};

} // namespace registry::plugins
