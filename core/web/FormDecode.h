#pragma once
// The pure part of the web forms: what a posted form's fields become before the API's codecs see them.
// It needs no HTTP request, no templates and no store, so the form_decode fuzz target (test/fuzz) links it
// alone; web::Form (Forms.h) reads and converts its values through these functions.

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace registry::web {

/// Files: an <input type="file" multiple>, whose files are not among the posted fields (Request::filesOf).
enum class FieldKind { Text, TextArea, Integer, Number, Date, Select, Checkbox, MultiCheck, Password, Files };

struct FieldSpec {
    std::string name;     // the API's field name, also the form field's
    std::string labelKey; // catalogue key of the label
    FieldKind kind = FieldKind::Text;
    bool required = false;
    /// value, label (Select, MultiCheck); for Files, the types the browser offers to choose (value alone)
    std::vector<std::pair<std::string, std::string>> options;
    std::string hintKey;
};

/// The posted fields in the order Poco::Net::HTMLForm holds them (name, value); a name may repeat.
using PostedFields = std::vector<std::pair<std::string, std::string>>;

/// The first posted value of a field, "" when absent; names compare case-insensitively, as HTMLForm's.
std::string postedField(const PostedFields& posted, const std::string& name);
/// Every posted value of a field (the ticked boxes of a multi-check), in posted order.
std::vector<std::string> postedFieldValues(const PostedFields& posted, const std::string& name);

/// The form's values as the user posted them, one per field: trimmed (not a text area's or a password's),
/// a ticked checkbox "true" and an unticked one "", a multi-check's ticked values joined with commas; a
/// file field has none.
std::map<std::string, std::string> postedValues(const std::vector<FieldSpec>& fields, const PostedFields& posted);

/// The JSON object the API would receive from these values: typed numbers where they parse (else the
/// text, for the decoder to report), a checkbox always as a bool, a multi-check always as an array, other
/// empty fields left out.
Poco::JSON::Object::Ptr formJson(const std::vector<FieldSpec>& fields, const std::map<std::string, std::string>& values);

/// "a,,b" → {"a", "b"}: a multi-check's joined values.
std::vector<std::string> splitList(const std::string& text);

/// "¥1,234.50" style amount (yuan with two decimals) of an amount in fen.
std::string yuan(long long fen);

/// The price form's JSON (formJson of its fields) as the API's price record of a facility: "amount_yuan"
/// becomes "amount_fen", the plot's "area_m2" and "term_years" go into "attributes". An amount that is
/// typed but is not one is left out and `badAmount` set, for the form to say so beside its field.
Poco::JSON::Object::Ptr priceRecordJson(const Poco::JSON::Object& formJson, std::int64_t facilityId, bool& badAmount);

} // namespace registry::web
