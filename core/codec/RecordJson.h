#pragma once
// Domain records as JSON objects with the API's field names (shared/spec/API.md). Used for API responses,
// the change log's before/after, and exports, so a record reads the same everywhere.

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/FieldError.h"
#include "domain/Audit.h"
#include "domain/Finding.h"
#include "domain/Inspection.h"
#include "domain/Price.h"
#include "domain/Notice.h"
#include "domain/User.h"

#include <Poco/JSON/Object.h>

#include <string>

namespace registry::codec {

Poco::JSON::Object::Ptr toJson(const domain::Facility& facility);
/// The same JSON as toJson(record) stringified, byte for byte, written straight from the record (no Poco
/// object in between: building and stringifying one was a quarter of a facility read's time, perf).
std::string toJsonText(const domain::Facility& facility);
std::string toJsonText(const domain::BurialSite& site);
std::string toJsonText(const domain::PriceRecord& price);
Poco::JSON::Object::Ptr toJson(const domain::BurialSite& site);
Poco::JSON::Object::Ptr toJson(const domain::ProgressEntry& entry);
Poco::JSON::Object::Ptr toJson(const domain::PriceRecord& price);
Poco::JSON::Object::Ptr toJson(const domain::ReferencePrice& reference);
Poco::JSON::Object::Ptr toJson(const domain::Inspection& inspection);
Poco::JSON::Object::Ptr toJson(const domain::User& user);
/// An attachment's description (never its bytes); `purpose` null until a write names it.
Poco::JSON::Object::Ptr toJson(const domain::Attachment& attachment);
/// A notice; `overdue` as the reader's use case set it (domain::Notice::isOverdue).
Poco::JSON::Object::Ptr toJson(const domain::Notice& notice);
Poco::JSON::Object::Ptr toJson(const domain::Finding& finding);
Poco::JSON::Object::Ptr toJson(const domain::AuditRun& run);
Poco::JSON::Object::Ptr toJson(const domain::FieldError& error, bool english);

/// Compact JSON text of an object (no spaces), as stored in the change log.
std::string stringify(const Poco::JSON::Object::Ptr& object);
/// JSON text this program stored (a summary, a plugin set, a test report) parsed back with its keys in the
/// order they were written. Throws Poco::Exception on malformed text.
Poco::Dynamic::Var parseStored(const std::string& text);

} // namespace registry::codec
