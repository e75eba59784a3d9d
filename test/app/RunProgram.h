#pragma once
// Runs the real funeral-registry binary as an operator would, capturing its exit status and output.

#include <map>
#include <string>
#include <vector>

namespace registry::test {

struct ProgramResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

/// Runs build/funeral-registry with `args` in `workDir`, feeding `input` on standard input, with the
/// given extra environment variables.
ProgramResult runProgram(const std::vector<std::string>& args, const std::string& workDir,
                         const std::map<std::string, std::string>& env = {}, const std::string& input = "");

/// Fails the running test when a program (`what`) ended the way a sanitizer build ends on a report: killed
/// by a signal (scripts/sanitize.sh sets abort_on_error; wait() gives 256 + the signal), or with an
/// AddressSanitizer, LeakSanitizer or UBSan report in `err`. runProgram checks every run with it.
void checkNoSanitizerReport(const std::string& what, int exitCode, const std::string& err);

/// A fresh empty folder under the system temp folder, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return _path; }

private:
    std::string _path;
};

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int freePort();

} // namespace registry::test
