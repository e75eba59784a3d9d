#include "http/Router.h"

#include <Poco/StringTokenizer.h>

namespace registry::http {

namespace {
std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    Poco::StringTokenizer tokens(path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& t : tokens) out.push_back(t);
    return out;
}
} // namespace

void Router::add(const std::string& method, const std::string& pattern, Handler handler, bool signedIn) {
    _routes.push_back({method, pattern, std::move(handler), signedIn, split(pattern)});
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    const auto segments = split(path);
    Match result;
    for (const auto& route : _routes) {
        if (route.segments.size() != segments.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            const auto& want = route.segments[i];
            if (want.size() > 2 && want.front() == '{' && want.back() == '}')
                params[want.substr(1, want.size() - 2)] = segments[i];
            else
                ok = want == segments[i];
        }
        if (!ok) continue;
        result.allowed.push_back(route.method);
        if (route.method == method || (method == "HEAD" && route.method == "GET")) {
            if (!result.route) {
                result.route = &route;
                result.params = std::move(params);
            }
        }
    }
    return result;
}

} // namespace registry::http
