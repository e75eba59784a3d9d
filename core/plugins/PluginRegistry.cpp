#include "plugins/PluginRegistry.h"

#include "domain/Dates.h"
#include "domain/District.h"
#include "plugins/PluginConfig.h"

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace registry::plugins {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct FoundFile {
    std::string file;  // relative
    std::string error; // set for a file in a folder that is neither common/ nor a district
};

/// Plugin files under `directory`, in path order: */*.lua that are not tests. Files directly in the
/// directory (registry.d.lua) and hidden folders are not plugins.
std::vector<FoundFile> findPluginFiles(const fs::path& directory) {
    std::vector<FoundFile> found;
    for (const auto& folder : fs::directory_iterator(directory)) {
        if (!folder.is_directory()) continue;
        const std::string name = folder.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        const bool known = name == "common" || domain::findDistrictByPinyin(name);
        for (const auto& entry : fs::directory_iterator(folder.path())) {
            const std::string file = entry.path().filename().string();
            if (!entry.is_regular_file() || !endsWith(file, ".lua") || endsWith(file, "_test.lua")) continue;
            FoundFile plugin{name + "/" + file, {}};
            if (!known)
                plugin.error = plugin.file + ": folder '" + name +
                               "' is neither common/ nor a district's pinyin (haidian, chaoyang, ...)";
            found.push_back(plugin);
        }
    }
    std::sort(found.begin(), found.end(),
              [](const FoundFile& a, const FoundFile& b) { return a.file < b.file; });
    return found;
}

bool readFile(const fs::path& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = buffer.str();
    return static_cast<bool>(in) || in.eof();
}

PluginStatus statusOf(const PluginSource& source) {
    PluginStatus status;
    status.name = source.manifest.name;
    status.file = source.file;
    status.version = source.manifest.version;
    status.districts = source.districts;
    status.hooks = source.manifest.hooks;
    status.sha256 = source.sha256;
    status.loadedAt = source.loadedAt;
    status.active = true;
    status.managed = source.managed;
    return status;
}

} // namespace

std::string sha256Hex(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

Object::Ptr toJson(const PluginStatus& status) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", status.name);
    o->set("file", status.file);
    o->set("version", status.version.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(status.version));
    Array::Ptr districts = new Array;
    for (const auto& d : status.districts)
        districts->add(d);
    o->set("districts", districts);
    Array::Ptr hooks = new Array;
    for (const auto& h : status.hooks)
        hooks->add(h);
    o->set("hooks", hooks);
    o->set("sha256", status.sha256);
    o->set("loaded_at", status.loadedAt.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(status.loadedAt));
    o->set("status", status.active ? "active" : !status.replacedBy.empty() ? "replaced" : "failed");
    o->set("origin", status.managed ? "uploaded" : "bundled");
    o->set("active_version", status.active ? Poco::Dynamic::Var(status.version) : Poco::Dynamic::Var());
    o->set("error", status.error.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(status.error));
    return o;
}

std::vector<std::shared_ptr<const PluginSource>> PluginSet::forDistrict(const std::string& district) const {
    std::vector<std::shared_ptr<const PluginSource>> out;
    for (const auto& plugin : plugins)
        if (plugin->appliesTo(district)) out.push_back(plugin);
    return out;
}

CheckedPlugin checkPluginSource(const std::string& code, const std::string& file,
                                const HostSettings& settings, const LogSink& log) {
    Scratch scratch(settings, log);
    return checkPluginSource(code, file, scratch);
}

CheckedPlugin checkPluginSource(const std::string& code, const std::string& file, Scratch& scratch) {
    const HostSettings& settings = scratch.settings();
    CheckedPlugin checked;
    try {
        LoadResult loaded = scratch.load(code, file, Object());
        if (!loaded.ok()) {
            checked.error = loaded.call.message;
            if (checked.error.compare(0, file.size(), file) != 0) checked.error = file + ": " + checked.error;
            return checked;
        }
        checked.name = loaded.manifest.name;
        const Placement placement = placePlugin(loaded.manifest, folderOf(file));
        if (!placement.error.empty()) {
            checked.error = file + ": manifest: " + placement.error;
            return checked;
        }
        auto source = std::make_shared<PluginSource>();
        source->file = file;
        source->code = code;
        source->sha256 = sha256Hex(code);
        source->manifest = std::move(loaded.manifest);
        source->districts = placement.districts;
        source->config = pluginConfig(source->manifest, settings.pluginSettings);
        source->loadedAt = domain::nowTimestamp();
        checked.source = std::move(source);
    } catch (const std::exception& e) {
        checked.source.reset();
        checked.error = file + ": " + e.what();
    }
    return checked;
}

