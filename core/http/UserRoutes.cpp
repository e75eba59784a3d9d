// /api/v1/users (service::Users: admins, each within its scope) and the token routes: sign in, sign out,
// who am I.

#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Users.h"

namespace registry::http {

void addAuthRoutes(Router& router, ApiContext& context) {
    router.add(
        "POST", "/api/v1/auth/token",
        [&context](Exchange& ex) {
            const auto body = ex.jsonBody();
            domain::Validator errors;
            codec::JsonReader reader(*body, errors);
            const std::string username = reader.text("username", true);
            const std::string password = reader.text("password", true);
            reader.rejectUnknown();
            if (!errors.ok()) throw HttpError::unprocessable(errors.take());
            const auto issued = context.authenticator.signIn(username, password);
            if (!issued) {
                // One answer for an unknown user, a wrong password and a locked account.
                HttpError e({Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED, "登录失败", "Sign-in failed",
                             "用户名或密码错误(多次失败后账户将暂时锁定)",
                             "wrong username or password (repeated failures lock the account for a while)", {}});
                throw e;
            }
            Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            out->set("token", issued->token);
            out->set("expires_at", issued->expiresAt);
            out->set("user", codec::toJson(issued->user));
            ex.sendJson(200, out);
        },
        false);

    router.add("DELETE", "/api/v1/auth/token", [&context](Exchange& ex) {
        context.authenticator.revoke(ex.principal());
        ex.sendNoContent();
    });

    router.add("GET", "/api/v1/me", [&context](Exchange& ex) {
        try {
            const auto user = service::Users(context.services()).me(ex.principal());
            ex.sendRecord(200, codec::toJson(user), user.version);
        } catch (const service::NotFound&) {
            throw HttpError::unauthorized();
        }
    });
}

namespace {
/// The user of a POST or PUT body: fields, and the password when given.
service::Draft<service::UserDraft> userDraft(Exchange& ex, bool creating, long long expected = 0) {
    domain::Validator errors;
    service::UserDraft user;
    user.user = codec::decodeUser(*ex.jsonBody(), errors, creating, user.password);
    return draft(std::move(user), errors, expected);
}
} // namespace

void addUserRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/users", [&context](Exchange& ex) {
        sendPageOf(ex, service::Users(context.services()).list(ex.principal(), ex.page()));
    });

    router.add("GET", "/api/v1/users/{id}", [&context](Exchange& ex) {
        const auto user = service::Users(context.services()).get(ex.principal(), ex.id());
        ex.sendRecord(200, codec::toJson(user), user.version);
    });

    router.add("POST", "/api/v1/users", [&context](Exchange& ex) {
        const auto created =
            service::Users(context.services()).create(ex.principal(), [&ex] { return userDraft(ex, true); });
        ex.response().set("Location", "/api/v1/users/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });

    router.add("PUT", "/api/v1/users/{id}", [&context](Exchange& ex) {
        const auto updated = service::Users(context.services()).update(ex.principal(), ex.id(), [&ex] {
            const long long expected = ex.ifMatch();
            return userDraft(ex, false, expected);
        });
        ex.sendRecord(200, codec::toJson(updated), updated.version);
    });
}

} // namespace registry::http
