// libFuzzer target: a JSON request body, decoded into every domain type and validated, as the API does it.
// Bad input must end in field errors or a parse error, never in a crash, a hang or undefined behaviour.

#include "codec/RecordDecode.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <string>

using namespace registry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(body);
    } catch (const Poco::Exception&) {
        return 0; // the API answers 400 "not valid JSON"
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return 0; // 400 "must be an object"
    const auto object = parsed.extract<Poco::JSON::Object::Ptr>();

    // Each decoder and then its validator, the order of the routes (core/http/*Routes.cpp).
    {
        domain::Validator errors;
        const auto facility = codec::decodeFacility(*object, errors);
        domain::validate(facility);
    }
    domain::BurialSite site;
    {
        domain::Validator errors;
        site = codec::decodeBurialSite(*object, errors);
        domain::validate(site, domain::PlanWindow{});
    }
    {
        domain::Validator errors;
        const auto entry = codec::decodeProgressEntry(*object, errors);
        domain::validate(entry, site);
    }
    {
        domain::Validator errors;
        const auto price = codec::decodePriceRecord(*object, errors);
        domain::validate(price);
    }
    {
        domain::Validator errors;
        const auto reference = codec::decodeReferencePrice(*object, errors);
        domain::validate(reference);
    }
    {
        domain::Validator errors;
        const auto inspection = codec::decodeInspection(*object, errors);
        domain::validate(inspection);
    }
    for (const bool creating : {true, false}) {
        domain::Validator errors;
        std::optional<std::string> password;
        const auto user = codec::decodeUser(*object, errors, creating, password);
        domain::validate(user);
        if (password) domain::checkPassword(*password);
    }
    return 0;
}
