#pragma once
// The OpenAPI 3.1 description of the API (core/http/openapi.json), built into the binary by
// cmake/EmbedOpenApi.cmake and served without sign-in at GET /api/v1/openapi.json. test/openapi checks it
// against the router and runs an OpenAPI validator over it.

#include <string>

namespace registry::http {

/// The document's JSON text, exactly as in core/http/openapi.json.
const std::string& openApiDocument();

} // namespace registry::http
