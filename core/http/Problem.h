#pragma once
// Error answers as RFC 9457 problem details (application/problem+json), Chinese by default and English
// when the client asks for it with Accept-Language: en.

#include "domain/FieldError.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace registry::http {

/// True when the request's Accept-Language prefers English over Chinese.
bool wantsEnglish(const Poco::Net::HTTPServerRequest& request);

struct Problem {
    Poco::Net::HTTPResponse::HTTPStatus status;
    std::string titleZh, titleEn;
    std::string detailZh, detailEn;
    domain::FieldErrors errors;
};

/// Sends `problem` as the whole response; `extra` members (such as "current" on a 409) are added to it.
void sendProblem(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                 const Problem& problem, const Poco::JSON::Object::Ptr& extra = nullptr);

} // namespace registry::http
