#include "web/Forms.h"

#include "domain/District.h"
#include "http/Exchange.h"

#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>

#include <algorithm>

namespace registry::web {

std::vector<std::pair<std::string, std::string>> districtOptions(const Request& req, bool required) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto& own = req.session ? req.session->user.district : std::nullopt;
    if (!required && !own) out.emplace_back("", req.t("choose_none"));
    for (const auto& d : domain::districts())
        if (!own || *own == d.code) out.emplace_back(d.code, req.en() ? d.nameEn : d.nameZh);
    return out;
}

std::string districtName(const Request& req, const std::string& code) {
    const auto* d = domain::findDistrict(code);
    return d ? (req.en() ? d->nameEn : d->nameZh) : code;
}

const FieldSpec* Form::spec(const std::string& name) const {
    for (const auto& f : _fields)
        if (f.name == name) return &f;
    return nullptr;
}

void Form::fill(const Poco::JSON::Object& record) {
    for (const auto& f : _fields) {
        if (!record.has(f.name)) {
            _values[f.name] = "";
            continue;
        }
        const auto value = record.get(f.name);
        if (value.isEmpty()) {
            _values[f.name] = "";
        } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
            std::string joined;
            for (const auto& item : *value.extract<Poco::JSON::Array::Ptr>())
                joined += (joined.empty() ? "" : ",") + item.convert<std::string>();
            _values[f.name] = joined;
        } else if (value.type() == typeid(bool)) {
            _values[f.name] = value.extract<bool>() ? "true" : "";
        } else {
            _values[f.name] = value.convert<std::string>();
        }
    }
}

void Form::set(const std::string& name, const std::string& value) { _values[name] = value; }

std::string Form::value(const std::string& name) const {
    const auto found = _values.find(name);
    return found == _values.end() ? std::string() : found->second;
}

std::string Form::display(const std::string& name, const std::string& raw) const {
    const auto* f = spec(name);
    if (!f) return raw;
    if (f->kind == FieldKind::Checkbox) return raw.empty() || raw == "false" ? "✗" : "✓";
    if (f->kind == FieldKind::MultiCheck) {
        std::string out;
        for (const auto& item : splitList(raw))
            for (const auto& [value, label] : f->options)
                if (value == item) out += (out.empty() ? "" : "、") + label;
        return out;
    }
    for (const auto& [value, label] : f->options)
        if (value == raw && !raw.empty()) return label;
    return raw;
}

void Form::fillFrom(const Request& req) {
    for (auto& [name, value] : postedValues(_fields, PostedFields(req.form.begin(), req.form.end())))
        _values[name] = std::move(value);
}

Poco::JSON::Object::Ptr Form::toJson() const { return formJson(_fields, _values); }

void Form::addErrors(const Request& req, const domain::FieldErrors& errors,
                     const std::map<std::string, std::string>& renamed) {
    for (auto e : errors) {
        if (const auto r = renamed.find(e.field); r != renamed.end()) e.field = r->second;
        std::string text = req.en() ? e.messageEn : e.messageZh;
        const auto* f = spec(e.field);
        // The decoder's generic words name the API field; beside the field, plain words say it better.
        if (f && e.code == "required") text = req.t("err_required");
        if (f && e.code == "type")
            text = req.t(f->kind == FieldKind::Integer ? "err_integer" : f->kind == FieldKind::Number ? "err_number" : "err_type");
        addError(f ? e.field : "", text);
    }
}

void Form::addError(const std::string& field, const std::string& text) {
    if (field.empty() || !spec(field)) {
        _general.push_back(text);
        return;
    }
    _errors.emplace(field, text); // the first error of a field is shown
}

void Form::into(const Request& req, mstch::map& view) const {
    mstch::array fields;
    for (const auto& f : _fields) {
        const std::string v = value(f.name);
        mstch::map m{{"name", f.name},
                     {"id", "f-" + f.name},
                     {"label", req.t(f.labelKey)},
                     {"value", v},
                     {"required", f.required}};
        switch (f.kind) {
        case FieldKind::TextArea: m["is_textarea"] = true; break;
        case FieldKind::Select: m["is_select"] = true; break;
        case FieldKind::Checkbox: m["is_checkbox"] = true; m["checked"] = !v.empty(); break;
        case FieldKind::MultiCheck: m["is_multi"] = true; break;
        case FieldKind::Integer: m["is_input"] = true; m["type"] = std::string("text"); m["inputmode"] = std::string("numeric"); break;
        case FieldKind::Number: m["is_input"] = true; m["type"] = std::string("text"); m["inputmode"] = std::string("decimal"); break;
        case FieldKind::Date: m["is_input"] = true; m["type"] = std::string("date"); break;
        case FieldKind::Password: m["is_input"] = true; m["type"] = std::string("password"); break;
        case FieldKind::Text: m["is_input"] = true; m["type"] = std::string("text"); break;
        case FieldKind::Files: {
            std::string accept;
            for (const auto& [type, unused] : f.options) accept += (accept.empty() ? "" : ",") + type;
            m["is_file"] = true;
            m["accept"] = accept;
            break;
        }
        }
        if (f.kind == FieldKind::Select || f.kind == FieldKind::MultiCheck) {
            const auto chosen = splitList(v);
            mstch::array options;
            for (const auto& [value, label] : f.options)
                options.push_back(mstch::map{
                    {"value", value},
                    {"label", label},
                    {"option_id", "f-" + f.name + "-" + value},
                    {"selected", f.kind == FieldKind::Select ? value == v
                                                             : std::find(chosen.begin(), chosen.end(), value) != chosen.end()}});
            m["options"] = options;
        }
        if (!f.hintKey.empty()) m["hint"] = req.t(f.hintKey);
        const auto error = _errors.find(f.name);
        if (error != _errors.end()) m["error"] = error->second;
        std::string describedBy;
        if (!f.hintKey.empty()) describedBy = "h-" + f.name;
        if (error != _errors.end()) describedBy += (describedBy.empty() ? "" : " ") + std::string("e-") + f.name;
        if (!describedBy.empty()) m["described_by"] = describedBy;
        fields.push_back(m);
    }
    view["fields"] = fields;
    if (!ok()) {
        mstch::array summary;
        for (const auto& text : _general) summary.push_back(mstch::map{{"text", text}});
        for (const auto& f : _fields) {
            const auto error = _errors.find(f.name);
            if (error != _errors.end())
                summary.push_back(mstch::map{{"text", req.t(f.labelKey) + ":" + error->second}, {"href", "#f-" + f.name}});
        }
        view["form_errors"] = summary;
        view["form_error_count"] = std::to_string(summary.size());
    }
}

long long postedVersion(const Request& req) {
    Poco::Int64 version = 0;
    if (!Poco::NumberParser::tryParse64(req.field("version"), version) || version < 1)
        throw http::HttpError::badRequest("表单缺少版本号,请重新打开编辑页面", "the form lacks its version; open the edit page again");
    return version;
}

std::string nextPageLink(Request& req, const std::optional<long long>& nextAfterId) {
    if (!nextAfterId) return "";
    Poco::URI uri(req.request().getURI());
    Poco::URI::QueryParameters params;
    for (const auto& [k, v] : uri.getQueryParameters())
        if (k != "cursor" && k != "lang") params.emplace_back(k, v);
    params.emplace_back("cursor", http::Exchange::encodeCursor(*nextAfterId));
    uri.setQueryParameters(params);
    return uri.getPathAndQuery();
}

} // namespace registry::web
