// Signing in and out, /me, and the users an admin manages.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;
using Poco::Dynamic::Var;

BOOST_AUTO_TEST_SUITE(Auth)

BOOST_AUTO_TEST_CASE(sign_in_gives_a_token_expiry_and_the_user) {
    const auto r = Server::instance().anonymous().post("/api/v1/auth/token",
                                                       object({{"username", "insp"}, {"password", kPassword}}));
    BOOST_TEST(r.status == 200, r.describe());
    BOOST_TEST(r.str("token").size() >= 22u); // at least 128 bits in base64
    const std::string expires = r.str("expires_at");
    BOOST_TEST(expires.size() >= 20u);
    BOOST_TEST(expires.back() == 'Z', expires);
    BOOST_TEST(expires[10] == 'T', expires);
    const auto user = r.obj()->getObject("user");
    BOOST_REQUIRE(user);
    BOOST_TEST(user->getValue<std::string>("username") == "insp");
    BOOST_TEST(user->getValue<std::string>("role") == "inspector");
    BOOST_TEST(user->getValue<std::string>("district") == "110108");
    BOOST_TEST(!user->has("password"));
    BOOST_TEST(!user->has("password_hash"));
    BOOST_TEST(r.body.find("pbkdf2") == std::string::npos, r.body);

    const auto me = Client(r.str("token")).get("/api/v1/me");
    BOOST_TEST(me.status == 200);
    BOOST_TEST(me.str("username") == "insp");
    BOOST_TEST(me.header("ETag") == "\"" + std::to_string(me.num("version")) + "\"");
}

BOOST_AUTO_TEST_CASE(unknown_user_and_wrong_password_get_the_same_401) {
    const auto anonymous = Server::instance().anonymous();
    const auto unknown = anonymous.post("/api/v1/auth/token", object({{"username", "nobody"}, {"password", kPassword}}));
    const auto wrong = anonymous.post("/api/v1/auth/token", object({{"username", "aud"}, {"password", "wrong-password-1"}}));
    BOOST_TEST(unknown.status == 401);
    BOOST_TEST(wrong.status == 401);
    BOOST_TEST(unknown.isProblem());
    BOOST_TEST(unknown.body == wrong.body);
    BOOST_TEST(unknown.str("detail").find("用户名或密码错误") != std::string::npos, unknown.describe());
    const auto en = anonymous.english().post("/api/v1/auth/token",
                                             object({{"username", "nobody"}, {"password", kPassword}}));
    BOOST_TEST(en.str("detail").find("wrong username or password") != std::string::npos, en.describe());
    // One failure does not lock the account.
    BOOST_TEST(!Server::instance().signIn("aud").empty());
}

BOOST_AUTO_TEST_CASE(sign_in_fields_are_checked_all_at_once) {
    const auto anonymous = Server::instance().anonymous();
    const auto empty = anonymous.post("/api/v1/auth/token", object({}));
    BOOST_TEST(empty.status == 422, empty.describe());
    BOOST_TEST(empty.hasError("username", "required"));
    BOOST_TEST(empty.hasError("password", "required"));
    const auto wrongTypes = anonymous.post("/api/v1/auth/token",
                                           object({{"username", 7}, {"password", true}, {"remember", true}}));
    BOOST_TEST(wrongTypes.status == 422, wrongTypes.describe());
    BOOST_TEST(wrongTypes.hasError("username", "type"));
    BOOST_TEST(wrongTypes.hasError("password", "type"));
    BOOST_TEST(wrongTypes.hasError("remember", "unknown"));
    BOOST_TEST(anonymous.postRaw("/api/v1/auth/token", "{\"username\":").status == 400);
    BOOST_TEST(anonymous.postRaw("/api/v1/auth/token", "username=a&password=b",
                                 "application/x-www-form-urlencoded").status == 415);
}

BOOST_AUTO_TEST_CASE(repeated_failures_lock_the_account) {
    for (int i = 0; i < 6; ++i) BOOST_TEST(Server::instance().signIn("lockme", "not-the-password").empty());
    // Now even the right password is refused, with the same answer as a wrong one.
    const auto anonymous = Server::instance().anonymous();
    const auto locked = anonymous.post("/api/v1/auth/token", object({{"username", "lockme"}, {"password", kPassword}}));
    const auto unknown = anonymous.post("/api/v1/auth/token", object({{"username", "nobody"}, {"password", kPassword}}));
    BOOST_TEST(locked.status == 401);
    BOOST_TEST(locked.body == unknown.body);
}

