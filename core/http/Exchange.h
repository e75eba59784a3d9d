#pragma once
// One request and its response as a handler sees them: path and query parameters, the JSON body (with
// the content-type, size and syntax checks of API.md), the signed-in principal, and ways to answer.

#include "http/ResponseCache.h"
#include "auth/Access.h"
#include "http/HttpError.h"
#include "store/Page.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::http {

struct HttpLimits {
    std::size_t maxBodyBytes = 1024 * 1024;       // JSON bodies
    std::size_t maxUploadBytes = 32 * 1024 * 1024; // CSV uploads
    int publicPerMinute = 120; // public.requests_per_minute: per client address on /public and /api/v1/public; 0: none
    /// public.cache_seconds: how long a public answer is reused for the next signed-out visitors; 0: never.
    int publicCacheSeconds = 10;
    /// http.trusted_proxies: peers whose X-Forwarded-For names the client (a reverse proxy in front).
    std::vector<std::string> trustedProxies;
    /// http.metrics_from: who may read GET /metrics (addresses and networks, see http/Networks.h).
    std::string metricsFrom = "127.0.0.0/8, ::1";
    /// metrics.cache_seconds: how long the database's counts in /metrics are reused; 0: read every scrape.
    int metricsCacheSeconds = 10;
};

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address of
/// X-Forwarded-For that is not one (a client cannot choose it by sending the header itself).
std::string clientAddress(const Poco::Net::HTTPServerRequest& request, const HttpLimits& limits);

class Exchange {
public:
    Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             std::map<std::string, std::string> pathParams, const HttpLimits& limits);

    Poco::Net::HTTPServerRequest& request() { return _request; }
    Poco::Net::HTTPServerResponse& response() { return _response; }
    bool english() const { return _english; }

    /// A path parameter that must be a positive integer id; 404 otherwise (no such record can exist).
    long long id(const std::string& name = "id") const;
    const std::string& pathParam(const std::string& name) const;

    /// A query parameter, if present and not empty.
    std::optional<std::string> query(const std::string& name) const;
    std::optional<long long> queryId(const std::string& name) const; // 400 when not an integer
    bool queryFlag(const std::string& name) const;                   // true/false/1/0; 400 otherwise
    template <class E> std::optional<E> queryEnum(const std::string& name) const;
    /// limit (1–500, default 50) and cursor; 400 on a malformed one.
    store::PageRequest page() const;

    /// The JSON object in the body: 415 unless Content-Type is application/json, 413 past the limit
    /// (checked before reading when Content-Length says so), 400 when it is not a JSON object.
    Poco::JSON::Object::Ptr jsonBody();
    /// The raw body up to `limit` bytes (413 past it).
    std::string rawBody(std::size_t limit);

    /// The version the client read, from If-Match: 428 without it, 400 when malformed.
    long long ifMatch() const;

    void setPrincipal(auth::Principal p) { _principal = std::move(p); }
    const auth::Principal& principal() const;
    bool signedIn() const { return _principal.has_value(); }

    void sendJson(int status, const Poco::Dynamic::Var& body);
    /// A record with its ETag.
    void sendRecord(int status, const Poco::JSON::Object::Ptr& record, long long version);
    /// The same for a record already written as JSON text (codec::toJsonText).
    void sendRecordText(int status, const std::string& json, long long version);
    /// {"items": [...], "next_cursor": ...}
    void sendPage(const Poco::JSON::Array::Ptr& items, const std::optional<long long>& nextAfterId);
    void sendNoContent();
    /// A public answer that may be kept by browsers and proxies: an ETag of the body and
    /// "Cache-Control: public, max-age=N"; 304 without the body when If-None-Match names that ETag.
    /// `varyOnCookie`: the body depends on the language cookie (the public pages).
    void sendCacheable(const std::string& contentType, const std::string& body, int maxAgeSeconds,
                       bool varyOnCookie = false);
    /// The same for a body whose ETag is known (http::Kept).
    void sendCacheable(const std::string& contentType, const Kept& kept, int maxAgeSeconds, bool varyOnCookie = false);
    /// A body that is not JSON (CSV, HTML), sent whole.
    void sendText(int status, const std::string& contentType, const std::string& body);

    static std::string encodeCursor(long long afterId);

private:
    void sendJsonText(int status, const std::string& text);
    Poco::Net::HTTPServerRequest& _request;
    Poco::Net::HTTPServerResponse& _response;
    std::map<std::string, std::string> _pathParams;
    Poco::Net::NameValueCollection _query;
    const HttpLimits& _limits;
    bool _english;
    std::optional<auth::Principal> _principal;
};

template <class E> std::optional<E> Exchange::queryEnum(const std::string& name) const {
    const auto value = query(name);
    if (!value) return std::nullopt;
    if (auto parsed = domain::parseEnum<E>(*value)) return parsed;
    throw HttpError::badRequest("查询参数 " + name + " 的取值无效,可选值:" + domain::allowedValues<E>(),
                                "query parameter " + name + " must be one of: " + domain::allowedValues<E>());
}

} // namespace registry::http
