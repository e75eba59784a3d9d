#pragma once
// JSON request bodies into domain records. Each decoder reads every field it knows, and reports a field
// error for each one of the wrong type, each required one that is missing, and each it does not know, all
// at once; domain::validate then checks values and ranges. Read-only fields a client may echo back from a
// GET (id, code, version, timestamps, graves_handled) are accepted and ignored.

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/FieldError.h"
#include "domain/Inspection.h"
#include "domain/Price.h"
#include "domain/Notice.h"
#include "domain/User.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace registry::codec {

/// Typed reads of one JSON object's fields, with a field error for each problem.
class JsonReader {
public:
    JsonReader(const Poco::JSON::Object& object, domain::Validator& errors);

    std::string text(const std::string& field, bool required);
    std::optional<std::string> optionalText(const std::string& field);
    std::optional<long long> integer(const std::string& field, bool required);
    std::optional<double> number(const std::string& field, bool required);
    std::optional<bool> boolean(const std::string& field, bool required);
    /// An array of positive whole numbers (ids); empty when absent or null.
    std::vector<long long> idList(const std::string& field, bool required);
    template <class E> std::optional<E> enumeration(const std::string& field, bool required);
    /// A nested object, or nullptr (absent or null; a field error when it is another type).
    Poco::JSON::Object::Ptr object(const std::string& field);
    /// Fields that may be present but are ignored (server-assigned).
    void ignore(std::initializer_list<const char*> fields);
    /// A field error for every field neither read nor ignored. Call last.
    void rejectUnknown();

    bool present(const std::string& field) const;

private:
    void typeError(const std::string& field, const std::string& zhType, const std::string& enType);
    void missing(const std::string& field);

    const Poco::JSON::Object& _object;
    domain::Validator& _errors;
    std::set<std::string> _seen;
};

domain::Facility decodeFacility(const Poco::JSON::Object& body, domain::Validator& errors);
domain::BurialSite decodeBurialSite(const Poco::JSON::Object& body, domain::Validator& errors);
domain::ProgressEntry decodeProgressEntry(const Poco::JSON::Object& body, domain::Validator& errors);
domain::PriceRecord decodePriceRecord(const Poco::JSON::Object& body, domain::Validator& errors);
domain::ReferencePrice decodeReferencePrice(const Poco::JSON::Object& body, domain::Validator& errors);
domain::Inspection decodeInspection(const Poco::JSON::Object& body, domain::Validator& errors);
domain::Notice decodeNotice(const Poco::JSON::Object& body, domain::Validator& errors);
domain::NoticeResponse decodeNoticeResponse(const Poco::JSON::Object& body, domain::Validator& errors);
domain::NoticeVerification decodeNoticeVerification(const Poco::JSON::Object& body, domain::Validator& errors);

/// A user and, when given, the password. On create the password is required.
domain::User decodeUser(const Poco::JSON::Object& body, domain::Validator& errors, bool creating,
                        std::optional<std::string>& password);

template <class E> std::optional<E> JsonReader::enumeration(const std::string& field, bool required) {
    const auto value = required ? std::optional<std::string>(text(field, true)) : optionalText(field);
    if (!value || (required && value->empty() && _errors.has(field))) return std::nullopt;
    if (auto parsed = domain::parseEnum<E>(*value)) return parsed;
    _errors.add(field, "enum", field + " 的取值无效,可选值:" + domain::allowedValues<E>(),
                field + " must be one of: " + domain::allowedValues<E>());
    return std::nullopt;
}

} // namespace registry::codec
