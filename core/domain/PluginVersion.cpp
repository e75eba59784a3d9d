#include "domain/PluginVersion.h"

namespace registry::domain {

const char* toString(PluginVersionStatus status) {
    switch (status) {
    case PluginVersionStatus::Draft: return "draft";
    case PluginVersionStatus::Active: return "active";
    case PluginVersionStatus::Retired: return "retired";
    }
    return "draft";
}

std::optional<PluginVersionStatus> parsePluginVersionStatus(const std::string& text) {
    if (text == "draft") return PluginVersionStatus::Draft;
    if (text == "active") return PluginVersionStatus::Active;
    if (text == "retired") return PluginVersionStatus::Retired;
    return std::nullopt;
}

} // namespace registry::domain
