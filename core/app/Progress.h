#pragma once
// Progress of a long CLI job: a redrawn bar on a terminal, a plain line every 10% otherwise (logs, CI).

#include <chrono>
#include <cstddef>
#include <string>

namespace registry::app {

class Progress {
public:
    explicit Progress(std::string label);
    void update(std::size_t done, std::size_t total);
    void finish();

private:
    std::string _label;
    bool _terminal;
    int _lastDecile = -1;
    std::chrono::steady_clock::time_point _lastDraw{};
};

} // namespace registry::app
