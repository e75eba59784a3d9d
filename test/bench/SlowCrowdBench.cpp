// scripts/bench.sh slow: holds a crowd of slow and idle connections against a server while wrk reads.
// Usage: slow_crowd PORT EACH SECONDS. Prints "ready" once all 3 x EACH connections are open, keeps them for
// SECONDS, then prints how many the server closed (and reopened here) and how many slow bodies got 408.
#include "support/SlowCrowd.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: slow_crowd PORT EACH SECONDS\n";
        return 2;
    }
    const int port = std::atoi(argv[1]), each = std::atoi(argv[2]), seconds = std::atoi(argv[3]);
    registry::testsupport::Crowd crowd(port, each);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (crowd.opened() < 3 * each && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (crowd.opened() < 3 * each) {
        std::cerr << "slow_crowd: only " << crowd.opened() << " of " << 3 * each << " connections opened\n";
        return 1;
    }
    std::cout << "ready" << std::endl;
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    std::cout << "reopened " << crowd.reopened() << " timed_out " << crowd.timedOut() << std::endl;
    return 0;
}
