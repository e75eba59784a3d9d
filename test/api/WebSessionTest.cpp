// The web UI's sign-in and sessions through a real server, as a browser sees them: where the sign-in form
// sends the user back to, and sessions (and API tokens) ending when an admin changes the user.

#include "api/ApiSupport.h"

#include "domain/Dates.h"

#include <Poco/URI.h>

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace registry::apitest;
using Poco::Dynamic::Var;

namespace {

std::string formEncode(const std::string& value) {
    std::string out;
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]%", out);
    return out;
}

/// The value of cookie `name` set by a response ("" when it sets none).
std::string setCookie(const Response& r, const std::string& name) {
    for (const auto& [header, value] : r.headers) {
        if (Poco::icompare(header, "Set-Cookie") != 0 || value.rfind(name + "=", 0) != 0) continue;
        return value.substr(name.size() + 1, value.find(';') - name.size() - 1);
    }
    return "";
}

struct WebSignIn {
    Response answer;
    std::string session; // the session cookie's value
};

/// What a browser does: opens /login (a cookie-bound CSRF token), then posts the form with `next`.
WebSignIn webSignIn(const std::string& user, const std::string& password, const std::string& next = "/") {
    Request page;
    page.path = "/login";
    const auto login = send(page);
    BOOST_REQUIRE_EQUAL(login.status, 200);
    const std::string loginCookie = setCookie(login, "registry_login");
    const std::string marker = "name=\"_csrf\" value=\"";
    const auto at = login.body.find(marker);
    BOOST_REQUIRE(!loginCookie.empty());
    BOOST_REQUIRE(at != std::string::npos);
    const std::string csrf = login.body.substr(at + marker.size(), login.body.find('"', at + marker.size()) -
                                                                        at - marker.size());
    Request post;
    post.method = "POST";
    post.path = "/login";
    post.contentType = "application/x-www-form-urlencoded";
    post.headers.emplace_back("Cookie", "registry_login=" + loginCookie);
    post.body = "_csrf=" + formEncode(csrf) + "&username=" + formEncode(user) + "&password=" + formEncode(password) +
                "&next=" + formEncode(next);
    WebSignIn out;
    out.answer = send(post);
    out.session = setCookie(out.answer, "registry_session");
    return out;
}

/// GET `path` with a session cookie.
Response webGet(const std::string& session, const std::string& path = "/") {
    Request r;
    r.path = path;
    r.headers.emplace_back("Cookie", "registry_session=" + session);
    return send(r);
}

JsonObject newUser(const std::string& name) {
    return object({{"username", name},
                   {"display_name", "测试用户 " + name},
                   {"role", "inspector"},
                   {"district", kOwn},
                   {"active", true},
                   {"password", "a-good-password-7"}});
}

} // namespace

BOOST_AUTO_TEST_SUITE(WebSessions)

BOOST_AUTO_TEST_CASE(sign_in_goes_back_to_a_local_path_only) {
    const auto kept = webSignIn("insp", kPassword, "/facilities?district=110108");
    BOOST_TEST(kept.answer.status == 303, kept.answer.describe());
    BOOST_TEST(kept.answer.header("Location") == "/facilities?district=110108");
    BOOST_TEST(!kept.session.empty());

    // CR/LF would write a header of the attacker's; browsers drop a tab, making "/\t/x" the site "//x";
    // a backslash is a slash to browsers; DEL and other controls have no business in a path.
    for (const std::string& next : std::vector<std::string>{"/\r\nSet-Cookie:x=y", "/\t/evil.example", "/\n/evil.example", "/\\evil.example",
                                   "/\\\\evil.example", "//evil.example", "https://evil.example/", "/a\x7f",
                                   std::string("/a\0b", 4), "/ok\x01"}) {
        const auto r = webSignIn("insp", kPassword, next);
        BOOST_TEST(r.answer.status == 303, r.answer.describe());
        BOOST_TEST(r.answer.header("Location") == "/", "next " << Poco::URI(next).toString() << " went to "
                                                               << r.answer.header("Location"));
        BOOST_TEST(setCookie(r.answer, "x").empty());
        BOOST_TEST(!r.session.empty());
    }
}

