#include "plugins/StatePool.h"

namespace registry::plugins {

StatePool::StatePool(const PluginRegistry& registry, LogSink log)
    : _registry(registry), _log(std::move(log)) {}

std::unique_ptr<PluginState> StatePool::build(const PluginSet& set) const {
    auto state = std::make_unique<PluginState>(_registry.settings(), _log, set.generation);
    for (const auto& plugin : set.plugins)
        state->load(*plugin);
    return state;
}

StatePool::Lease StatePool::acquire() {
    std::unique_ptr<PluginState> state;
    {
        std::unique_lock<std::mutex> lock(_mutex);
        const std::size_t limit = std::max<std::size_t>(1, _registry.settings().states);
        _available.wait(lock, [&] { return !_idle.empty() || _created < limit; });
        if (!_idle.empty()) {
            state = std::move(_idle.back());
            _idle.pop_back();
        } else {
            ++_created;
        }
    }
    std::shared_ptr<const PluginSet> set = _registry.current();
    try {
        if (!state || state->generation() != set->generation || state->exhausted()) {
            state.reset();
            state = build(*set);
        }
    } catch (...) {
        std::lock_guard<std::mutex> lock(_mutex);
        --_created;
        _available.notify_one();
        throw;
    }
    return Lease(*this, std::move(state), std::move(set));
}

void StatePool::giveBack(std::unique_ptr<PluginState> state) {
    std::lock_guard<std::mutex> lock(_mutex);
    if (state && !state->exhausted())
        _idle.push_back(std::move(state));
    else
        --_created;
    _available.notify_one();
}

std::size_t StatePool::size() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _created;
}

StatePool::Lease::Lease(StatePool& pool, std::unique_ptr<PluginState> state,
                        std::shared_ptr<const PluginSet> set)
    : _pool(&pool), _state(std::move(state)), _set(std::move(set)) {}

StatePool::Lease::Lease(Lease&& other) noexcept
    : _pool(other._pool), _state(std::move(other._state)), _set(std::move(other._set)) {
    other._pool = nullptr;
}

StatePool::Lease::~Lease() {
    if (_pool) _pool->giveBack(std::move(_state));
}

void StatePool::Lease::refresh() {
    if (_state && _state->exhausted()) {
        _state.reset();
        _state = _pool->build(*_set);
    }
}

} // namespace registry::plugins
