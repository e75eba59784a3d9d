// Prints the OpenAPI document built into the server (as GET /api/v1/openapi.json serves it), so that
// lint.sh can run an OpenAPI validator over exactly that text.

#include "http/OpenApi.h"

#include <iostream>

int main() {
    std::cout << registry::http::openApiDocument();
    std::cout.flush();
    return std::cout ? 0 : 1;
}
