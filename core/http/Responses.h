#pragma once
// Helpers shared by the route files: field errors from decoding and validation together, 409 with the
// current record, and query parameters that name a district.

#include "codec/RecordJson.h"
#include "http/Exchange.h"
#include "store/Errors.h"

namespace registry::http {

/// Throws 422 with every error of decoding and of domain validation at once (one per field).
void failIfInvalid(domain::Validator& decodeErrors, const domain::FieldErrors& validationErrors);

/// 409 carrying the current record, as API.md asks.
template <class Record> HttpError conflict(const Record& current) {
    HttpError e({Poco::Net::HTTPResponse::HTTP_CONFLICT, "记录已被他人修改", "Version conflict",
                 "该记录已被他人修改(当前版本 " + std::to_string(current.version) + "),请在最新内容上重新修改",
                 "someone changed the record meanwhile (now version " + std::to_string(current.version) +
                     "); re-apply your change to the current record",
                 {}});
    e.extra = new Poco::JSON::Object;
    e.extra->set("current", codec::toJson(current));
    return e;
}

/// 422 for a write a plugin's validate hook refused ("plugin: message"); nothing is stored.
HttpError pluginRefusal(const std::string& message);

/// The `district` query parameter, checked to be a district code (400 otherwise).
std::optional<std::string> districtParam(const Exchange& exchange);

} // namespace registry::http
