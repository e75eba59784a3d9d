#pragma once
// The web UI's files, built into the binary from core/web/assets/: templates (mstch), the message
// catalogues (zh, en) and the stylesheet.

#include <mstch/mstch.hpp>

#include <map>
#include <string>

namespace registry::web {

/// Every file under core/web/assets/, keyed by its relative path ("templates/layout.mustache").
/// Generated at build time by cmake/EmbedFiles.cmake.
const std::map<std::string, std::string>& embeddedAssets();

/// Every template by name ("layout" for templates/layout.mustache); each is also a partial ({{>name}}).
const std::map<std::string, std::string>& templates();

/// A language the UI speaks: "zh" (the default) or "en".
bool knownLanguage(const std::string& lang);

/// The message catalogue of `lang` (messages/<lang>.properties: `key = text` lines, '#' comments).
const std::map<std::string, std::string>& catalogue(const std::string& lang);
/// The catalogue as the template sees it: {{t.key}}.
const mstch::map& labels(const std::string& lang);
/// One message; the key itself when the catalogue lacks it (a test keeps the catalogues complete).
std::string message(const std::string& lang, const std::string& key);

} // namespace registry::web
