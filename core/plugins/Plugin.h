#pragma once
// What the host knows about a plugin: its manifest (the table its file returns), the source it was loaded
// from, and the findings it reports.

#include "domain/Enums.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <vector>

namespace registry::plugins {

/// The hooks a plugin may define, as they appear in listings and messages.
enum class HookKind { Checks, Validate };

/// "checks.price", "validate.burial_site".
const std::string& hookName(HookKind kind, domain::SubjectType subject);

/// Every hook name in a fixed order (checks before validate, price, facility, burial_site).
const std::vector<std::string>& allHookNames();

/// The table a plugin file returns, as checked by readManifest (LuaConvert.h).
struct Manifest {
    std::string name;    // dotted: "haidian.water-source-relocation"
    std::string version; // as written: "1.0.0"
    std::string description;
    std::vector<std::string> districts;                        // as written; empty when omitted
    std::vector<std::string> hooks;                            // hookName()s defined, in allHookNames() order
    Poco::JSON::Object::Ptr defaults = new Poco::JSON::Object; // the plugin's own config defaults
};

/// "common" for citywide plugins, a district's pinyin for that district's, or "" for a file checked
/// outside a plugins tree (`plugin check ~/draft.lua`), which is held to no folder.
std::string folderOf(const std::string& file);

/// The districts a plugin applies to (empty: every district), or the reason its manifest does not fit
/// the folder it sits in. A district folder implies its district; districts a plugin lists must be
/// Beijing codes, and in a district folder only that district's code.
struct Placement {
    std::vector<std::string> districts;
    std::string error;
};
Placement placePlugin(const Manifest& manifest, const std::string& folder);

/// A plugin that loaded: what every Lua state needs to load it again.
struct PluginSource {
    std::string file; // as shown in messages: "common/basic_cap.lua"
    std::string code;
    std::string sha256;
    Manifest manifest;
    std::vector<std::string> districts;                      // where it applies; empty: citywide
    Poco::JSON::Object::Ptr config = new Poco::JSON::Object; // ctx.config: defaults with settings over them
    std::string loadedAt;                                    // RFC 3339 UTC
    bool managed = false; // a version submitted over the API (plugin_versions), not a file in plugins.dir

    bool appliesTo(const std::string& district) const;
    bool has(const std::string& hook) const;
};

/// One ctx.finding, or the host's report of a plugin that failed (severity error).
struct Finding {
    std::string plugin;
    std::string pluginVersion;
    std::string hook; // "checks.price"
    std::string
        rule; // "price.above_cap"; "plugin.error" / "plugin.timeout" / "plugin.out_of_memory" for failures
    domain::Severity severity = domain::Severity::Info;
    std::string message;
    Poco::JSON::Object::Ptr details = new Poco::JSON::Object;
};

/// Lowercase letters, digits, '_' and '-' in at least two parts joined by dots.
bool isDottedName(const std::string& name);
/// A manifest version: 1 to 40 of [A-Za-z0-9._+-], starting with a letter or digit ("1.0.0", "2.1.0-rc1").
bool isVersionToken(const std::string& version);

} // namespace registry::plugins
