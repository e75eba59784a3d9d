// Web sessions against a database: the absolute lifetime (web.session_max_hours) ends a session however
// active it is, and the idle timeout never carries it past that end. Times shown on pages are in
// audit.timezone.

#include "service/Authenticator.h"
#include "domain/Dates.h"
#include "store/UserRepository.h"
#include "support/TestDatabase.h"
#include "service/Sessions.h"
#include "web/Views.h"

#include <boost/test/unit_test.hpp>

using namespace registry;

namespace {

const std::string kPassword = "the-right-password-1";

service::AuthSettings fastHashing() {
    service::AuthSettings s;
    s.pbkdf2Iterations = 1000;
    return s;
}

void addUser(store::Database& db, const service::Authenticator& authenticator, const std::string& name) {
    domain::User u;
    u.username = name;
    u.displayName = name;
    u.role = domain::Role::Inspector;
    u.district = std::string("110108");
    store::UserRepository(db).create(u, authenticator.hasher().hash(kPassword), "admin");
}

/// Moves a session's sign-in (and last use) `minutesAgo` into the past, as if it had been open that long.
void backdate(store::Database& db, long long tokenId, int createdMinutesAgo, int usedMinutesAgo) {
    const auto now = domain::nowEpochMs();
    const std::string created = domain::formatTimestamp(now - createdMinutesAgo * 60'000LL);
    const std::string used = domain::formatTimestamp(now - usedMinutesAgo * 60'000LL);
    store::Database::Session session(db);
    session.sql() << "UPDATE auth_tokens SET created_at = :c, last_used_at = :u WHERE id = :id", soci::use(created),
        soci::use(used), soci::use(tokenId);
}

} // namespace

BOOST_AUTO_TEST_SUITE(sessions)

BOOST_AUTO_TEST_CASE(a_session_older_than_its_lifetime_ends_even_when_active) {
    test::TestDatabase t;
    service::Authenticator authenticator(t.db(), fastHashing());
    addUser(t.db(), authenticator, "insp");
    service::Sessions sessions(t.db(), authenticator, 30, 12 * 60);

    const auto started = sessions.signIn("insp", kPassword);
    BOOST_REQUIRE(started.has_value());
    BOOST_TEST(sessions.find(started->secret).has_value());

    // Signed in 11 h 58 min ago and used a minute ago: still on, but the idle timeout restarted by this
    // request stops at the 12 hours.
    backdate(t.db(), started->session.tokenId, 11 * 60 + 58, 2);
    BOOST_TEST(sessions.find(started->secret).has_value());
    const auto record = store::UserRepository(t.db()).findLiveToken(started->session.tokenHash, domain::nowTimestamp());
    BOOST_REQUIRE(record.has_value());
    const auto end = *domain::parseTimestamp(record->createdAt) + 12 * 3'600'000LL;
    BOOST_TEST(*domain::parseTimestamp(record->expiresAt) <= end);

    // Signed in 12 h 1 min ago and busy the whole time (last used a second ago): ended, for good.
    backdate(t.db(), started->session.tokenId, 12 * 60 + 1, 0);
    BOOST_TEST(!sessions.find(started->secret).has_value());
    service::Sessions longer(t.db(), authenticator, 30, 24 * 60);
    BOOST_TEST(!longer.find(started->secret).has_value()); // revoked, not merely refused

    // Another session of the same user is not affected.
    const auto other = sessions.signIn("insp", kPassword);
    BOOST_REQUIRE(other.has_value());
    BOOST_TEST(sessions.find(other->secret).has_value());
}

BOOST_AUTO_TEST_CASE(a_short_lifetime_bounds_the_first_expiry_too) {
    test::TestDatabase t;
    service::Authenticator authenticator(t.db(), fastHashing());
    addUser(t.db(), authenticator, "insp");
    service::Sessions sessions(t.db(), authenticator, 30, 10); // a 10-minute life, shorter than the idle time
    const auto started = sessions.signIn("insp", kPassword);
    BOOST_REQUIRE(started.has_value());
    const auto record = store::UserRepository(t.db()).findLiveToken(started->session.tokenHash, domain::nowTimestamp());
    BOOST_REQUIRE(record.has_value());
    BOOST_TEST(*domain::parseTimestamp(record->expiresAt) - *domain::parseTimestamp(record->createdAt) <= 10 * 60'000LL);
    backdate(t.db(), started->session.tokenId, 11, 0);
    BOOST_TEST(!sessions.find(started->secret).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(page_times)

BOOST_AUTO_TEST_CASE(utc_timestamps_are_shown_on_the_wall_clock_of_audit_timezone) {
    const audit::TimeZone shanghai("Asia/Shanghai");
    BOOST_TEST(web::timeText(shanghai, "2026-12-03T01:00:00.000Z") == "2026-12-03 09:00");
    BOOST_TEST(web::timeText(shanghai, "2026-12-03T01:00:00Z") == "2026-12-03 09:00");
    BOOST_TEST(web::timeText(shanghai, "2026-12-02T18:30:59.999Z") == "2026-12-03 02:30"); // the next day there
    const audit::TimeZone utc("UTC");
    BOOST_TEST(web::timeText(utc, "2026-12-03T01:00:00.000Z") == "2026-12-03 01:00");
    // Daylight saving where a zone has it: New York is UTC-4 in July, UTC-5 in December.
    const audit::TimeZone newYork("America/New_York");
    BOOST_TEST(web::timeText(newYork, "2026-07-01T12:00:00.000Z") == "2026-07-01 08:00");
    BOOST_TEST(web::timeText(newYork, "2026-12-03T12:00:00.000Z") == "2026-12-03 07:00");
    // Not a timestamp: shown as it is.
    BOOST_TEST(web::timeText(shanghai, "—") == "—");
    BOOST_TEST(web::timeText(shanghai, "") == "");
}

BOOST_AUTO_TEST_SUITE_END()
