#include "web/FormDecode.h"

#include "domain/Money.h"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace registry::web {

std::string postedField(const PostedFields& posted, const std::string& name) {
    for (const auto& [k, v] : posted)
        if (Poco::icompare(k, name) == 0) return v;
    return "";
}

std::vector<std::string> postedFieldValues(const PostedFields& posted, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& [k, v] : posted)
        if (Poco::icompare(k, name) == 0) out.push_back(v);
    return out;
}

std::map<std::string, std::string> postedValues(const std::vector<FieldSpec>& fields, const PostedFields& posted) {
    std::map<std::string, std::string> values;
    for (const auto& f : fields) {
        if (f.kind == FieldKind::Files) {
            values[f.name] = "";
        } else if (f.kind == FieldKind::Checkbox) {
            values[f.name] = postedField(posted, f.name).empty() ? "" : "true";
        } else if (f.kind == FieldKind::MultiCheck) {
            std::string joined;
            for (const auto& v : postedFieldValues(posted, f.name)) joined += (joined.empty() ? "" : ",") + v;
            values[f.name] = joined;
        } else {
            values[f.name] = f.kind == FieldKind::TextArea || f.kind == FieldKind::Password
                                 ? postedField(posted, f.name)
                                 : std::string(Poco::trim(postedField(posted, f.name)));
        }
    }
    return values;
}

Poco::JSON::Object::Ptr formJson(const std::vector<FieldSpec>& fields, const std::map<std::string, std::string>& values) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    for (const auto& f : fields) {
        const auto found = values.find(f.name);
        const std::string v = found == values.end() ? std::string() : found->second;
        if (f.kind == FieldKind::Checkbox) {
            out->set(f.name, !v.empty());
            continue;
        }
        if (f.kind == FieldKind::MultiCheck) {
            Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
            for (const auto& item : splitList(v)) items->add(item);
            out->set(f.name, items);
            continue;
        }
        if (v.empty()) continue;
        if (f.kind == FieldKind::Integer) {
            Poco::Int64 n = 0;
            if (Poco::NumberParser::tryParse64(v, n))
                out->set(f.name, n);
            else
                out->set(f.name, v); // the decoder reports the type error beside the field
        } else if (f.kind == FieldKind::Number) {
            double d = 0;
            if (Poco::NumberParser::tryParseFloat(v, d))
                out->set(f.name, d);
            else
                out->set(f.name, v);
        } else {
            out->set(f.name, v);
        }
    }
    return out;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::string::size_type start = 0;
    while (start <= text.size() && !text.empty()) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::string yuan(long long fen) {
    const bool negative = fen < 0;
    unsigned long long abs = negative ? static_cast<unsigned long long>(-(fen + 1)) + 1 : static_cast<unsigned long long>(fen);
    std::string whole = std::to_string(abs / 100);
    for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(static_cast<std::size_t>(i), ",");
    std::string cents = std::to_string(abs % 100);
    if (cents.size() < 2) cents = "0" + cents;
    return std::string(negative ? "-" : "") + "¥" + whole + "." + cents;
}

Poco::JSON::Object::Ptr priceRecordJson(const Poco::JSON::Object& formJson, std::int64_t facilityId, bool& badAmount) {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object(formJson);
    body->remove("amount_yuan");
    body->remove("area_m2");
    body->remove("term_years");
    body->set("facility_id", facilityId);
    badAmount = false;
    if (formJson.has("amount_yuan")) {
        if (const auto fen = domain::parseYuan(formJson.getValue<std::string>("amount_yuan")))
            body->set("amount_fen", *fen);
        else
            badAmount = true;
    }
    Poco::JSON::Object::Ptr attributes = new Poco::JSON::Object;
    for (const auto* name : {"area_m2", "term_years"})
        if (formJson.has(name)) attributes->set(name, formJson.get(name));
    if (attributes->size() > 0) body->set("attributes", attributes);
    return body;
}

} // namespace registry::web