BOOST_AUTO_TEST_CASE(requests_without_a_valid_token_are_401) {
    const auto noToken = Server::instance().anonymous().get("/api/v1/me");
    BOOST_TEST(noToken.status == 401);
    BOOST_TEST(noToken.isProblem());
    BOOST_TEST(noToken.str("title") == "未登录");
    BOOST_TEST(noToken.header("WWW-Authenticate").find("Bearer") == 0u, noToken.header("WWW-Authenticate"));
    BOOST_TEST(Server::instance().anonymous().english().get("/api/v1/me").str("title") == "Not signed in");

    BOOST_TEST(Client("not-a-real-token").get("/api/v1/me").status == 401);
    BOOST_TEST(Client("not-a-real-token").get("/api/v1/facilities").status == 401);
    Request basic;
    basic.path = "/api/v1/me";
    basic.headers = {{"Authorization", "Basic YWRtaW46Y29ycmVjdC1ob3JzZS00Mg=="}};
    BOOST_TEST(send(basic).status == 401);
    Request bare;
    bare.path = "/api/v1/me";
    bare.headers = {{"Authorization", "Bearer "}};
    BOOST_TEST(send(bare).status == 401);

    // Every signed-in route refuses an anonymous caller before looking at anything else.
    const auto anonymous = Server::instance().anonymous();
    BOOST_TEST(anonymous.get("/api/v1/facilities/1").status == 401);
    BOOST_TEST(anonymous.post("/api/v1/facilities", facilityBody(kOwn)).status == 401);
    BOOST_TEST(anonymous.put("/api/v1/facilities/1", facilityBody(kOwn), "\"1\"").status == 401);
    BOOST_TEST(anonymous.get("/api/v1/burial-sites").status == 401);
    BOOST_TEST(anonymous.get("/api/v1/prices").status == 401);
    BOOST_TEST(anonymous.get("/api/v1/inspections").status == 401);
    BOOST_TEST(anonymous.get("/api/v1/reference-prices").status == 401);
    BOOST_TEST(anonymous.get("/api/v1/users").status == 401);
    BOOST_TEST(anonymous.del("/api/v1/auth/token").status == 401);
}

