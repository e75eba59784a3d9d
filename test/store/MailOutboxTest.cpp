// The mail outbox: an event recorded twice is one row, its recipients are the district's users with an
// address (never another district's, operators only of the facility named), a row with no one to tell is
// done at once, and of two claims of a due row exactly one wins.

#include "StoreTestSupport.h"

#include "domain/Dates.h"
#include "store/FacilityRepository.h"
#include "store/MailOutbox.h"
#include "store/UserRepository.h"

using namespace registry;
using namespace registry::test;

namespace {

const std::string hash = "pbkdf2$sha256$100000$c2FsdA$aGFzaEE";

void addUser(store::UserRepository& users, const std::string& name, domain::Role role,
             std::optional<std::string> district, std::optional<std::string> email,
             std::optional<std::int64_t> facility = std::nullopt) {
    domain::User u;
    u.username = name;
    u.role = role;
    u.district = std::move(district);
    u.email = std::move(email);
    u.facilityId = facility;
    users.create(u, hash, actor);
}

store::MailDraft draft(const std::string& key, const std::string& district) {
    store::MailDraft m;
    m.eventKey = key;
    m.district = district;
    m.subject = "【测试】 / Test";
    m.body = "正文 / Body";
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(mail_outbox)

BOOST_AUTO_TEST_CASE(one_row_per_event_to_the_districts_users_with_an_address) {
    TestDatabase t;
    store::UserRepository users(t.db());
    const auto facility = store::FacilityRepository(t.db()).create(sampleFacility("海淀公墓"), actor);
    addUser(users, "hd.mail", domain::Role::Inspector, "110108", "hd@example.cn");
    addUser(users, "hd.none", domain::Role::Inspector, "110108", std::nullopt);
    addUser(users, "cy.mail", domain::Role::Inspector, "110105", "cy@example.cn");
    addUser(users, "city.mail", domain::Role::Admin, std::nullopt, "city@example.cn");
    addUser(users, "hd.op", domain::Role::Operator, "110108", "op@example.cn", facility.id);
    BOOST_TEST(users.findByUsername("hd.mail")->user.email.value_or("") == "hd@example.cn");

    store::MailOutbox outbox(t.db());
    BOOST_TEST(outbox.enqueue(draft("notice-answered:1:2", "110108")));
    BOOST_TEST(!outbox.enqueue(draft("notice-answered:1:2", "110108"))); // the same event again
    auto withOperators = draft("notice-overdue:1:2026-12-31", "110108");
    withOperators.facilityId = facility.id;
    BOOST_TEST(outbox.enqueue(withOperators));

    const auto rows = outbox.list();
    BOOST_REQUIRE_EQUAL(rows.size(), 2u);
    BOOST_TEST(rows[0].recipients == "hd@example.cn");
    BOOST_TEST(rows[1].recipients == "hd@example.cn, op@example.cn");

    const std::string now = domain::nowTimestamp();
    const auto due = outbox.due(now, 10);
    BOOST_REQUIRE_EQUAL(due.size(), 2u);
    BOOST_TEST((due[1].recipients == std::vector<std::string>{"hd@example.cn", "op@example.cn"}));
    const std::string until = domain::formatTimestamp(domain::nowEpochMs() + 300000);
    BOOST_TEST(outbox.claim(due[0].id, due[0].nextAttemptAt, until));
    BOOST_TEST(!outbox.claim(due[0].id, due[0].nextAttemptAt, until)); // another instance's claim
    outbox.markSent(due[0].id, now);
    outbox.markFailed(due[1].id, "connection refused", std::nullopt); // given up
    BOOST_TEST(outbox.due(domain::formatTimestamp(domain::nowEpochMs() + 3600000), 10).empty());
    const auto after = outbox.list();
    BOOST_TEST(after[0].sentAt.has_value());
    BOOST_TEST(after[1].attempts == 1);
    BOOST_TEST(after[1].lastError.value_or("") == "connection refused");
}

BOOST_AUTO_TEST_CASE(an_event_with_no_one_to_tell_is_done_at_once) {
    TestDatabase t;
    store::MailOutbox outbox(t.db());
    BOOST_TEST(outbox.enqueue(draft("audit-violations:7:110116", "110116")));
    BOOST_TEST(outbox.due(domain::nowTimestamp(), 10).empty());
    const auto rows = outbox.list();
    BOOST_REQUIRE_EQUAL(rows.size(), 1u);
    BOOST_TEST(rows[0].sentAt.has_value());
    BOOST_TEST(rows[0].lastError.value_or("") == "no recipients");
}

BOOST_AUTO_TEST_SUITE_END()
