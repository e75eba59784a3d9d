#pragma once
// Routes requests to handlers. For now: the operations endpoints /healthz and /readyz; every other path
// is a 404 problem.

#include "store/Database.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace registry::http {

class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit RequestHandlerFactory(store::Database& db) : _db(db) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    store::Database& _db;
};

} // namespace registry::http
