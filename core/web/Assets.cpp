#include "web/Assets.h"

#include <Poco/String.h>

#include <sstream>
#include <stdexcept>

namespace registry::web {
namespace {

std::map<std::string, std::string> loadTemplates() {
    std::map<std::string, std::string> out;
    const std::string prefix = "templates/", suffix = ".mustache";
    for (const auto& [path, text] : embeddedAssets()) {
        if (path.rfind(prefix, 0) != 0 || path.size() <= prefix.size() + suffix.size() ||
            path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        out[path.substr(prefix.size(), path.size() - prefix.size() - suffix.size())] = text;
    }
    return out;
}

std::map<std::string, std::string> loadCatalogue(const std::string& lang) {
    const auto found = embeddedAssets().find("messages/" + lang + ".properties");
    if (found == embeddedAssets().end()) throw std::logic_error("no message catalogue for " + lang);
    std::map<std::string, std::string> out;
    std::istringstream in(found->second);
    std::string line;
    while (std::getline(in, line)) {
        const std::string trimmed = Poco::trim(line);
        if (trimmed.empty() || trimmed[0] == '#') continue;
        const auto eq = trimmed.find('=');
        if (eq == std::string::npos) throw std::logic_error("messages/" + lang + ".properties: no '=' in: " + trimmed);
        out[Poco::trim(trimmed.substr(0, eq))] = Poco::trim(trimmed.substr(eq + 1));
    }
    return out;
}

mstch::map toLabels(const std::map<std::string, std::string>& messages) {
    mstch::map out;
    for (const auto& [key, text] : messages) out.emplace(key, text);
    return out;
}

} // namespace

const std::map<std::string, std::string>& templates() {
    static const auto all = loadTemplates();
    return all;
}

bool knownLanguage(const std::string& lang) { return lang == "zh" || lang == "en"; }

const std::map<std::string, std::string>& catalogue(const std::string& lang) {
    static const auto zh = loadCatalogue("zh");
    static const auto en = loadCatalogue("en");
    return lang == "en" ? en : zh;
}

const mstch::map& labels(const std::string& lang) {
    static const auto zh = toLabels(catalogue("zh"));
    static const auto en = toLabels(catalogue("en"));
    return lang == "en" ? en : zh;
}

std::string message(const std::string& lang, const std::string& key) {
    const auto& messages = catalogue(lang);
    const auto found = messages.find(key);
    return found == messages.end() ? key : found->second;
}

} // namespace registry::web
