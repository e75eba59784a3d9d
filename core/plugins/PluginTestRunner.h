#pragma once
// The tools plugin authors run on a laptop, with nothing but the binary: `funeral-registry plugin test`
// and `funeral-registry plugin check`. No database, no server, no settings file.
//
// A test file `<name>_test.lua` sits beside `<name>.lua` and returns a list of cases:
//   { name = "...", today = "2024-06-01",                      -- today defaults to the real date
//     price = { item = "basic.cremation", amount_fen = 80000 }, -- or facility = {...}, burial_site = {...}
//     reference_prices = { { item = "basic.cremation", cap_fen = 60000 } },
//     previous_price = {...}, current_prices = { {...} }, facilities = { {...} },
//     config = { max_percent = 5 },                            -- over the plugin's defaults
//     expect = { { rule = "price.above_cap", severity = "violation" } },  -- {} means no findings
//     refuse = true | "part of the message",                  -- a validate hook must refuse
//     audit = true }                                           -- a stored record: only checks run
// Records not given in full get the fields of a clean record (displayed, not bundled, the folder's
// district, a funeral home); a field the API does not have is an error in the case.

#include "plugins/Limits.h"
#include "plugins/Plugin.h"

#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace registry::plugins {

/// Runs every case of every test file under `paths` (files or directories, searched recursively) and
/// loads every plugin file there, so a broken plugin without tests fails the run too. Prints one line per
/// case ("PASS file: name" / "FAIL file: name" with what differed), one per load error ("ERROR ...")
/// and ends with "N passed, N failed". With settings.coverage, each plugin's cases are followed by a line
/// "COVER file: 12 of 15 lines (80%), not run: 7, 9-12". Returns 0 when every case passed and every file
/// loaded, else 1.
int runPluginTests(const std::vector<std::string>& paths, std::ostream& out,
                   const HostSettings& settings = {});

/// Which lines of a plugin file its test cases ran (HostSettings::coverage), like `opa test --coverage`.
struct Coverage {
    std::set<int> lines; // the lines that hold code
    std::set<int> run;   // the lines some case ran (the file's top level runs for every case)
    int percent() const; // of lines run, rounded down; 100 for a file without code lines
    /// The lines not run, as ranges: "7, 9-12".
    std::string notRun() const;
    /// "12 of 15 lines (80%)".
    std::string summary() const;
};

/// One test case as it ran: its name, whether it passed, and why not (one line per difference, then what
/// the plugin printed).
struct CaseOutcome {
    std::string name;
    bool ok = false;
    std::vector<std::string> notes;
    std::string message() const; // the notes, one per line
};

struct SourceTestReport {
    std::shared_ptr<PluginSource> plugin; // null when the source did not load (loadError says why)
    std::string loadError;
    std::string testsError; // the test file did not load or gave no list of cases
    std::vector<CaseOutcome> cases;
    Coverage coverage; // with settings.coverage
    int passed() const;
    int failed() const { return static_cast<int>(cases.size()) - passed(); }
};

/// What `funeral-registry plugin test` does for one plugin, on texts instead of files (a version
/// submitted over the API): loads `code` as `file` ("haidian/x@1.1.0.lua": its folder places it) and runs
/// the cases of `testsCode` on it. Everything, the test file's own code included, runs in a scratch
/// sandbox with `settings`' limits.
SourceTestReport testPluginSource(const std::string& code, const std::string& file, const std::string& testsCode,
                                  const HostSettings& settings);

/// Loads `file` in the sandbox and prints its manifest (name, version, description, districts, hooks,
/// config, sha256), or its error. Returns 0 when it loads, else 1.
int checkPlugin(const std::string& file, std::ostream& out, const HostSettings& settings = {});

} // namespace registry::plugins
