#include "plugins/PluginConfig.h"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <stdexcept>

namespace registry::plugins {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

/// `text` as a value of the same type as `model`; nullopt if it does not parse.
std::optional<Var> convertLike(const Var& model, const std::string& text) {
    const std::string trimmed = Poco::trim(text);
    if (model.isBoolean()) {
        const std::string lower = Poco::toLower(trimmed);
        if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return Var(true);
        if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return Var(false);
        return std::nullopt;
    }
    if (model.isInteger()) {
        Poco::Int64 value = 0;
        if (Poco::NumberParser::tryParse64(trimmed, value)) return Var(value);
        double real = 0;
        if (Poco::NumberParser::tryParseFloat(trimmed, real)) return Var(real);
        return std::nullopt;
    }
    if (model.isNumeric()) {
        double value = 0;
        if (Poco::NumberParser::tryParseFloat(trimmed, value)) return Var(value);
        return std::nullopt;
    }
    // An empty table in `defaults` ({}) converts as an empty object: a list of strings is what it means.
    const bool emptyTable = model.type() == typeid(Object::Ptr) && model.extract<Object::Ptr>()->size() == 0;
    if (model.type() == typeid(Array::Ptr) || emptyTable) {
        const Array::Ptr list = emptyTable ? Array::Ptr() : model.extract<Array::Ptr>();
        const Var element = list && list->size() > 0 ? list->get(0) : Var(std::string());
        Array::Ptr out = new Array;
        if (trimmed.empty()) return Var(out);
        std::size_t start = 0;
        while (start <= trimmed.size()) {
            const std::size_t comma = trimmed.find(',', start);
            const std::string part =
                trimmed.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            auto value =
                element.isString() ? std::optional<Var>(Var(Poco::trim(part))) : convertLike(element, part);
            if (!value) return std::nullopt;
            out->add(*value);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return Var(out);
    }
    return Var(text);
}

std::string typeName(const Var& model) {
    if (model.isBoolean()) return "true or false";
    if (model.isNumeric()) return "a number";
    if (model.type() == typeid(Array::Ptr) || model.type() == typeid(Object::Ptr))
        return "a comma-separated list";
    return "text";
}

Object::Ptr copyDefaults(const Manifest& manifest) {
    Object::Ptr config = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, value] : *manifest.defaults)
        config->set(key, value);
    return config;
}

} // namespace

Object::Ptr pluginConfig(const Manifest& manifest, const std::map<std::string, std::string>& settings) {
    Object::Ptr config = copyDefaults(manifest);
    const std::string prefix = "plugin." + manifest.name + ".";
    for (auto it = settings.lower_bound(prefix);
         it != settings.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        const std::string key = it->first.substr(prefix.size());
        if (key.empty()) continue;
        if (!manifest.defaults->has(key)) {
            config->set(key, it->second);
            continue;
        }
        const Var model = manifest.defaults->get(key);
        auto value = convertLike(model, it->second);
        if (!value)
            throw std::invalid_argument("setting " + it->first + " = '" + it->second + "' is not " +
                                        typeName(model));
        config->set(key, *value);
    }
    return config;
}

Object::Ptr pluginConfig(const Manifest& manifest, const Object& overrides) {
    Object::Ptr config = copyDefaults(manifest);
    for (const auto& [key, value] : overrides) {
        if (value.isString() && manifest.defaults->has(key)) {
            const Var model = manifest.defaults->get(key);
            auto converted = convertLike(model, value.extract<std::string>());
            if (!converted)
                throw std::invalid_argument("config." + key + " = '" + value.extract<std::string>() +
                                            "' is not " + typeName(model));
            config->set(key, *converted);
        } else {
            config->set(key, value);
        }
    }
    return config;
}

} // namespace registry::plugins