BOOST_AUTO_TEST_CASE(a_password_change_ends_every_token_and_web_session_of_the_user) {
    const auto admin = as("admin");
    const auto created = admin.post("/api/v1/users", newUser("wang.wu"));
    BOOST_REQUIRE_EQUAL(created.status, 201);
    const std::string token = Server::instance().signIn("wang.wu", "a-good-password-7");
    const std::string other = Server::instance().signIn("wang.wu", "a-good-password-7");
    const auto web = webSignIn("wang.wu", "a-good-password-7");
    BOOST_REQUIRE(!token.empty());
    BOOST_REQUIRE(!web.session.empty());
    BOOST_TEST(Client(token).get("/api/v1/me").status == 200);
    BOOST_TEST(webGet(web.session).status == 200);
    const std::string bystander = Server::instance().signIn("insp");
    const auto bystanderWeb = webSignIn("insp", kPassword);

    auto change = without(newUser("wang.wu"), {"username"});
    change->set("password", "another-password-8");
    const auto updated = admin.put(created.header("Location"), change, created.etag());
    BOOST_TEST(updated.status == 200, updated.describe());

    BOOST_TEST(Client(token).get("/api/v1/me").status == 401);
    BOOST_TEST(Client(other).get("/api/v1/facilities").status == 401);
    const auto page = webGet(web.session);
    BOOST_TEST(page.status == 303, page.describe());
    BOOST_TEST(page.header("Location").rfind("/login", 0) == 0u);
    // Other users are not signed out, and the new password signs in.
    BOOST_TEST(Client(bystander).get("/api/v1/me").status == 200);
    BOOST_TEST(webGet(bystanderWeb.session).status == 200);
    const std::string fresh = Server::instance().signIn("wang.wu", "another-password-8");
    BOOST_TEST(Client(fresh).get("/api/v1/me").status == 200);
}

BOOST_AUTO_TEST_CASE(deactivating_a_user_ends_their_tokens_and_sessions_for_good) {
    const auto admin = as("admin");
    const auto created = admin.post("/api/v1/users", newUser("zhao.liu"));
    BOOST_REQUIRE_EQUAL(created.status, 201);
    const std::string token = Server::instance().signIn("zhao.liu", "a-good-password-7");
    const auto web = webSignIn("zhao.liu", "a-good-password-7");
    BOOST_REQUIRE(!token.empty());
    BOOST_REQUIRE(!web.session.empty());
    BOOST_TEST(webGet(web.session).status == 200);

    const auto body = without(newUser("zhao.liu"), {"username", "password"});
    const auto off = admin.put(created.header("Location"), with(body, {{"active", false}}), created.etag());
    BOOST_TEST(off.status == 200, off.describe());
    BOOST_TEST(Client(token).get("/api/v1/me").status == 401);
    BOOST_TEST(webGet(web.session).status == 303);

    // Active again: the old token and session stay ended; signing in again works.
    const auto on = admin.put(created.header("Location"), with(body, {{"active", true}}), off.etag());
    BOOST_TEST(on.status == 200, on.describe());
    BOOST_TEST(Client(token).get("/api/v1/me").status == 401);
    const auto page = webGet(web.session);
    BOOST_TEST(page.status == 303, page.describe());
    BOOST_TEST(page.header("Location").rfind("/login", 0) == 0u);
    const std::string fresh = Server::instance().signIn("zhao.liu", "a-good-password-7");
    BOOST_TEST(Client(fresh).get("/api/v1/me").status == 200);
}

BOOST_AUTO_TEST_CASE(pages_show_times_in_beijing_time) {
    const auto created = createFacility("insp", kOwn, "时区测试殡仪馆");
    const auto updatedAt = registry::domain::parseTimestamp(created.str("updated_at"));
    BOOST_REQUIRE(updatedAt.has_value());
    // audit.timezone defaults to Asia/Shanghai, UTC+8 all year; the API keeps UTC.
    const std::string utc = registry::domain::formatTimestamp(*updatedAt);
    const std::string beijing = registry::domain::formatTimestamp(*updatedAt + 8 * 3'600'000LL);
    const std::string shown = beijing.substr(0, 10) + " " + beijing.substr(11, 5);
    const auto web = webSignIn("insp", kPassword);
    const auto page = webGet(web.session, "/facilities/" + std::to_string(created.id()));
    BOOST_TEST(page.status == 200, page.describe());
    BOOST_TEST(page.body.find(shown) != std::string::npos, "expected " << shown << " (UTC " << utc << ")");
    BOOST_TEST(page.body.find(utc.substr(0, 10) + " " + utc.substr(11, 5)) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
