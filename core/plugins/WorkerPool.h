#pragma once
// Sandbox processes for the server's threads: a thread leases one for a write's hooks or an audit batch and
// gives it back. A process is started on first need, loaded with the registry's current plugins, loaded
// again after a reload, and replaced when it was killed or died. At most `HostSettings::states` exist; a
// thread that finds none free waits up to `HostSettings::queueTimeout`, then gets Unavailable (the API's
// 503) instead of holding its client for ever.

#include "plugins/PluginRegistry.h"
#include "plugins/SandboxProcess.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

namespace registry::plugins {

/// No sandbox process to be had: every one is in use and none came free in time, or none would start.
class Unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class WorkerPool {
public:
    /// `registry` must outlive the pool.
    WorkerPool(const PluginRegistry& registry, LogSink log);

    class Lease {
    public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease();

        /// A live process with plugins() loaded.
        SandboxProcess& process() { return *_process; }
        const PluginSet& plugins() const { return *_set; }
        /// After the process was killed or died: starts another with the same plugins. Throws
        /// std::runtime_error when that fails too.
        void replace();

    private:
        friend class WorkerPool;
        Lease(WorkerPool& pool, std::unique_ptr<SandboxProcess> process, std::shared_ptr<const PluginSet> set);
        WorkerPool* _pool;
        std::unique_ptr<SandboxProcess> _process;
        std::shared_ptr<const PluginSet> _set;
    };

    /// A process with the current plugins loaded. Throws Unavailable (none free in time, or one could not
    /// be started or could not load the plugins).
    Lease acquire();

    /// How the last process started is confined; nullopt before the first.
    std::optional<protocol::Confinement> confinement() const;
    std::size_t size() const;

private:
    std::unique_ptr<SandboxProcess> start(const PluginSet& set);
    void giveBack(std::unique_ptr<SandboxProcess> process);

    const PluginRegistry& _registry;
    LogSink _log;
    std::string _executable;
    mutable std::mutex _mutex;
    std::condition_variable _available;
    std::vector<std::unique_ptr<SandboxProcess>> _idle;
    std::size_t _created = 0;
    std::optional<protocol::Confinement> _confinement;
    bool _warned = false;
};

} // namespace registry::plugins
