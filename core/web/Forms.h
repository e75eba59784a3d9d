#pragma once
// HTML forms for records, built on the API's codecs: the posted fields become the JSON object the API
// would receive (typed; an empty field is an absent one), codec::decode* and domain::validate check it,
// and every field error goes back beside its field (aria-describedby) with what the user typed kept.

#include "domain/Enums.h"
#include "domain/FieldError.h"
#include "web/FormDecode.h"
#include "web/WebUi.h"

#include <Poco/JSON/Object.h>
#include <mstch/mstch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace registry::web {

/// Options of an enumeration in the request's language, with an empty first choice unless `required`.
template <class E> std::vector<std::pair<std::string, std::string>> enumOptions(const Request& req, bool required) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!required) out.emplace_back("", req.t("choose_none"));
    for (const auto& e : domain::EnumTraits<E>::entries)
        out.emplace_back(std::string(e.code), std::string(req.en() ? e.en : e.zh));
    return out;
}
template <class E> std::string enumLabel(const Request& req, E value) {
    return req.en() ? domain::enName(value) : domain::zhName(value);
}
/// The 16 districts; only the user's own for a district user.
std::vector<std::pair<std::string, std::string>> districtOptions(const Request& req, bool required);
std::string districtName(const Request& req, const std::string& code);

class Form {
public:
    explicit Form(std::vector<FieldSpec> fields) : _fields(std::move(fields)) {}

    /// Values from a record as the API writes it (codec::toJson).
    void fill(const Poco::JSON::Object& record);
    void set(const std::string& name, const std::string& value);
    std::string value(const std::string& name) const;
    /// A value as people read it: the option's label for a select, ✓ for a ticked box.
    std::string display(const std::string& name, const std::string& raw) const;
    const std::vector<FieldSpec>& fields() const { return _fields; }
    /// Values as the user posted them (postedValues).
    void fillFrom(const Request& req);
    /// The JSON object the API would receive: typed values; empty fields left out (formJson).
    Poco::JSON::Object::Ptr toJson() const;

    /// Adds errors (the first per field shown beside it; those of no field of this form at the top).
    void addErrors(const Request& req, const domain::FieldErrors& errors,
                   const std::map<std::string, std::string>& renamed = {});
    void addError(const std::string& field, const std::string& text);
    bool ok() const { return _errors.empty() && _general.empty(); }

    /// {{#fields}}{{>field}}{{/fields}} and {{#form_errors}}…{{/form_errors}}
    void into(const Request& req, mstch::map& view) const;

private:
    const FieldSpec* spec(const std::string& name) const;
    std::vector<FieldSpec> _fields;
    std::map<std::string, std::string> _values;
    std::map<std::string, std::string> _errors;
    std::vector<std::string> _general;
};

/// The version an edit form was opened at (its hidden "version" field); 400 when missing.
long long postedVersion(const Request& req);

/// A mstch array of the page's "next" link for cursor pagination, keeping the other query parameters.
std::string nextPageLink(Request& req, const std::optional<long long>& nextAfterId);

} // namespace registry::web
