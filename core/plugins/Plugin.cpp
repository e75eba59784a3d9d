#include "plugins/Plugin.h"

#include "domain/District.h"

#include <algorithm>

namespace registry::plugins {

using domain::SubjectType;

namespace {

constexpr SubjectType kSubjects[] = {SubjectType::Price, SubjectType::Facility, SubjectType::BurialSite};

std::size_t subjectIndex(SubjectType subject) {
    for (std::size_t i = 0; i < std::size(kSubjects); ++i)
        if (kSubjects[i] == subject) return i;
    return 0;
}

} // namespace

const std::vector<std::string>& allHookNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const char* kind : {"checks.", "validate."})
            for (SubjectType subject : kSubjects)
                out.push_back(kind + domain::toString(subject));
        return out;
    }();
    return names;
}

const std::string& hookName(HookKind kind, SubjectType subject) {
    // Called for every plugin on every record: a name from the fixed list, never built.
    return allHookNames()[(kind == HookKind::Checks ? 0 : std::size(kSubjects)) + subjectIndex(subject)];
}

std::string folderOf(const std::string& file) {
    const auto slash = file.find_last_of('/');
    if (slash == std::string::npos || slash == 0) return {};
    const auto start = file.find_last_of('/', slash - 1);
    std::string folder = file.substr(start == std::string::npos ? 0 : start + 1,
                                     slash - (start == std::string::npos ? 0 : start + 1));
    if (folder == "common" || domain::findDistrictByPinyin(folder)) return folder;
    return {};
}

Placement placePlugin(const Manifest& manifest, const std::string& folder) {
    Placement placement;
    for (const auto& code : manifest.districts) {
        if (!domain::findDistrict(code)) {
            placement.error = "districts: '" + code + "' is not a Beijing district code";
            return placement;
        }
    }
    const domain::District* district =
        folder.empty() || folder == "common" ? nullptr : domain::findDistrictByPinyin(folder);
    if (!district) {
        placement.districts = manifest.districts;
        return placement;
    }
    for (const auto& code : manifest.districts) {
        if (code != district->code) {
            placement.error = "districts: a plugin in " + folder + "/ applies to " + district->code + " (" +
                              district->nameZh + ") only, not " + code;
            return placement;
        }
    }
    placement.districts = {district->code};
    return placement;
}

bool PluginSource::appliesTo(const std::string& district) const {
    return districts.empty() || std::find(districts.begin(), districts.end(), district) != districts.end();
}

bool PluginSource::has(const std::string& hook) const {
    return std::find(manifest.hooks.begin(), manifest.hooks.end(), hook) != manifest.hooks.end();
}

bool isDottedName(const std::string& name) {
    if (name.empty() || name.size() > 100) return false;
    bool partEmpty = true;
    int parts = 1;
    for (char c : name) {
        if (c == '.') {
            if (partEmpty) return false;
            partEmpty = true;
            ++parts;
            continue;
        }
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!allowed) return false;
        partEmpty = false;
    }
    return !partEmpty && parts >= 2;
}

bool isVersionToken(const std::string& version) {
    if (version.empty() || version.size() > 40) return false;
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    if (!alnum(version[0])) return false;
    for (char c : version)
        if (!alnum(c) && c != '.' && c != '-' && c != '_' && c != '+') return false;
    return true;
}

} // namespace registry::plugins