PluginRegistry::PluginRegistry(HostSettings settings, LogSink log)
    : _settings(std::move(settings)), _log(std::move(log)), _current(std::make_shared<PluginSet>()) {}

std::shared_ptr<const PluginSet> PluginRegistry::current() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _current;
}

LoadReport PluginRegistry::reload() {
    std::lock_guard<std::mutex> loading(_loading);
    return loadLocked(_directory);
}

LoadReport PluginRegistry::setManaged(std::vector<ManagedSource> managed) {
    std::lock_guard<std::mutex> loading(_loading);
    _managed = std::move(managed);
    return loadLocked(_directory);
}

LoadReport PluginRegistry::load(const std::string& directory) {
    std::lock_guard<std::mutex> loading(_loading);
    return loadLocked(directory);
}

LoadReport PluginRegistry::loadLocked(const std::string& directory) {
    _directory = directory;
    LoadReport report;
    std::vector<FoundFile> files;
    try {
        if (!fs::is_directory(directory)) {
            report.error = "plugins directory '" + directory + "' does not exist";
            if (_managed.empty()) return report;
        } else {
            files = findPluginFiles(directory);
        }
    } catch (const fs::filesystem_error& e) {
        report.error = "cannot read plugins directory '" + directory + "': " + e.what();
        return report;
    }

    const std::shared_ptr<const PluginSet> previous = current();
    std::map<std::string, std::shared_ptr<const PluginSource>> previousByFile;
    for (const auto& plugin : previous->plugins)
        previousByFile[plugin->file] = plugin;

    // Per file: the version to run (new, unchanged, or the last good one) and its status.
    struct Candidate {
        std::shared_ptr<const PluginSource> run;
        PluginStatus status;
        bool heldName = false; // ran under this name before: keeps it against a newcomer
        bool managed = false;  // claims its name before any bundled file
    };
    std::vector<Candidate> candidates;
    Scratch scratch(_settings, _log); // one sandbox process for the files of this load
    for (const auto& found : files) {
        Candidate candidate;
        candidate.status.file = found.file;
        candidate.status.name = found.file;
        std::string code;
        const auto before = previousByFile.find(found.file);
        const std::shared_ptr<const PluginSource> lastGood =
            before == previousByFile.end() ? nullptr : before->second;
        if (!found.error.empty()) {
            candidate.status.error = found.error;
        } else if (!readFile(fs::path(directory) / found.file, code)) {
            candidate.status.error = found.file + ": cannot read the file";
        } else {
            candidate.status.sha256 = sha256Hex(code);
            if (lastGood && lastGood->sha256 == candidate.status.sha256) {
                candidate.run = lastGood;
            } else {
                CheckedPlugin checked = checkPluginSource(code, found.file, scratch);
                if (!checked.name.empty()) candidate.status.name = checked.name;
                if (checked.source)
                    candidate.run = checked.source;
                else
                    candidate.status.error = checked.error;
            }
        }
        if (!candidate.run && lastGood) {
            candidate.run = lastGood; // keep the last good version running
            candidate.status.error += " (still running version " + lastGood->manifest.version +
                                      " loaded at " + lastGood->loadedAt + ")";
        }
        if (candidate.run)
            candidate.heldName = lastGood && lastGood->manifest.name == candidate.run->manifest.name;
        candidates.push_back(std::move(candidate));
    }

    // Active managed versions: checked here too (an instance that cannot load one says so, and keeps
    // running the version of that name it ran before).
    std::map<std::string, std::shared_ptr<const PluginSource>> previousByName;
    for (const auto& plugin : previous->plugins)
        previousByName[plugin->manifest.name] = plugin;
    for (const auto& managed : _managed) {
        Candidate candidate;
        candidate.managed = true;
        candidate.status.file = managed.file;
        candidate.status.name = managed.file;
        candidate.status.managed = true;
        candidate.status.sha256 = sha256Hex(managed.code);
        const auto before = previousByFile.find(managed.file);
        if (before != previousByFile.end() && before->second->sha256 == candidate.status.sha256) {
            candidate.run = before->second;
        } else {
            CheckedPlugin checked = checkPluginSource(managed.code, managed.file, scratch);
            if (!checked.name.empty()) candidate.status.name = checked.name;
            if (checked.source) {
                checked.source->managed = true;
                candidate.run = checked.source;
            } else {
                candidate.status.error = checked.error;
                const auto lastGood = previousByName.find(candidate.status.name);
                if (lastGood != previousByName.end()) {
                    candidate.run = lastGood->second;
                    candidate.status.error += " (still running version " + lastGood->second->manifest.version +
                                              " loaded at " + lastGood->second->loadedAt + ")";
                }
            }
        }
        candidate.heldName = true;
        candidates.push_back(std::move(candidate));
    }

    // Names are unique: an active managed version takes its name from a bundled file; otherwise a plugin
    // that already ran under a name keeps it, and else the first file wins.
    std::map<std::string, std::string> owner; // name → file
    std::map<std::string, std::string> managedOwner; // name → managed version
    auto claim = [&](Candidate& candidate) {
        if (!candidate.run) return;
        const std::string& name = candidate.run->manifest.name;
        const auto taken = owner.find(name);
        if (taken == owner.end()) {
            owner[name] = candidate.status.file;
            if (candidate.managed) managedOwner[name] = candidate.run->manifest.version;
            return;
        }
        if (!candidate.managed && managedOwner.count(name)) {
            candidate.status.name = name;
            candidate.status.version = candidate.run->manifest.version;
            candidate.status.replacedBy = managedOwner[name];
            candidate.run.reset();
            return;
        }
        if (!candidate.status.error.empty()) candidate.status.error += "; ";
        candidate.status.error +=
            candidate.status.file + ": plugin name '" + name + "' is already used by " + taken->second;
        candidate.status.name = name;
        candidate.run.reset();
    };
    for (auto& candidate : candidates)
        if (candidate.managed) claim(candidate);
    for (auto& candidate : candidates)
        if (!candidate.managed && candidate.heldName) claim(candidate);
    for (auto& candidate : candidates)
        if (!candidate.managed && !candidate.heldName) claim(candidate);

    auto next = std::make_shared<PluginSet>();
    for (auto& candidate : candidates) {
        PluginStatus status = candidate.status;
        if (candidate.run) {
            PluginStatus running = statusOf(*candidate.run);
            running.sha256 = status.sha256.empty() ? running.sha256 : status.sha256;
            running.error = status.error;
            status = running;
            next->plugins.push_back(candidate.run);
            ++report.active;
        }
        if (!candidate.status.error.empty()) ++report.failed;
        next->statuses.push_back(std::move(status));
    }
    auto byName = [](const auto& a, const auto& b) { return a->manifest.name < b->manifest.name; };
    std::sort(next->plugins.begin(), next->plugins.end(), byName);
    std::sort(next->statuses.begin(), next->statuses.end(), [](const PluginStatus& a, const PluginStatus& b) {
        return a.name != b.name ? a.name < b.name : a.file < b.file;
    });

    auto sameRun = [](const PluginSet& a, const PluginSet& b) {
        if (a.plugins.size() != b.plugins.size()) return false;
        for (std::size_t i = 0; i < a.plugins.size(); ++i)
            if (a.plugins[i] != b.plugins[i]) return false;
        return true;
    };
    auto sameStatus = [](const PluginSet& a, const PluginSet& b) {
        if (a.statuses.size() != b.statuses.size()) return false;
        for (std::size_t i = 0; i < a.statuses.size(); ++i)
            if (a.statuses[i].file != b.statuses[i].file || a.statuses[i].sha256 != b.statuses[i].sha256 ||
                a.statuses[i].error != b.statuses[i].error || a.statuses[i].replacedBy != b.statuses[i].replacedBy)
                return false;
        return true;
    };
    report.changed = !sameRun(*next, *previous) || !sameStatus(*next, *previous);
    next->generation = sameRun(*next, *previous) ? previous->generation : previous->generation + 1;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _current = std::move(next);
    }
    return report;
}

} // namespace registry::plugins
