#include "http/RequestHandlerFactory.h"

#include "http/RequestMetrics.h"
#include "http/Responses.h"
#include "domain/LogText.h"
#include "plugins/WorkerPool.h"
#include "store/Database.h"
#include "store/Errors.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <cstdio>
#include <sstream>

namespace registry::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

HttpError unavailable(const std::string& why) {
    HttpError e({HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "服务暂不可用", "Service unavailable",
                 "数据库暂时无法访问,请稍后重试;本次请求未保存任何内容",
                 "the database cannot be reached now; nothing of this request was stored. Retry later", {}});
    e.headers["Retry-After"] = "5";
    Poco::Logger::get("registry").warning("database unavailable: %s", domain::logSafe(why));
    return e;
}

class ApiHandler : public Poco::Net::HTTPRequestHandler {
public:
    ApiHandler(std::shared_ptr<const Router> router, service::Authenticator& authenticator, const HttpLimits& limits)
        : _router(std::move(router)), _authenticator(authenticator), _limits(limits) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        const auto start = std::chrono::steady_clock::now();
        const InFlight counted;
        std::string user = "-";
        const Route* route = nullptr;
        try {
            dispatch(request, response, user, route);
        } catch (HttpError& e) {
            fail(request, response, e);
        } catch (const service::Refusal& e) {
            HttpError error = problemOf(e, request.getURI());
            fail(request, response, error);
        } catch (const store::ValidationFailed& e) {
            HttpError error = HttpError::unprocessable(e.errors());
            fail(request, response, error);
        } catch (const store::NotFound& e) {
            HttpError error = HttpError::notFound(request.getURI());
            fail(request, response, error);
        } catch (const store::Unavailable& e) {
            HttpError error = unavailable(e.what());
            fail(request, response, error);
        } catch (const plugins::Unavailable& e) { // no sandbox process to be had: nothing was written
            HttpError error = unavailable(e.what());
            fail(request, response, error);
        } catch (const std::exception& e) {
            if (store::isTransient(e)) {
                HttpError error = unavailable(e.what());
                fail(request, response, error);
            } else {
                internal(request, response, e.what());
            }
        }
        const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        countRequest(request.getMethod(), route, static_cast<int>(response.getStatus()), ms / 1000);
        static Poco::Logger& access = Poco::Logger::get("registry.access");
        if (access.information()) { // appended, not Poco::format: it parsed its pattern on every request
            char took[32];
            std::snprintf(took, sizeof took, " %.1fms user=", ms);
            std::string line = domain::logSafe(request.getMethod());
            line.append(" ").append(domain::logSafe(request.getURI())).append(" ");
            line.append(std::to_string(static_cast<int>(response.getStatus()))).append(took);
            line.append(domain::logSafe(user)).append(" peer=").append(request.clientAddress().toString());
            access.information(line);
        }
    }

private:
    void dispatch(HTTPServerRequest& request, HTTPServerResponse& response, std::string& user, const Route*& route) {
        std::string path;
        try {
            path = Poco::URI(request.getURI()).getPath();
        } catch (const Poco::Exception&) {
            throw HttpError::badRequest("请求地址格式错误", "the request URI is malformed");
        }
        const auto match = _router->match(request.getMethod(), path);
        if (!match.route) {
            if (match.allowed.empty())
                throw HttpError({HTTPResponse::HTTP_NOT_FOUND, "未找到", "Not found", "没有这个地址:" + path,
                                 "No such path: " + path, {}});
            HttpError e({HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "不支持该请求方法", "Method not allowed",
                         "此地址支持:" + Poco::cat(std::string(", "), match.allowed.begin(), match.allowed.end()),
                         "this path answers " + Poco::cat(std::string(", "), match.allowed.begin(), match.allowed.end()),
                         {}});
            e.headers["Allow"] = Poco::cat(std::string(", "), match.allowed.begin(), match.allowed.end());
            throw e;
        }
        route = match.route;
        Exchange exchange(request, response, match.params, _limits);
        if (match.route->signedIn) {
            const std::string header = request.get("Authorization", "");
            const std::string prefix = "Bearer ";
            if (header.size() <= prefix.size() || Poco::icompare(header.substr(0, prefix.size()), prefix) != 0)
                throw HttpError::unauthorized();
            auto principal = _authenticator.authenticate(Poco::trim(header.substr(prefix.size())));
            if (!principal) throw HttpError::unauthorized();
            user = principal->username;
            exchange.setPrincipal(std::move(*principal));
        }
        match.route->handler(exchange);
    }

    void fail(HTTPServerRequest& request, HTTPServerResponse& response, HttpError& error) {
        if (response.sent()) return; // a streamed answer already began; the connection ends here
        for (const auto& [name, value] : error.headers) response.set(name, value);
        sendProblem(request, response, error.problem(), error.extra);
    }

    void internal(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& what) {
        Poco::Logger::get("registry").error("internal error on %s %s: %s", domain::logSafe(request.getMethod()),
                                            domain::logSafe(request.getURI()), domain::logSafe(what));
        if (response.sent()) return;
        sendProblem(request, response,
                    {HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "服务器内部错误", "Internal server error",
                     "服务器处理请求时出错,已记录日志;本次请求未保存任何内容",
                     "the server failed on this request and logged it; nothing of it was stored", {}});
    }

    std::shared_ptr<const Router> _router;
    service::Authenticator& _authenticator;
    const HttpLimits& _limits;
};

} // namespace

RequestHandlerFactory::RequestHandlerFactory(std::shared_ptr<const Router> router, service::Authenticator& authenticator,
                                             HttpLimits limits)
    : _router(std::move(router)), _authenticator(authenticator), _limits(limits) {}

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::createRequestHandler(const HTTPServerRequest&) {
    return new ApiHandler(_router, _authenticator, _limits);
}

} // namespace registry::http
