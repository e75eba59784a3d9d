#pragma once
// A managed plugin version (API.md, Managed plugins): one submitted text of a plugin with its tests, kept
// whole in the database. Its tests passed in the sandbox before it was stored.

#include <optional>
#include <string>
#include <vector>

namespace registry::domain {

enum class PluginVersionStatus { Draft, Active, Retired };

const char* toString(PluginVersionStatus status);
std::optional<PluginVersionStatus> parsePluginVersionStatus(const std::string& text);

struct PluginVersion {
    long long id = 0;
    std::string name;    // the manifest's: "haidian.water-source-relocation"
    std::string version; // the manifest's: "1.1.0"
    std::string folder;  // "common" or the district's pinyin: decides where it may apply
    std::vector<std::string> districts; // where it applies; empty: citywide
    std::string sha256;  // of source
    std::string source;
    std::string testsSource;
    std::string testsJson; // {"passed","failed","cases":[{"name","ok","message"}]}
    PluginVersionStatus status = PluginVersionStatus::Draft;
    std::optional<std::string> note;
    std::string submittedBy;
    std::string submittedAt;
    std::optional<std::string> activatedBy;
    std::optional<std::string> activatedAt;

    /// "haidian/water-source-relocation@1.1.0.lua": the file it stands for in messages (its folder places
    /// it, as a bundled file's does; the version tells it from a bundled file of the same name).
    std::string file() const { return folder + "/" + name.substr(name.find('.') + 1) + "@" + version + ".lua"; }
};

} // namespace registry::domain
