#include "plugins/WorkerPool.h"

#include "plugins/Worker.h"

#include <Poco/Logger.h>

namespace registry::plugins {

WorkerPool::WorkerPool(const PluginRegistry& registry, LogSink log)
    : _registry(registry), _log(std::move(log)),
      _executable(registry.settings().workerExecutable.empty() ? defaultWorkerExecutable()
                                                               : registry.settings().workerExecutable) {}

std::unique_ptr<SandboxProcess> WorkerPool::start(const PluginSet& set) {
    auto process = std::make_unique<SandboxProcess>(_executable, _registry.settings(), _log);
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _confinement = process->confinement();
        if (!process->confinement().seccomp && !_warned) { // once: the kernel answers every process alike
            _warned = true;
            Poco::Logger::get("registry.plugins")
                .warning("plugin sandbox processes run WITHOUT a seccomp filter: %s",
                         process->confinement().seccompError);
        }
    }
    std::string why;
    if (!process->loadSet(set, why)) {
        // Once more in a new process: a plugin file that hung on its first run may not hang on its second.
        process = std::make_unique<SandboxProcess>(_executable, _registry.settings(), _log);
        if (!process->loadSet(set, why))
            throw std::runtime_error("the plugin sandbox process could not load the plugins: " + why);
    }
    return process;
}

WorkerPool::Lease WorkerPool::acquire() {
    std::unique_ptr<SandboxProcess> process;
    {
        std::unique_lock<std::mutex> lock(_mutex);
        const std::size_t limit = std::max<std::size_t>(1, _registry.settings().states);
        const bool free = _available.wait_for(lock, _registry.settings().queueTimeout,
                                              [&] { return !_idle.empty() || _created < limit; });
        if (!free)
            throw Unavailable("all " + std::to_string(limit) + " plugin sandbox processes are busy (waited " +
                       std::to_string(_registry.settings().queueTimeout.count()) + " ms)");
        if (!_idle.empty()) {
            process = std::move(_idle.back());
            _idle.pop_back();
        } else {
            ++_created;
        }
    }
    std::shared_ptr<const PluginSet> set = _registry.current();
    try {
        if (process && (!process->alive() || process->cpuMilliseconds() > kWorkerCpuSeconds * 500)) process.reset();
        if (process && process->generation() != set->generation) {
            std::string why;
            if (!process->loadSet(*set, why)) process.reset();
        }
        if (!process) process = start(*set);
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(_mutex);
        --_created;
        _available.notify_one();
        throw Unavailable(e.what());
    }
    return Lease(*this, std::move(process), std::move(set));
}

void WorkerPool::giveBack(std::unique_ptr<SandboxProcess> process) {
    std::lock_guard<std::mutex> lock(_mutex);
    if (process && process->alive())
        _idle.push_back(std::move(process));
    else
        --_created;
    _available.notify_one();
}

std::optional<protocol::Confinement> WorkerPool::confinement() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _confinement;
}

std::size_t WorkerPool::size() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _created;
}

WorkerPool::Lease::Lease(WorkerPool& pool, std::unique_ptr<SandboxProcess> process,
                         std::shared_ptr<const PluginSet> set)
    : _pool(&pool), _process(std::move(process)), _set(std::move(set)) {}

WorkerPool::Lease::Lease(Lease&& other) noexcept
    : _pool(other._pool), _process(std::move(other._process)), _set(std::move(other._set)) {
    other._pool = nullptr;
}

WorkerPool::Lease::~Lease() {
    if (_pool) _pool->giveBack(std::move(_process));
}

void WorkerPool::Lease::replace() {
    _process.reset();
    try {
        _process = _pool->start(*_set);
    } catch (const std::exception& e) {
        throw Unavailable(e.what());
    }
}

} // namespace registry::plugins
