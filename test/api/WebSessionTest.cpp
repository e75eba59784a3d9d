// The web UI's sign-in through a real server, as a browser sees it: where the sign-in form sends the user
// back to.

#include "api/ApiSupport.h"

#include <Poco/URI.h>

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace registry::apitest;

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

BOOST_AUTO_TEST_SUITE_END()
