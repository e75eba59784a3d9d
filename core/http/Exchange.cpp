#include "http/Exchange.h"

#include "codec/RecordJson.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/NumberParser.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StringTokenizer.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>

namespace registry::http {

using Poco::Net::HTTPResponse;

Exchange::Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   std::map<std::string, std::string> pathParams, const HttpLimits& limits)
    : _request(request), _response(response), _pathParams(std::move(pathParams)), _limits(limits),
      _english(wantsEnglish(request)) {
    try {
        for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) _query.add(key, value);
    } catch (const Poco::Exception&) {
        throw HttpError::badRequest("查询字符串格式错误", "the query string is malformed");
    }
}

const std::string& Exchange::pathParam(const std::string& name) const { return _pathParams.at(name); }

long long Exchange::id(const std::string& name) const {
    Poco::Int64 value = 0;
    const auto& text = pathParam(name);
    if (!Poco::NumberParser::tryParse64(text, value) || value <= 0) throw HttpError::notFound(text);
    return value;
}

std::optional<std::string> Exchange::query(const std::string& name) const {
    if (!_query.has(name)) return std::nullopt;
    const std::string& value = _query.get(name);
    if (value.empty()) return std::nullopt;
    return value;
}

std::optional<long long> Exchange::queryId(const std::string& name) const {
    const auto text = query(name);
    if (!text) return std::nullopt;
    Poco::Int64 value = 0;
    if (!Poco::NumberParser::tryParse64(*text, value))
        throw HttpError::badRequest("查询参数 " + name + " 须为整数", "query parameter " + name + " must be an integer");
    return value;
}

bool Exchange::queryFlag(const std::string& name) const {
    const auto text = query(name);
    if (!text) return false;
    if (*text == "true" || *text == "1") return true;
    if (*text == "false" || *text == "0") return false;
    throw HttpError::badRequest("查询参数 " + name + " 须为 true 或 false", "query parameter " + name + " must be true or false");
}

std::string Exchange::encodeCursor(long long afterId) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder << "after:" << afterId;
    encoder.close();
    return out.str();
}

store::PageRequest Exchange::page() const {
    store::PageRequest page;
    if (const auto limit = query("limit")) {
        int value = 0;
        if (!Poco::NumberParser::tryParse(*limit, value) || value < 1 || value > store::maxPageLimit)
            throw HttpError::badRequest("limit 须为 1 到 500 之间的整数", "limit must be a whole number from 1 to 500");
        page.limit = value;
    }
    if (const auto cursor = query("cursor")) {
        std::string decoded;
        try {
            std::istringstream in(*cursor);
            Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
            std::getline(decoder, decoded);
        } catch (const Poco::Exception&) {
            decoded.clear();
        }
        Poco::Int64 after = 0;
        if (decoded.rfind("after:", 0) != 0 || !Poco::NumberParser::tryParse64(decoded.substr(6), after) || after < 0)
            throw HttpError::badRequest("cursor 无效:请使用上一页返回的 next_cursor",
                                        "cursor is not valid: pass the next_cursor of the previous page");
        page.afterId = after;
    }
    return page;
}

std::string Exchange::rawBody(std::size_t limit) {
    const auto tooLarge = [&] {
        return HttpError({HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "请求内容过大", "Request body too large",
                          "请求内容不能超过 " + std::to_string(limit) + " 字节",
                          "the request body must be at most " + std::to_string(limit) + " bytes", {}});
    };
    if (_request.hasContentLength() && _request.getContentLength64() > static_cast<Poco::Int64>(limit)) {
        // Answer before reading; the connection is closed so the unread body cannot be taken for a request.
        _response.setKeepAlive(false);
        throw tooLarge();
    }
    std::string body;
    auto& in = _request.stream();
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > limit) {
            _response.setKeepAlive(false);
            throw tooLarge();
        }
    }
    return body;
}

Poco::JSON::Object::Ptr Exchange::jsonBody() {
    // The media type alone, without parameters such as "; charset=utf-8".
    std::string type = Poco::toLower(_request.getContentType());
    type = Poco::trim(type.substr(0, type.find(';')));
    if (type != "application/json")
        throw HttpError({HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, "不支持的内容类型", "Unsupported media type",
                         "请求内容须为 JSON,Content-Type: application/json",
                         "the body must be JSON with Content-Type: application/json", {}});
    const std::string body = rawBody(_limits.maxBodyBytes);
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(body);
    } catch (const Poco::Exception& e) {
        // The parser's words may quote a raw byte of the body; only printable ASCII goes back to the client.
        std::string why;
        for (char c : e.message())
            if (c >= 0x20 && c < 0x7f) why += c;
        throw HttpError::badRequest("请求内容不是有效的 JSON:" + why, "the body is not valid JSON: " + why);
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
        throw HttpError::badRequest("请求内容须为 JSON 对象 {…}", "the body must be a JSON object {…}");
    return parsed.extract<Poco::JSON::Object::Ptr>();
}

