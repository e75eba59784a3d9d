// Plugins in sandbox processes (issue 13): what the kernel enforces (the seccomp filter, the address-space
// limit), what the server enforces (the time limit by SIGKILL, a worker that dies, a worker that lies),
// and that `plugin test` / `plugin check` hold a plugin to the same limits on a laptop.

#include "PluginTestSupport.h"

#include "plugins/PluginHost.h"
#include "plugins/Worker.h"

#include <boost/test/unit_test.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace registry::plugins;
using Poco::JSON::Object;
using registry::domain::SubjectType;
using registry::test::TempPluginDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string checker(const std::string& name, const std::string& body) {
    return "return { name = '" + name + "', version = '1.0.0', checks = { price = function(p, ctx)\n" + body +
           "\nend } }\n";
}

// memcmp over a 1 MiB needle at each of a million places: minutes inside one C call, no instruction counted.
const std::string kPlainFindHang =
    "local s = string.rep('a', 2 * 1024 * 1024)\nstring.find(s, string.rep('a', 1024 * 1024) .. 'b', 1, true)";

/// What a child confined as a worker gets from a system call it must not make: killed by SIGSYS, or (in a
/// sanitizer build, where refused calls fail with EPERM instead) exit code 0 when the call failed as it
/// should. Anything else (the call succeeded) is exit code 1.
int forbiddenCall(void (*attempt)(int& result)) {
    const pid_t child = fork();
    if (child == 0) {
        confineWorker(64u << 20);
        int result = 0;
        attempt(result);
        _exit(result < 0 && errno == EPERM ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGSYS ? 0 : 100 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

struct PriceSubject {
    Object::Ptr view = registry::test::samplePriceView();
    Subject subject{SubjectType::Price, view.get(), "110108"};
};

long long residentKiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    return -1;
}

/// Runs the real binary; its output and exit status.
std::pair<int, std::string> runBinary(const std::string& arguments) {
    const std::string command = std::string(REGISTRY_BINARY) + " " + arguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    std::array<char, 4096> buffer{};
    while (pipe && std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
    const int status = pipe ? pclose(pipe) : -1;
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

} // namespace

BOOST_AUTO_TEST_SUITE(sandbox_process)

BOOST_AUTO_TEST_CASE(the_seccomp_filter_refuses_open_socket_exec_and_fork) {
    BOOST_TEST(forbiddenCall([](int& r) { r = ::open("/etc/passwd", O_RDONLY); }) == 0);
    BOOST_TEST(forbiddenCall([](int& r) { r = ::openat(AT_FDCWD, "/etc/passwd", O_RDONLY); }) == 0);
    BOOST_TEST(forbiddenCall([](int& r) { r = ::socket(AF_INET, SOCK_STREAM, 0); }) == 0);
    BOOST_TEST(forbiddenCall([](int& r) {
                   char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
                   r = ::execve("/bin/true", argv, nullptr);
               }) == 0);
    BOOST_TEST(forbiddenCall([](int& r) { r = static_cast<int>(::syscall(SYS_fork)); }) == 0);
    // What a Lua state needs still works under it: memory, the clock, writing to the socket.
    const pid_t child = fork();
    if (child == 0) {
        confineWorker(64u << 20);
        std::string grown(32u << 20, 'x'); // 32 MiB through mmap
        timespec now{};
        const bool ok = clock_gettime(CLOCK_MONOTONIC, &now) == 0 && grown.back() == 'x' && write(2, "", 0) == 0;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(the_host_reports_how_plugins_are_confined) {
    TempPluginDir dir;
    dir.write("common/a.lua", checker("test.a", ""));
    PluginHost host(registry::test::fastSettings(), [](const std::string&, const std::string&) {});
    BOOST_REQUIRE_EQUAL(host.load(dir.path()).active, 1u);
    const auto sandbox = host.sandbox();
    BOOST_TEST((sandbox.isolation == Isolation::Process));
    BOOST_TEST(sandbox.started); // load starts the first process
    BOOST_TEST(sandbox.seccomp, sandbox.seccompError);
}

BOOST_AUTO_TEST_CASE(a_call_stuck_in_c_is_ended_at_the_time_limit_and_the_next_plugin_runs) {
    TempPluginDir dir;
    dir.write("common/a_hang.lua", checker("test.a-hang", kPlainFindHang));
    dir.write("common/b_good.lua", checker("test.b-good", "ctx.finding{ rule = 'good', severity = 'info', message = 'ok' }"));
    auto settings = registry::test::fastSettings();
    settings.limits.wallTimePerCall = std::chrono::milliseconds(500);
    PluginHost host(settings, [](const std::string&, const std::string&) {});
    BOOST_REQUIRE_EQUAL(host.load(dir.path()).active, 2u);
    PriceSubject price;
    NoPluginData data;
    for (int round = 0; round < 2; ++round) { // and again in the replacement process
        const auto started = std::chrono::steady_clock::now();
        const auto findings = host.runChecks(price.subject, data, "2024-06-01");
        const auto took = std::chrono::steady_clock::now() - started;
        BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 500 + 1000);
        BOOST_REQUIRE_EQUAL(findings.size(), 2u);
        BOOST_TEST(findings[0].plugin == "test.a-hang");
        BOOST_TEST(findings[0].rule == "plugin.timeout");
        BOOST_TEST(contains(findings[0].message, "failed in checks.price on price 42: time limit exceeded (500 ms"),
                   findings[0].message);
        BOOST_TEST(findings[1].plugin == "test.b-good");
        BOOST_TEST(findings[1].rule == "good");
    }
    // A validate hook stuck the same way refuses nothing.
    dir.write("common/a_hang.lua", "return { name = 'test.a-hang', version = '1.0.1', validate = { price = function(p, ctx)\n" +
                                       kPlainFindHang + "\nreturn 'refused' end } }\n");
    BOOST_REQUIRE_EQUAL(host.reload().active, 2u);
    const auto validated = host.runValidate(price.subject, data, "2024-06-01");
    BOOST_TEST(!validated.refusal.has_value());
    BOOST_REQUIRE_EQUAL(validated.findings.size(), 1u);
    BOOST_TEST(validated.findings[0].rule == "plugin.timeout");
    BOOST_TEST(validated.findings[0].hook == "validate.price");
}

BOOST_AUTO_TEST_CASE(copies_a_plugin_makes_stay_in_the_sandbox) {
    TempPluginDir dir;
    // The same 8 MiB string under 10 000 keys: the host copying each reference would need 80 GB.
    dir.write("common/big.lua",
              checker("test.big", "local big, d = string.rep('x', 8 * 1024 * 1024), {}\n"
                                  "for i = 1, 10000 do d['k' .. i] = big end\n"
                                  "ctx.finding{ rule = 'big', severity = 'info', message = 'big', details = d }"));
    auto settings = registry::test::fastSettings();
    settings.limits.memoryBytes = 32u << 20;
    settings.limits.instructionsPerCall = 10'000'000;
    PluginHost host(settings, [](const std::string&, const std::string&) {});
    BOOST_REQUIRE_EQUAL(host.load(dir.path()).active, 1u);
    PriceSubject price;
    NoPluginData data;
    const auto findings = host.runChecks(price.subject, data, "2024-06-01");
    BOOST_REQUIRE_EQUAL(findings.size(), 1u);
    BOOST_TEST(findings[0].rule == "plugin.error");
    BOOST_TEST(contains(findings[0].message, "larger than 65536 bytes"), findings[0].message);
#if !defined(__SANITIZE_ADDRESS__)
    BOOST_TEST(residentKiB() < 200 * 1024); // ASan's shadow memory alone is more
#endif
}

BOOST_AUTO_TEST_CASE(a_program_that_is_no_worker_is_a_clear_error_not_a_hang) {
    TempPluginDir dir;
    dir.write("common/a.lua", checker("test.a", ""));
    auto settings = registry::test::fastSettings();
    settings.workerExecutable = "/bin/false";
    PluginHost host(settings, [](const std::string&, const std::string&) {});
    host.load(dir.path());
    PriceSubject price;
    NoPluginData data;
    try {
        host.runChecks(price.subject, data, "2024-06-01");
        BOOST_FAIL("runChecks should have thrown");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), "did not start"), e.what());
    }
}

BOOST_AUTO_TEST_CASE(plugin_test_and_plugin_check_hold_a_plugin_to_the_same_limits) {
    TempPluginDir dir;
    dir.write("common/hang.lua", "return { name = 'common.hang', version = '1.0.0', description = '卡住',\n"
                                 "checks = { price = function(p, ctx)\n" + kPlainFindHang + "\nend } }\n");
    dir.write("common/hang_test.lua", "return { { name = 'hangs', price = { amount_fen = 1 }, expect = {} } }\n");
    dir.write("common/load_hang.lua", kPlainFindHang + "\nreturn { name = 'common.load-hang', version = '1.0.0' }\n");
    const auto started = std::chrono::steady_clock::now();
    const auto [status, output] = runBinary("plugin test " + dir.path("common/hang.lua"));
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(status == 1, output);
    BOOST_TEST(contains(output, "FAIL"), output);
    BOOST_TEST(contains(output, "checks.price timeout: time limit exceeded (1000 ms per call"), output);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(took).count() < 10);

    const auto [checkStatus, checkOutput] = runBinary("plugin check " + dir.path("common/load_hang.lua"));
    BOOST_TEST(checkStatus == 1, checkOutput);
    BOOST_TEST(contains(checkOutput, "time limit exceeded"), checkOutput);
}

