#include "http/HttpError.h"

namespace registry::http {

using Poco::Net::HTTPResponse;

HttpError HttpError::badRequest(const std::string& zh, const std::string& en) {
    return HttpError({HTTPResponse::HTTP_BAD_REQUEST, "请求有误", "Bad request", zh, en, {}});
}

HttpError HttpError::unauthorized() {
    HttpError e({HTTPResponse::HTTP_UNAUTHORIZED, "未登录", "Not signed in",
                 "请先登录:在 Authorization 头中携带有效的令牌(Bearer)",
                 "Sign in first: send a valid token as 'Authorization: Bearer <token>'", {}});
    e.headers["WWW-Authenticate"] = "Bearer realm=\"funeral-registry\"";
    return e;
}

HttpError HttpError::forbidden(const std::string& zh, const std::string& en) {
    return HttpError({HTTPResponse::HTTP_FORBIDDEN, "无权操作", "Forbidden", zh, en, {}});
}

HttpError HttpError::notFound(const std::string& what) {
    return HttpError({HTTPResponse::HTTP_NOT_FOUND, "未找到", "Not found", "找不到该记录:" + what,
                      "No such record: " + what, {}});
}

HttpError HttpError::unprocessable(domain::FieldErrors errors) {
    return HttpError({HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, "数据校验未通过", "Invalid fields",
                      "有 " + std::to_string(errors.size()) + " 处字段不符合要求,详见 errors",
                      std::to_string(errors.size()) + " field(s) are invalid; see errors", std::move(errors)});
}

} // namespace registry::http
