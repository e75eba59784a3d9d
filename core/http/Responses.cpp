#include "http/Responses.h"

#include "domain/District.h"

namespace registry::http {

void failIfInvalid(domain::Validator& decodeErrors, const domain::FieldErrors& validationErrors) {
    // A field that failed to decode would also fail validation with a misleading message: keep the first.
    for (const auto& e : validationErrors)
        if (!decodeErrors.has(e.field)) decodeErrors.add(e);
    if (!decodeErrors.ok()) throw HttpError::unprocessable(decodeErrors.take());
}

HttpError pluginRefusal(const std::string& message) {
    HttpError e({Poco::Net::HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, "不符合本区规定,未保存", "Refused by a district rule",
                 message, message, {{"", "plugin", message, message}}});
    return e;
}

std::optional<std::string> districtParam(const Exchange& exchange) {
    auto district = exchange.query("district");
    if (district && !domain::findDistrict(*district))
        throw HttpError::badRequest("district 须为北京市的区代码(如 110108)",
                                    "district must be a Beijing district code such as 110108");
    return district;
}

} // namespace registry::http
