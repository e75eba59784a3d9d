#include "app/Progress.h"

#include <cstdio>
#include <unistd.h>

namespace registry::app {

Progress::Progress(std::string label) : _label(std::move(label)), _terminal(isatty(STDERR_FILENO) == 1) {}

void Progress::update(std::size_t done, std::size_t total) {
    const double fraction = total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    if (_terminal) {
        const auto now = std::chrono::steady_clock::now();
        if (now - _lastDraw < std::chrono::milliseconds(100) && fraction < 1.0) return;
        _lastDraw = now;
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% (%zu/%zu)", _label.c_str(), filled,
                     "##############################", width - filled, "", static_cast<int>(fraction * 100), done,
                     total);
        std::fflush(stderr);
        return;
    }
    const int decile = static_cast<int>(fraction * 10);
    if (decile == _lastDecile) return;
    _lastDecile = decile;
    std::fprintf(stderr, "%s: %d%% (%zu/%zu)\n", _label.c_str(), decile * 10, done, total);
}

void Progress::finish() {
    if (_terminal) std::fprintf(stderr, "\n");
}

} // namespace registry::app
