#pragma once
// What several pages show the same way: findings, the change history of a record, timestamps.

#include "audit/Cron.h"
#include "domain/Finding.h"
#include "plugins/Plugin.h"
#include "web/WebUi.h"

#include <Poco/JSON/Object.h>
#include <mstch/mstch.hpp>

#include <optional>
#include <string>
#include <vector>

namespace registry::web {

/// "2026-11-29 11:12" of an RFC 3339 UTC timestamp, on the wall clock of `zone` (audit.timezone). Text
/// that is no such timestamp is shown as it is.
std::string timeText(const audit::TimeZone& zone, const std::string& timestamp);
/// The same in the zone of the web UI's settings.
std::string timeText(const Request& req, const std::string& timestamp);

/// One finding as rows of the findings tables show it (severity tag, status, message in plain words).
/// "/prices/42": the web page of a finding's subject.
std::string subjectLink(domain::SubjectType type, long long id);
mstch::map findingView(const Request& req, const domain::Finding& finding);

/// The change history of one record (oldest first), each entry with the fields it changed.
/// `labels` maps API field names to catalogue keys.
mstch::array historyView(WebUi& ui, const Request& req, const std::string& entity, long long id,
                         const std::map<std::string, std::string>& labels);

/// The fields whose values differ between two records as the API writes them.
std::vector<std::string> changedFields(const Poco::JSON::Object& before, const Poco::JSON::Object& after);
/// A field's value as text for people ("" for null).
std::string valueText(const Poco::JSON::Object& record, const std::string& field);

/// A plugin's message with the price item codes it names replaced by their Chinese or English names.
std::string plainMessage(const Request& req, const std::string& message);

class Form;

/// Renders a record form (templates/record_form) posting to `action`.
void showForm(WebUi& ui, Request& req, Form& form, const std::string& action, const std::string& cancel,
              const std::string& titleKey, int status, mstch::map view = {});

/// The "what changed meanwhile" table of a stale edit: each field as the user opened it (version
/// `expected`, from the change log), as it is now, and as the user typed it. Fields only the other person
/// changed take their value in `form`, so that re-applying keeps both people's changes.
mstch::map conflictView(WebUi& ui, Request& req, Form& form, const std::string& entity, long long id,
                        long long expected, const Poco::JSON::Object& current, const std::string& changedBy);

/// What the checks said of a record just written, as the saved pages show it; `violation` is set when one
/// of them is a violation.
mstch::array checksView(const Request& req, const std::vector<plugins::Finding>& checks, bool& violation);

/// Findings and inspections of one record, as the detail pages show them.
mstch::array findingsOf(WebUi& ui, const Request& req, domain::SubjectType type, long long id);
mstch::array inspectionsOf(WebUi& ui, const Request& req, domain::SubjectType type, long long id);
/// The rectification notices of one facility or burial site (number, status, deadline, overdue).
mstch::array noticesOf(WebUi& ui, const Request& req, domain::SubjectType type, long long id);

} // namespace registry::web
