#pragma once
// ctx.config: a plugin's own `defaults`, each overridden by the setting plugin.<name>.<key> when one is
// set. Settings are text; a setting is converted to the type of its default (number, boolean, or a list
// written comma-separated), so district staff change thresholds in the server's settings file without
// touching the plugin. A setting with no default reaches the plugin as a string.

#include "plugins/Plugin.h"

#include <Poco/JSON/Object.h>

#include <map>
#include <string>

namespace registry::plugins {

/// From the server's settings (`settings` holds full keys: "plugin.common.price-increase.max_percent").
/// Throws std::invalid_argument naming the setting when a value does not convert to its default's type.
Poco::JSON::Object::Ptr pluginConfig(const Manifest& manifest,
                                     const std::map<std::string, std::string>& settings);

/// From a plugin test case's `config` table: values already typed are taken as they are, text is
/// converted as settings are.
Poco::JSON::Object::Ptr pluginConfig(const Manifest& manifest, const Poco::JSON::Object& overrides);

} // namespace registry::plugins
