#pragma once
// An answer other than success, thrown by a handler and sent as a problem document by the dispatcher.

#include "http/Problem.h"

#include <Poco/JSON/Object.h>

#include <map>
#include <stdexcept>
#include <string>

namespace registry::http {

class HttpError : public std::runtime_error {
public:
    explicit HttpError(Problem problem) : std::runtime_error(problem.detailEn), _problem(std::move(problem)) {}
    const Problem& problem() const { return _problem; }
    Problem& problem() { return _problem; }

    /// Extra members of the problem document (e.g. "current" on a 409).
    Poco::JSON::Object::Ptr extra;
    std::map<std::string, std::string> headers;

    static HttpError badRequest(const std::string& zh, const std::string& en);
    static HttpError unauthorized();
    static HttpError forbidden(const std::string& zh, const std::string& en);
    static HttpError notFound(const std::string& what);
    static HttpError unprocessable(domain::FieldErrors errors);

private:
    Problem _problem;
};

} // namespace registry::http
