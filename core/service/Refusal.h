#pragma once
// What a use case answers instead of a result: a closed set of typed refusals. The front ends turn each
// into what their users expect (the API: 403, 404, 422, 409 with the current record, 503; the web: a form
// with the errors beside their fields, an error page; the command line: one line on stderr and an exit
// code). Nothing was stored when a use case refuses.

#include "codec/RecordJson.h"
#include "domain/FieldError.h"

#include <Poco/JSON/Object.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace registry::service {

enum class RefusalKind {
    NotAllowed,      // the role or the district may not do this
    NotFound,        // no such record (or one the principal may not know of)
    Invalid,         // fields that fail validation: every error at once
    Conflict,        // a stale version, or a state that does not allow it; carries the current record
    RefusedByPlugin, // a district rule's validate hook said no
    Unavailable,     // a part this server runs without (plugins, audits); try another instance or later
    TooLarge,        // an upload over its size limit
    UnsupportedMedia, // an upload whose content is not one of the allowed types, or not the type it said
};

class Refusal : public std::runtime_error {
public:
    Refusal(RefusalKind kind, std::string zh, std::string en, domain::FieldErrors errors = {})
        : std::runtime_error(en), _kind(kind), _zh(std::move(zh)), _en(std::move(en)), _errors(std::move(errors)) {}

    RefusalKind kind() const { return _kind; }
    const std::string& messageZh() const { return _zh; }
    const std::string& messageEn() const { return _en; }
    const std::string& message(bool english) const { return english ? _en : _zh; }
    const domain::FieldErrors& errors() const { return _errors; }
    /// A conflict's current record as the API writes it; null for other refusals.
    virtual Poco::JSON::Object::Ptr currentJson() const { return nullptr; }
    /// Members the API adds to the problem document beside `errors` (a refused plugin's test results).
    virtual Poco::JSON::Object::Ptr extraJson() const { return nullptr; }

private:
    RefusalKind _kind;
    std::string _zh, _en;
    domain::FieldErrors _errors;
};

class NotAllowed : public Refusal {
public:
    NotAllowed(std::string zh, std::string en) : Refusal(RefusalKind::NotAllowed, std::move(zh), std::move(en)) {}
};

class NotFound : public Refusal {
public:
    /// `what`: "facility", "burial site", ...
    explicit NotFound(const std::string& what)
        : Refusal(RefusalKind::NotFound, "找不到该记录(" + what + ")", "no such " + what) {}
};

class Invalid : public Refusal {
public:
    explicit Invalid(domain::FieldErrors errors)
        : Refusal(RefusalKind::Invalid, "有 " + std::to_string(errors.size()) + " 处字段不符合要求",
                  std::to_string(errors.size()) + " field(s) are invalid", errors) {}
};

class RefusedByPlugin : public Refusal {
public:
    /// `message`: "plugin: what the rule said".
    explicit RefusedByPlugin(const std::string& message)
        : Refusal(RefusalKind::RefusedByPlugin, message, message, {{"", "plugin", message, message}}) {}
};

class Unavailable : public Refusal {
public:
    Unavailable(std::string zh, std::string en) : Refusal(RefusalKind::Unavailable, std::move(zh), std::move(en)) {}
};

/// An upload refused for its size or its type; `errors` name the field ("content").
class UploadRefused : public Refusal {
public:
    UploadRefused(RefusalKind kind, domain::FieldError error)
        : Refusal(kind, error.messageZh, error.messageEn, {error}) {}
};

/// A stale version (or a state that forbids the change): `current` is the record as it now stands.
template <class Record> class Conflict : public Refusal {
public:
    explicit Conflict(Record current)
        : Refusal(RefusalKind::Conflict,
                  "该记录已被他人修改(当前版本 " + std::to_string(current.version) + "),请在最新内容上重新修改",
                  "someone changed the record meanwhile (now version " + std::to_string(current.version) +
                      "); re-apply your change to the current record"),
          _current(std::move(current)) {}
    Conflict(Record current, std::string zh, std::string en)
        : Refusal(RefusalKind::Conflict, std::move(zh), std::move(en)), _current(std::move(current)) {}
    const Record& current() const { return _current; }
    Poco::JSON::Object::Ptr currentJson() const override { return codec::toJson(_current); }

private:
    Record _current;
};

/// Decoding errors and validation errors together, one per field (a field that failed to decode would
/// also fail validation with a misleading message: the first is kept).
domain::FieldErrors mergeErrors(domain::FieldErrors decodeErrors, const domain::FieldErrors& validationErrors);
/// Throws Invalid when `errors` is not empty.
void failIfInvalid(const domain::FieldErrors& errors);

} // namespace registry::service