long long Exchange::ifMatch() const {
    if (!_request.has("If-Match"))
        throw HttpError({HTTPResponse::HTTP_PRECONDITION_REQUIRED, "缺少版本号", "Precondition required",
                         "修改记录须带 If-Match 头,值为读取时的 ETag,以免覆盖他人的修改",
                         "send If-Match with the ETag you read, so that nobody's change is overwritten", {}});
    std::string value = Poco::trim(_request.get("If-Match"));
    if (value.rfind("W/", 0) == 0) value = value.substr(2);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    Poco::Int64 version = 0;
    if (!Poco::NumberParser::tryParse64(value, version) || version < 1)
        throw HttpError::badRequest("If-Match 须为读取记录时得到的 ETag,如 \"3\"",
                                    "If-Match must be the ETag you read, such as \"3\"");
    return version;
}

const auth::Principal& Exchange::principal() const {
    if (!_principal) throw HttpError::unauthorized();
    return *_principal;
}

void Exchange::sendJson(int status, const Poco::Dynamic::Var& body) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(body, out);
    sendJsonText(status, out.str());
}

void Exchange::sendRecordText(int status, const std::string& json, long long version) {
    _response.set("ETag", "\"" + std::to_string(version) + "\"");
    sendJsonText(status, json);
}

void Exchange::sendJsonText(int status, const std::string& text) {
    _response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    _response.setContentType("application/json; charset=utf-8");
    _response.set("Cache-Control", "no-store");
    _response.setContentLength(static_cast<std::streamsize>(text.size()));
    _response.send() << text;
}

namespace {
/// An address as the settings write it: an IPv4 client of a dual-stack socket ("::ffff:10.0.0.1") as IPv4.
std::string plainAddress(const Poco::Net::IPAddress& ip) {
    const std::string text = ip.toString();
    if (ip.family() == Poco::Net::IPAddress::IPv6 && ip.isIPv4Mapped()) return text.substr(text.rfind(':') + 1);
    return text;
}
} // namespace

std::string clientAddress(const Poco::Net::HTTPServerRequest& request, const HttpLimits& limits) {
    std::string address = plainAddress(request.clientAddress().host());
    const auto trusted = [&](const std::string& a) {
        return std::find(limits.trustedProxies.begin(), limits.trustedProxies.end(), a) != limits.trustedProxies.end();
    };
    if (!trusted(address)) return address;
    // Every X-Forwarded-For line, in order: some proxies add a line of their own instead of extending the
    // client's, so the first line alone could be the client's invention.
    std::string forwarded;
    for (auto it = request.find("X-Forwarded-For"); it != request.end() && Poco::icompare(it->first, "X-Forwarded-For") == 0;
         ++it)
        forwarded += (forwarded.empty() ? "" : ",") + it->second;
    // Right to left: each trusted proxy appended the address it got the request from.
    Poco::StringTokenizer hops(forwarded, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (auto hop = hops.end(); hop != hops.begin();) {
        --hop;
        Poco::Net::IPAddress ip;
        if (!Poco::Net::IPAddress::tryParse(*hop, ip)) return address; // not an address: the proxy's own
        address = plainAddress(ip);
        if (!trusted(address)) return address;
    }
    return address;
}

void Exchange::sendCacheable(const std::string& contentType, const std::string& body, int maxAgeSeconds,
                             bool varyOnCookie) {
    sendCacheable(contentType, Kept{body, contentTag(body)}, maxAgeSeconds, varyOnCookie);
}

void Exchange::sendCacheable(const std::string& contentType, const Kept& kept, int maxAgeSeconds, bool varyOnCookie) {
    const auto& etag = kept.etag;
    const auto& body = kept.body;
    _response.set("ETag", etag);
    _response.set("Cache-Control", "public, max-age=" + std::to_string(maxAgeSeconds));
    if (varyOnCookie) _response.set("Vary", "Cookie");
    // If-None-Match may list several tags, or be *.
    const std::string wanted = _request.get("If-None-Match", "");
    if (!wanted.empty() && (wanted == "*" || wanted.find(etag) != std::string::npos)) {
        _response.setStatusAndReason(HTTPResponse::HTTP_NOT_MODIFIED);
        _response.setContentLength(0);
        _response.send();
        return;
    }
    _response.setStatusAndReason(HTTPResponse::HTTP_OK);
    _response.setContentType(contentType);
    _response.setContentLength(static_cast<std::streamsize>(body.size()));
    _response.send() << body;
}

void Exchange::sendRecord(int status, const Poco::JSON::Object::Ptr& record, long long version) {
    _response.set("ETag", "\"" + std::to_string(version) + "\"");
    sendJson(status, record);
}

void Exchange::sendPage(const Poco::JSON::Array::Ptr& items, const std::optional<long long>& nextAfterId) {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    body->set("items", items);
    if (nextAfterId)
        body->set("next_cursor", encodeCursor(*nextAfterId));
    else
        body->set("next_cursor", Poco::Dynamic::Var());
    sendJson(200, body);
}

void Exchange::sendText(int status, const std::string& contentType, const std::string& body) {
    _response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    _response.setContentType(contentType);
    _response.set("Cache-Control", "no-store");
    _response.setContentLength(static_cast<std::streamsize>(body.size()));
    _response.send() << body;
}

void Exchange::sendNoContent() {
    _response.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
    _response.setContentLength(0);
    _response.send();
}

} // namespace registry::http
