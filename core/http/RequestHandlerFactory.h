#pragma once
// The one request handler: matches the route, signs the caller in, runs the handler, and turns every
// failure into the problem document API.md names (never a 500 for bad input), logging each request.

#include "service/Authenticator.h"
#include "http/Router.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <memory>

namespace registry::http {

class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    RequestHandlerFactory(std::shared_ptr<const Router> router, service::Authenticator& authenticator, HttpLimits limits);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    std::shared_ptr<const Router> _router;
    service::Authenticator& _authenticator;
    HttpLimits _limits;
};

} // namespace registry::http
