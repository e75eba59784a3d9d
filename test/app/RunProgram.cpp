#include "RunProgram.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <random>
#include <thread>

namespace registry::test {

ProgramResult runProgram(const std::vector<std::string>& args, const std::string& workDir,
                         const std::map<std::string, std::string>& env, const std::string& input) {
    Poco::Pipe inPipe, outPipe, errPipe;
    Poco::Process::Env environment(env.begin(), env.end());
    Poco::ProcessHandle handle =
        Poco::Process::launch(REGISTRY_BINARY, args, workDir, &inPipe, &outPipe, &errPipe, environment);
    {
        Poco::PipeOutputStream in(inPipe);
        in << input;
        in.close();
    }
    ProgramResult result;
    // Read stderr on a thread so that neither pipe can fill up and stall the program.
    std::thread errReader([&] {
        Poco::PipeInputStream err(errPipe);
        Poco::StreamCopier::copyToString(err, result.err);
    });
    Poco::PipeInputStream out(outPipe);
    Poco::StreamCopier::copyToString(out, result.out);
    errReader.join();
    result.exitCode = handle.wait();
    std::string what = "funeral-registry";
    for (const auto& arg : args) what += " " + arg;
    checkNoSanitizerReport(what, result.exitCode, result.err);
    return result;
}

void checkNoSanitizerReport(const std::string& what, int exitCode, const std::string& err) {
    const bool report = err.find("ERROR: AddressSanitizer") != std::string::npos ||
                        err.find("ERROR: LeakSanitizer") != std::string::npos ||
                        err.find("runtime error: ") != std::string::npos;
    if (exitCode > 255)
        BOOST_ERROR(what << " was killed by signal " << exitCode - 256 << "; its stderr:\n" << err);
    else if (report)
        BOOST_ERROR(what << " reported a sanitizer error; its stderr:\n" << err);
}

TempDir::TempDir() {
    static std::mt19937_64 rng{std::random_device{}()};
    auto path = std::filesystem::temp_directory_path() / ("registry_app_" + std::to_string(rng()));
    std::filesystem::create_directories(path);
    _path = path.string();
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(_path, ec);
}

int freePort() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    return socket.address().port();
}

} // namespace registry::test
