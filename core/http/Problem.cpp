#include "http/Problem.h"

#include "codec/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>

namespace registry::http {

bool wantsEnglish(const Poco::Net::HTTPServerRequest& request) {
    // The language ranges with their quality values ("en-GB;q=0.8, zh;q=0.2"): the better of English and
    // Chinese wins, Chinese on a tie or when neither is named.
    double en = -1, zh = -1;
    for (const auto& part : Poco::StringTokenizer(Poco::toLower(request.get("Accept-Language", "")), ",",
                                                  Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY)) {
        const auto semicolon = part.find(';');
        const std::string range = Poco::trim(part.substr(0, semicolon));
        double q = 1.0;
        if (semicolon != std::string::npos) {
            const auto at = part.find("q=", semicolon);
            if (at != std::string::npos && !Poco::NumberParser::tryParseFloat(part.substr(at + 2), q)) q = 0;
        }
        if (range == "en" || range.rfind("en-", 0) == 0) en = std::max(en, q);
        if (range == "zh" || range.rfind("zh-", 0) == 0) zh = std::max(zh, q);
    }
    return en > 0 && en > zh;
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
