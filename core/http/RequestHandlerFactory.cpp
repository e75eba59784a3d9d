#include "http/RequestHandlerFactory.h"

#include "http/Problem.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <sstream>

namespace registry::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void sendJson(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const Poco::JSON::Object& body) {
    std::ostringstream text;
    body.stringify(text);
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.set("Cache-Control", "no-store");
    response.setContentLength(static_cast<std::streamsize>(text.str().size()));
    response.send() << text.str();
}

/// GET /healthz: the process is alive and answering.
class HealthHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
        Poco::JSON::Object body;
        body.set("status", "ok");
        sendJson(response, HTTPResponse::HTTP_OK, body);
    }
};

/// GET /readyz: the database answers now. 503 with Retry-After otherwise, so a load balancer waits.
class ReadyHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ReadyHandler(store::Database& db) : _db(db) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        if (_db.ping()) {
            Poco::JSON::Object body;
            body.set("status", "ready");
            body.set("database", "ok");
            sendJson(response, HTTPResponse::HTTP_OK, body);
            return;
        }
        response.set("Retry-After", "5");
        sendProblem(request, response,
                    {HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "服务暂不可用", "Service unavailable",
                     "数据库暂时无法访问,请稍后重试", "The database cannot be reached now; retry later", {}});
    }

private:
    store::Database& _db;
};

class MethodNotAllowedHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        response.set("Allow", "GET");
        sendProblem(request, response,
                    {HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "不支持该请求方法", "Method not allowed",
                     "此地址只支持 GET 请求", "This path only answers GET", {}});
    }
};

class NotFoundHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        sendProblem(request, response,
                    {HTTPResponse::HTTP_NOT_FOUND, "未找到", "Not found", "没有这个地址:" + request.getURI(),
                     "No such path: " + request.getURI(), {}});
    }
};

} // namespace

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::createRequestHandler(const HTTPServerRequest& request) {
    std::string path;
    try {
        path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
        return new NotFoundHandler;
    }
    const bool get = request.getMethod() == "GET" || request.getMethod() == "HEAD";
    if (path == "/healthz") return get ? static_cast<Poco::Net::HTTPRequestHandler*>(new HealthHandler) : new MethodNotAllowedHandler;
    if (path == "/readyz") return get ? static_cast<Poco::Net::HTTPRequestHandler*>(new ReadyHandler(_db)) : new MethodNotAllowedHandler;
    return new NotFoundHandler;
}

} // namespace registry::http