BOOST_AUTO_TEST_CASE(sign_ins_are_in_the_change_log_without_the_token) {
    const std::string token = Server::instance().signIn("aud");
    BOOST_REQUIRE(!token.empty());
    const auto me = Client(token).get("/api/v1/me");
    const auto log = as("admin").get("/api/v1/changes?entity=user&entity_id=" + std::to_string(me.id()) + "&limit=500");
    BOOST_TEST(log.status == 200);
    BOOST_TEST(log.body.find(token) == std::string::npos, "the change log shows a bearer token");
    BOOST_TEST(log.body.find("pbkdf2") == std::string::npos, "the change log shows a password hash");
    BOOST_TEST(as("admin").get("/api/v1/users").body.find("pbkdf2") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_revoked_token_is_401_and_others_still_work) {
    const std::string first = Server::instance().signIn("admin");
    const std::string second = Server::instance().signIn("admin");
    BOOST_REQUIRE(!first.empty());
    BOOST_REQUIRE(!second.empty());
    BOOST_TEST(first != second);
    BOOST_TEST(Client(first).get("/api/v1/me").status == 200);

    const auto revoked = Client(first).del("/api/v1/auth/token");
    BOOST_TEST(revoked.status == 204, revoked.describe());
    BOOST_TEST(revoked.body.empty());
    BOOST_TEST(Client(first).get("/api/v1/me").status == 401);
    BOOST_TEST(Client(first).get("/api/v1/facilities").status == 401);
    BOOST_TEST(Client(first).del("/api/v1/auth/token").status == 401);
    BOOST_TEST(Client(second).get("/api/v1/me").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

// ------------------------------------------------------------------------------------------------ users

BOOST_AUTO_TEST_SUITE(Users)

namespace {
JsonObject newUser(const std::string& name, const std::string& role, const Var& district) {
    return object({{"username", name},
                   {"display_name", "测试用户 " + name},
                   {"role", role},
                   {"district", district},
                   {"active", true},
                   {"password", "a-good-password-7"}});
}
} // namespace

BOOST_AUTO_TEST_CASE(an_admin_creates_lists_reads_and_changes_users) {
    const auto admin = as("admin");
    const auto before = admin.count("/api/v1/users");
    const auto created = admin.post("/api/v1/users", newUser("zhang.san", "inspector", "110108"));
    BOOST_TEST(created.status == 201, created.describe());
    BOOST_TEST(created.header("Location") == pathOf("users", created.id()));
    BOOST_TEST(created.etag() == "\"1\"");
    BOOST_TEST(created.num("version") == 1);
    BOOST_TEST(created.str("username") == "zhang.san");
    BOOST_TEST(created.str("display_name") == "测试用户 zhang.san");
    BOOST_TEST(created.str("role") == "inspector");
    BOOST_TEST(created.str("district") == "110108");
    BOOST_TEST(!created.obj()->has("password"));
    BOOST_TEST(admin.count("/api/v1/users") == before + 1);

    const std::string token = Server::instance().signIn("zhang.san", "a-good-password-7");
    BOOST_REQUIRE(!token.empty());
    BOOST_TEST(Client(token).get("/api/v1/me").str("username") == "zhang.san");

    const auto read = admin.get(created.header("Location"));
    BOOST_TEST(read.status == 200);
    BOOST_TEST(read.etag() == "\"1\"");

    // Make them a citywide auditor with a new password.
    auto change = newUser("zhang.san", "auditor", Var());
    change->set("password", "another-password-8");
    const auto updated = admin.put(created.header("Location"), change, "\"1\"");
    BOOST_TEST(updated.status == 200, updated.describe());
    BOOST_TEST(updated.etag() == "\"2\"");
    BOOST_TEST(updated.str("role") == "auditor");
    BOOST_TEST(updated.isNull("district"));
    BOOST_TEST(Server::instance().signIn("zhang.san", "a-good-password-7").empty());
    BOOST_TEST(!Server::instance().signIn("zhang.san", "another-password-8").empty());

    const auto stale = admin.put(created.header("Location"), without(change, {"password"}), "\"1\"");
    BOOST_TEST(stale.status == 409, stale.describe());
    BOOST_TEST(stale.obj()->getObject("current")->getValue<int>("version") == 2);
    const auto noMatch = admin.put(created.header("Location"), without(change, {"password"}), "");
    BOOST_TEST(noMatch.status == 428, noMatch.describe());
    BOOST_TEST(admin.put(pathOf("users", 999999), change, "\"1\"").status == 404);
}

BOOST_AUTO_TEST_CASE(a_deactivated_user_can_neither_sign_in_nor_use_a_token) {
    const auto admin = as("admin");
    const auto created = admin.post("/api/v1/users", newUser("li.si", "inspector", "110108"));
    BOOST_REQUIRE_EQUAL(created.status, 201);
    const std::string token = Server::instance().signIn("li.si", "a-good-password-7");
    BOOST_REQUIRE(!token.empty());
    const auto off = admin.put(created.header("Location"),
                               with(without(newUser("li.si", "inspector", "110108"), {"password"}), {{"active", false}}),
                               created.etag());
    BOOST_TEST(off.status == 200, off.describe());
    BOOST_TEST(off.obj()->getValue<bool>("active") == false);
    BOOST_TEST(Client(token).get("/api/v1/me").status == 401);
    BOOST_TEST(Server::instance().signIn("li.si", "a-good-password-7").empty());
}

// A token's principal is reused for a few seconds (auth.token_cache_seconds), but a change of the user
// through the API takes effect on the very next request of a token that was just used.
BOOST_AUTO_TEST_CASE(a_changed_user_is_seen_at_once_by_a_token_in_use) {
    const auto admin = as("admin");
    const auto created = admin.post("/api/v1/users", newUser("qian.qi", "inspector", "110108"));
    BOOST_REQUIRE_EQUAL(created.status, 201);
    const Client user(Server::instance().signIn("qian.qi", "a-good-password-7"));
    BOOST_REQUIRE(!user.token().empty());
    BOOST_TEST(user.post("/api/v1/facilities", facilityBody("110108", "缓存测试甲")).status == 201);
    const auto moved = admin.put(created.header("Location"),
                                 without(newUser("qian.qi", "inspector", "110105"), {"password"}), created.etag());
    BOOST_REQUIRE_MESSAGE(moved.status == 200, moved.describe());
    BOOST_TEST(user.post("/api/v1/facilities", facilityBody("110108", "缓存测试乙")).status == 403);
    BOOST_TEST(user.post("/api/v1/facilities", facilityBody("110105", "缓存测试丙")).status == 201);
    const auto off = admin.put(created.header("Location"),
                               with(without(newUser("qian.qi", "inspector", "110105"), {"password"}), {{"active", false}}),
                               moved.etag());
    BOOST_REQUIRE_MESSAGE(off.status == 200, off.describe());
    BOOST_TEST(user.get("/api/v1/me").status == 401);
}

BOOST_AUTO_TEST_CASE(user_fields_are_checked_all_at_once) {
    const auto admin = as("admin");
    const auto state = dbState();
    const auto bad = admin.post("/api/v1/users", object({{"username", "Bad Name!"},
                                                          {"display_name", std::string(101, 'x')},
                                                          {"role", "superuser"},
                                                          {"district", "999999"},
                                                          {"active", "yes"},
                                                          {"password", "short"},
                                                          {"shoe_size", 42}}));
    BOOST_TEST(bad.status == 422, bad.describe());
    BOOST_TEST(bad.hasError("username", "format"));
    BOOST_TEST(bad.hasError("display_name", "too_long"));
    BOOST_TEST(bad.hasError("role", "enum"));
    BOOST_TEST(bad.hasError("district", "enum"));
    BOOST_TEST(bad.hasError("active", "type"));
    BOOST_TEST(bad.hasError("password", "too_short"));
    BOOST_TEST(bad.hasError("shoe_size", "unknown"));

    const auto missing = admin.post("/api/v1/users", object({}));
    BOOST_TEST(missing.status == 422);
    BOOST_TEST(missing.hasError("username", "required"));
    BOOST_TEST(missing.hasError("role", "required"));
    BOOST_TEST(missing.hasError("password", "required"));

    const auto taken = admin.post("/api/v1/users", newUser("insp", "inspector", "110108"));
    BOOST_TEST(taken.status == 422, taken.describe());
    BOOST_TEST(taken.errorFields().count("username") == 1u);
    BOOST_TEST(dbState() == state);
}

// Known bug: an empty district ("") passes validation (only a non-empty code is checked) and the insert
// then fails on the districts foreign key: a 500 instead of a 422, on POST and on PUT.
// core/domain/User.cpp, validate(User): `if (u.district) v.district("district", *u.district, false)`.
BOOST_AUTO_TEST_CASE(an_empty_district_is_422_not_500) {
    const auto admin = as("admin");
    const auto state = dbState();
    const auto created = admin.post("/api/v1/users", with(newUser("empty.district", "inspector", ""), {}));
    BOOST_TEST(created.status == 422, created.describe());
    BOOST_TEST(created.errorFields().count("district") == 1u, created.describe());
    const auto me = admin.get("/api/v1/me");
    const auto put = admin.put(pathOf("users", me.id()), object({{"role", "admin"}, {"district", ""}}), me.etag());
    BOOST_TEST(put.status == 422, put.describe());
    BOOST_TEST(dbState() == state);
    BOOST_TEST(admin.get("/api/v1/me").isNull("district"));
}

BOOST_AUTO_TEST_CASE(only_admins_manage_users) {
    const auto state = dbState();
    for (const char* user : {"insp", "inspcity", "it", "aud"}) {
        const auto client = as(user);
        BOOST_TEST(client.get("/api/v1/users").status == 403, user);
        BOOST_TEST(client.get("/api/v1/users/1").status == 403, user);
        const auto post = client.post("/api/v1/users", newUser(std::string("made.by.") + user, "admin", Var()));
        BOOST_TEST(post.status == 403, user << ": " << post.describe());
        BOOST_TEST(post.isProblem());
        BOOST_TEST(client.put("/api/v1/users/1", newUser("admin", "admin", Var()), "\"1\"").status == 403, user);
    }
    BOOST_TEST(dbState() == state);
    // Nobody lifted themselves to admin.
    BOOST_TEST(as("insp").get("/api/v1/me").str("role") == "inspector");
}

BOOST_AUTO_TEST_SUITE_END()
