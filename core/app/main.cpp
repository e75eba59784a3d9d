// funeral-registry: the registry of Beijing's funeral facilities, burial-site rectification and prices.

#include "app/RegistryApp.h"
#include "plugins/Sandbox.h"
#include "plugins/Worker.h"

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    registry::plugins::sandbox::pinLocalTimeZone();
    // The plugin sandbox process the server starts (plugins/Worker.h): not a verb for people, so it is
    // handled before the command line, and with nothing of the application set up.
    if (argc == 5 && std::string(argv[1]) == "plugin-worker" && std::string(argv[2]) == "3" &&
        std::string(argv[4]) == "4") {
        const long memoryMb = std::strtol(argv[3], nullptr, 10);
        if (memoryMb <= 0) return 2;
        return registry::plugins::workerMain(3, static_cast<std::size_t>(memoryMb) << 20, 4);
    }
    registry::app::CommandLine commandLine;
    try {
        commandLine = registry::app::CommandLine::parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "funeral-registry: " << e.what() << " (see funeral-registry --help)\n";
        return 2;
    }
    if (commandLine.help) {
        std::cout << registry::app::usage(commandLine.verb);
        return 0;
    }
    if (commandLine.verb.empty()) {
        std::cerr << registry::app::usage();
        return 2;
    }
    try {
        registry::app::RegistryApp app(commandLine);
        char* programOnly[] = {argv[0], nullptr};
        return app.run(1, programOnly);
    } catch (const std::exception& e) {
        std::cerr << "funeral-registry: " << e.what() << "\n";
        return 1;
    }
}
