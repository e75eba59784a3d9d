// /api/v1/users (admins only) and the token routes: sign in, sign out, who am I.

#include "auth/Tokens.h"
#include "codec/RecordDecode.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/UserRepository.h"

namespace registry::http {

using auth::Action;

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
        const auto user = store::UserRepository(context.db).get(ex.principal().userId);
        if (!user) throw HttpError::unauthorized();
        ex.sendRecord(200, codec::toJson(*user), user->version);
    });
}

void addUserRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/users", [&context](Exchange& ex) {
        ex.require(Action::ManageUsers);
        const auto page = store::UserRepository(context.db).list(ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& u : page.items) items->add(codec::toJson(u));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("GET", "/api/v1/users/{id}", [&context](Exchange& ex) {
        ex.require(Action::ManageUsers);
        const auto user = store::UserRepository(context.db).get(ex.id());
        if (!user) throw HttpError::notFound(ex.request().getURI());
        ex.sendRecord(200, codec::toJson(*user), user->version);
    });

    router.add("POST", "/api/v1/users", [&context](Exchange& ex) {
        ex.require(Action::ManageUsers);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        std::optional<std::string> password;
        auto user = codec::decodeUser(*body, errors, true, password);
        auto validation = domain::validate(user);
        if (password)
            if (auto err = domain::checkPassword(*password)) validation.push_back(*err);
        failIfInvalid(errors, validation);
        const auto created = store::UserRepository(context.db)
                                 .create(user, context.authenticator.hasher().hash(*password), ex.principal().username);
        ex.response().set("Location", "/api/v1/users/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });

    router.add("PUT", "/api/v1/users/{id}", [&context](Exchange& ex) {
        ex.require(Action::ManageUsers);
        store::UserRepository users(context.db);
        const auto current = users.get(ex.id());
        if (!current) throw HttpError::notFound(ex.request().getURI());
        const long long expected = ex.ifMatch();
        const auto body = ex.jsonBody();
        domain::Validator errors;
        std::optional<std::string> password;
        auto changed = codec::decodeUser(*body, errors, false, password);
        changed.id = current->id;
        changed.username = current->username;
        auto validation = domain::validate(changed);
        if (password)
            if (auto err = domain::checkPassword(*password)) validation.push_back(*err);
        failIfInvalid(errors, validation);
        try {
            // One transaction: the fields, the password, and the end of the user's sessions.
            const auto updated =
                users.update(changed, expected, ex.principal().username,
                             password ? std::optional(context.authenticator.hasher().hash(*password)) : std::nullopt);
            ex.sendRecord(200, codec::toJson(updated), updated.version);
        } catch (const store::Conflict<domain::User>& e) {
            throw conflict(e.current());
        }
    });
}

} // namespace registry::http