// The three cases of issue 13 through `plugin test`, as a district author runs it: each case fails with the
// plugin's error or time limit, none hangs the runner or grows it past its limits.
BOOST_AUTO_TEST_CASE(plugin_test_contains_the_issue_13_c_library_cases) {
    TempPluginDir dir;
    dir.write("common/c_library.lua",
              "return { name = 'common.c-library', version = '1.0.0', description = 'C 库失控',\n"
              "checks = { price = function(p, ctx)\n"
              "  if p.amount_fen == 1 then\n"
              "    table.remove(setmetatable({}, { __len = function() return math.maxinteger end }))\n"
              "  elseif p.amount_fen == 2 then\n"
              "    string.find(string.rep('a', 3000), '[' .. string.rep('b', 10000) .. ']*x')\n"
              "  elseif p.amount_fen == 3 then\n"
              "    local big, details = string.rep('x', 8 * 1024 * 1024), {}\n"
              "    for i = 1, 120 do details['k' .. i] = big end\n"
              "    ctx.finding{ rule = 'big', severity = 'info', message = 'big', details = details }\n"
              "  end\n"
              "end } }\n");
    dir.write("common/c_library_test.lua",
              "return {\n"
              "  { name = 'len_maxinteger', price = { amount_fen = 1 }, expect = {} },\n"
              "  { name = 'long_class', price = { amount_fen = 2 }, expect = {} },\n"
              "  { name = 'big_details', price = { amount_fen = 3 }, expect = {} },\n"
              "  { name = 'harmless', price = { amount_fen = 4 }, expect = {} },\n"
              "}\n");
    const auto started = std::chrono::steady_clock::now();
    const auto [status, output] = runBinary("plugin test " + dir.path("common/c_library.lua"));
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(status == 1, output);
    for (const char* name : {"len_maxinteger", "long_class", "big_details"})
        BOOST_TEST(contains(output, std::string("FAIL ") + dir.path("common/c_library_test.lua") + ": " + name), output);
    BOOST_TEST(contains(output, std::string("PASS ") + dir.path("common/c_library_test.lua") + ": harmless"), output);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(took).count() < 15);
}

BOOST_AUTO_TEST_SUITE_END()
