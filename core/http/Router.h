#pragma once
// Method + path-pattern routing: "/api/v1/facilities/{id}" matches "/api/v1/facilities/7" with id = "7".
// The route table is also what the OpenAPI document is checked against.

#include "http/Exchange.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace registry::http {

using Handler = std::function<void(Exchange&)>;

struct Route {
    std::string method;  // GET, POST, PUT, DELETE
    std::string pattern; // "/api/v1/facilities/{id}"
    Handler handler;
    bool signedIn = true; // false: answers without a token
    std::vector<std::string> segments;
};

class Router {
public:
    void add(const std::string& method, const std::string& pattern, Handler handler, bool signedIn = true);

    struct Match {
        const Route* route = nullptr;              // nullptr: no route for this method
        std::map<std::string, std::string> params; // path parameters
        std::vector<std::string> allowed;          // methods the path answers (for 405)
    };
    Match match(const std::string& method, const std::string& path) const;

    const std::vector<Route>& routes() const { return _routes; }

private:
    std::vector<Route> _routes;
};

} // namespace registry::http
