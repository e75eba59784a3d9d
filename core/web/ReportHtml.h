#pragma once
// The audit report (audit::reportJson) as a standalone HTML page: templates/audit_report.mustache with the
// labels of the web's message catalogue. The API's ?format=html (through http::ApiContext::reportHtml, which
// the app wires to this), the web UI's report link and `funeral-registry audit report --format html` all
// render it here.

#include <Poco/JSON/Object.h>

#include <string>

namespace registry::web {

/// The page in `lang` ("en" for English; anything else is Chinese, the default). Every value from the
/// report (plugin and rule names included) is HTML-escaped.
std::string reportHtml(const Poco::JSON::Object& report, const std::string& lang);

} // namespace registry::web
