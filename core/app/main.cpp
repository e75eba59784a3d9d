// funeral-registry: the registry of Beijing's funeral facilities, burial-site rectification and prices.

#include "app/RegistryApp.h"
#include "plugins/Sandbox.h"

#include <iostream>

int main(int argc, char** argv) {
    registry::plugins::sandbox::pinLocalTimeZone();
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
