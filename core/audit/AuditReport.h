#pragma once
// The report of a finished audit (GET /api/v1/audits/{id}/report, the `audit` command's table): per
// district, records checked, findings by rule and severity, and what is new, still open and resolved
// since the previous audit. It is read from the summary the audit fixed when it finished, so a report
// never changes afterwards. The HTML page of it is the web's (web/ReportHtml.h), with the UI's labels.

#include "domain/Audit.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace registry::audit {

/// {"audit": {...run...}, "previous_audit_id", "totals": {...}, "districts": [{district, district_name,
/// records_checked, findings_reported, findings_new, findings_still_open, findings_resolved, plugin_errors,
/// by_rule: [{plugin, rule, severity, count}]}]}. With `onlyDistrict`, only that district's row, and totals
/// over it (what a district user may see of a citywide audit).
Poco::JSON::Object::Ptr reportJson(const domain::AuditRun& run, const std::optional<std::string>& onlyDistrict);

/// One row per district and rule (a district without findings has one row with an empty rule), UTF-8 with
/// a BOM so that Excel opens it.
std::string reportCsv(const Poco::JSON::Object& report);

} // namespace registry::audit
