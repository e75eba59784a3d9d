// Signing in against the database: the lockout counts every wrong password, also when many arrive at
// once, and locks the account at exactly auth.max_failed_logins. Runs on SQLite and MariaDB.

#include "service/Authenticator.h"
#include "domain/Dates.h"
#include "store/StoreTestSupport.h"
#include "store/UserRepository.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace registry;
using namespace registry::test;

namespace {

const std::string kRight = "the-right-password-1";

service::AuthSettings settings() {
    service::AuthSettings s;
    // Slow enough that concurrent sign-ins all read the user before any of them writes.
    s.pbkdf2Iterations = 20000;
    s.maxFailedLogins = 5;
    s.lockoutMinutes = 15;
    return s;
}

long long addUser(store::Database& db, const service::Authenticator& authenticator, const std::string& name) {
    domain::User u;
    u.username = name;
    u.displayName = name;
    u.role = domain::Role::Inspector;
    u.district = std::string("110108");
    return store::UserRepository(db).create(u, authenticator.hasher().hash(kRight), "admin").id;
}

/// `n` wrong passwords for `name`, all sent at once. The threads only count: Boost.Test's assertions are
/// not thread-safe (two at once once corrupted its checkpoint string and aborted the run).
void guessConcurrently(service::Authenticator& authenticator, const std::string& name, int n) {
    StartLine start(n);
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            start.arriveAndWait();
            if (authenticator.checkCredentials(name, "wrong-guess-" + std::to_string(i))) ++accepted;
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(accepted.load() == 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(authenticator)

BOOST_AUTO_TEST_CASE(concurrent_wrong_passwords_lock_the_account_at_exactly_the_limit) {
    TestDatabase t;
    service::Authenticator authenticator(t.db(), settings());
    store::UserRepository users(t.db());

    // One short of the limit: every guess counted, the account still open.
    addUser(t.db(), authenticator, "below");
    guessConcurrently(authenticator, "below", 4);
    BOOST_TEST(users.findByUsername("below")->failedLogins == 4);
    BOOST_TEST(!users.findByUsername("below")->lockedUntil.has_value());
    BOOST_TEST(authenticator.checkCredentials("below", kRight).has_value());
    BOOST_TEST(users.findByUsername("below")->failedLogins == 0); // a success starts the count again

    // Exactly the limit at once: locked, and the right password waits out the lock.
    addUser(t.db(), authenticator, "at");
    guessConcurrently(authenticator, "at", 5);
    const auto locked = users.findByUsername("at")->lockedUntil;
    BOOST_TEST_REQUIRE(locked.has_value());
    BOOST_TEST(*locked > domain::nowTimestamp());
    BOOST_TEST(!authenticator.checkCredentials("at", kRight).has_value());
    BOOST_TEST(!authenticator.signIn("at", kRight).has_value());

    // Many more than the limit: locked once; the guesses that meet the lock neither count nor extend it.
    addUser(t.db(), authenticator, "storm");
    guessConcurrently(authenticator, "storm", 12);
    const auto stormed = users.findByUsername("storm");
    BOOST_TEST(stormed->lockedUntil.has_value());
    BOOST_TEST(stormed->failedLogins == 0);
    BOOST_TEST(!authenticator.checkCredentials("storm", kRight).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
