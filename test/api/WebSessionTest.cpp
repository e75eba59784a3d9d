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
