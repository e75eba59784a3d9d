// GET /api/v1/openapi.json: the OpenAPI document of this API, for anyone (no sign-in), as built in.

#include "http/Api.h"
#include "http/OpenApi.h"

namespace registry::http {

void addOpenApiRoutes(Router& router, ApiContext&) {
    router.add(
        "GET", "/api/v1/openapi.json",
        [](Exchange& ex) {
            const std::string& text = openApiDocument();
            auto& response = ex.response();
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
            response.setContentType("application/json; charset=utf-8");
            response.set("Cache-Control", "no-cache");
            response.setContentLength(static_cast<std::streamsize>(text.size()));
            response.send() << text;
        },
        false);
}

} // namespace registry::http
