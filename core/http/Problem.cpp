#include "http/Problem.h"

#include "codec/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/String.h>

namespace registry::http {

bool wantsEnglish(const Poco::Net::HTTPServerRequest& request) {
    const std::string header = Poco::toLower(request.get("Accept-Language", ""));
    const auto en = header.find("en");
    const auto zh = header.find("zh");
    return en != std::string::npos && (zh == std::string::npos || en < zh);
}

void sendProblem(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                 const Problem& problem, const Poco::JSON::Object::Ptr& extra) {
    const bool english = wantsEnglish(request);
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    body->set("type", "about:blank");
    body->set("title", english ? problem.titleEn : problem.titleZh);
    body->set("status", static_cast<int>(problem.status));
    body->set("detail", english ? problem.detailEn : problem.detailZh);
    if (!problem.errors.empty()) {
        Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
        for (const auto& e : problem.errors) errors->add(codec::toJson(e, english));
        body->set("errors", errors);
    }
    if (extra)
        for (const auto& [key, value] : *extra) body->set(key, value);
    response.setStatusAndReason(problem.status);
    response.setContentType("application/problem+json");
    response.set("Content-Language", english ? "en" : "zh-CN");
    const std::string text = codec::stringify(body);
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
}

} // namespace registry::http
