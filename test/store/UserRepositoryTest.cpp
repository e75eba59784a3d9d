// Users and their tokens: unique usernames, optimistic concurrency, password changes that reset the
// lock-out, and tokens that stop working when they expire or are revoked.

#include "StoreTestSupport.h"

#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/UserRepository.h"

#include <thread>

using namespace registry;
using namespace registry::test;
using domain::User;

namespace {

User user(const std::string& username, domain::Role role = domain::Role::Inspector,
          std::optional<std::string> district = std::string("110108")) {
    User u;
    u.username = username;
    u.displayName = "张三";
    u.role = role;
    u.district = std::move(district);
    return u;
}

const std::string hashA = "pbkdf2$sha256$100000$c2FsdA$aGFzaEE";
const std::string hashB = "pbkdf2$sha256$100000$c2FsdA$aGFzaEI";

} // namespace

BOOST_AUTO_TEST_SUITE(user_repository)

BOOST_AUTO_TEST_CASE(create_and_read_back) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    const auto u = repo.create(user("zhang.san"), hashA, "admin");
    BOOST_TEST(u.id > 0);
    BOOST_TEST(u.version == 1);
    const auto citywide = repo.create(user("li_si", domain::Role::Auditor, std::nullopt), hashB, "admin");

    const auto got = repo.get(u.id);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->username == "zhang.san");
    BOOST_TEST(got->displayName == "张三");
    BOOST_TEST((got->role == domain::Role::Inspector));
    BOOST_TEST(got->district.value_or("") == "110108");
    BOOST_TEST(got->active);
    BOOST_TEST(got->version == 1);
    BOOST_TEST(!repo.get(citywide.id)->district.has_value());
    BOOST_TEST(!repo.get(citywide.id + 10).has_value());

    const auto creds = repo.findByUsername("zhang.san");
    BOOST_TEST_REQUIRE(creds.has_value());
    BOOST_TEST(creds->user.id == u.id);
    BOOST_TEST(creds->passwordHash == hashA);
    BOOST_TEST(creds->failedLogins == 0);
    BOOST_TEST(!creds->lockedUntil.has_value());
    BOOST_TEST(!repo.findByUsername("nobody").has_value());

    const auto page = repo.list({1, 0});
    BOOST_TEST(page.items.size() == 1u);
    BOOST_TEST_REQUIRE(page.nextAfterId.has_value());
    BOOST_TEST(repo.list({1, *page.nextAfterId}).items.at(0).id == citywide.id);

    // The change log has the user, never the password hash.
    const auto log = store::ChangeLog(t.db()).list({}, {}).items;
    BOOST_TEST_REQUIRE(log.size() == 2u);
    BOOST_TEST(log[0].afterJson->find(hashA) == std::string::npos);
    BOOST_TEST(parseJson(*log[0].afterJson)->getValue<std::string>("username") == "zhang.san");
}

BOOST_AUTO_TEST_CASE(taken_username_and_invalid_fields) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    repo.create(user("wang"), hashA, "admin");
    const auto changes = countRows(t.db(), "change_log");
    BOOST_TEST(
        hasError(validationErrors([&] { repo.create(user("wang"), hashB, "admin"); }), "username", "taken"));
    BOOST_TEST(countRows(t.db(), "users") == 1);
    BOOST_TEST(repo.findByUsername("wang")->passwordHash == hashA);

    const auto errors = validationErrors(
        [&] { repo.create(user("Bad Name", domain::Role::Admin, std::string("123")), hashA, "admin"); });
    BOOST_TEST(hasError(errors, "username", "format"));
    BOOST_TEST(hasError(errors, "district", "enum"));
    BOOST_TEST(countRows(t.db(), "users") == 1);
    BOOST_TEST(countRows(t.db(), "change_log") == changes);
}

BOOST_AUTO_TEST_CASE(two_instances_creating_the_same_username_one_wins) {
    TestDatabase t;
    auto other = t.openAnother();
    store::UserRepository repoA(t.db());
    store::UserRepository repoB(*other);
    for (int round = 0; round < 5; ++round) {
        const std::string name = "same.name" + std::to_string(round);
        StartLine start(2);
        std::mutex m;
        int created = 0, taken = 0;
        std::vector<std::string> failures;
        auto writer = [&](store::UserRepository& repo, const std::string& hash) {
            start.arriveAndWait();
            try {
                repo.create(user(name), hash, "admin");
                std::lock_guard<std::mutex> lock(m);
                ++created;
            } catch (const store::ValidationFailed& e) {
                std::lock_guard<std::mutex> lock(m);
                if (hasError(e.errors(), "username", "taken"))
                    ++taken;
                else
                    failures.push_back("refused for another reason");
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(m);
                failures.push_back(e.what()); // Boost.Test is not thread-safe: reported after join
            }
        };
        std::thread a(writer, std::ref(repoA), hashA);
        std::thread b(writer, std::ref(repoB), hashB);
        a.join();
        b.join();
        for (const auto& message : failures)
            BOOST_ERROR("round " << round << ": unexpected failure: " << message);
        BOOST_TEST(created == 1);
        BOOST_TEST(taken == 1);
        BOOST_TEST(countRows(t.db(), "users", "username = '" + name + "'") == 1);
    }
    BOOST_TEST(countRows(t.db(), "change_log") == 5);
}

BOOST_AUTO_TEST_CASE(update_conflict_and_not_found) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    const auto created = repo.create(user("zhao"), hashA, "admin");
    auto changed = created;
    changed.displayName = "赵六";
    changed.role = domain::Role::DistrictIt;
    changed.district = std::nullopt;
    changed.active = false;
    changed.username = "renamed"; // usernames are stable
    const auto updated = repo.update(changed, 1, "admin");
    BOOST_TEST(updated.version == 2);
    BOOST_TEST(updated.username == "zhao");
    const auto got = repo.get(created.id);
    BOOST_TEST(got->displayName == "赵六");
    BOOST_TEST((got->role == domain::Role::DistrictIt));
    BOOST_TEST(!got->district.has_value());
    BOOST_TEST(!got->active);
    BOOST_TEST(got->username == "zhao");
    BOOST_TEST(got->version == 2);

    auto stale = created;
    stale.displayName = "旧版本";
    const auto current = conflictCurrent<User>([&] { repo.update(stale, 1, "admin"); });
    BOOST_TEST_REQUIRE(current.has_value());
    BOOST_TEST(current->displayName == "赵六");
    BOOST_TEST(current->version == 2);
    BOOST_TEST(repo.get(created.id)->displayName == "赵六");

    auto ghost = created;
    ghost.id = created.id + 10;
    BOOST_CHECK_THROW(repo.update(ghost, 1, "admin"), store::NotFound);
}

BOOST_AUTO_TEST_CASE(set_password_resets_the_lockout) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    const auto u = repo.create(user("qian"), hashA, "admin");
    const std::string now = domain::nowTimestamp();
    for (int i = 0; i < 4; ++i) repo.recordLoginFailure(u.id, 5, "2030-01-01T00:00:00.000Z", now);
    auto creds = repo.findByUsername("qian");
    BOOST_TEST(creds->failedLogins == 4);
    BOOST_TEST(!creds->lockedUntil.has_value());
    repo.recordLoginFailure(u.id, 5, "2030-01-01T00:00:00.000Z", now);
    creds = repo.findByUsername("qian");
    BOOST_TEST(creds->failedLogins == 0); // the count restarts with the lock
    BOOST_TEST(creds->lockedUntil.value_or("") == "2030-01-01T00:00:00.000Z");
    BOOST_TEST(!repo.recordLoginSuccess(u.id, now)); // locked: even the right password waits

    repo.setPassword(u.id, hashB, "admin");
    creds = repo.findByUsername("qian");
    BOOST_TEST(creds->passwordHash == hashB);
    BOOST_TEST(creds->failedLogins == 0);
    BOOST_TEST(!creds->lockedUntil.has_value());
    BOOST_CHECK_THROW(repo.setPassword(u.id + 10, hashB, "admin"), store::NotFound);

    store::ChangeFilter filter;
    filter.entity = "user";
    filter.entityId = u.id;
    const auto entries = store::ChangeLog(t.db()).list(filter, {}).items;
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[1].action == "set_password");
    BOOST_TEST(!entries[1].beforeJson.has_value());
    BOOST_TEST(!entries[1].afterJson.has_value());

    repo.recordLoginFailure(u.id, 5, "2030-01-01T00:00:00.000Z", now);
    BOOST_TEST(repo.findByUsername("qian")->failedLogins == 1);
    BOOST_TEST(repo.recordLoginSuccess(u.id, now));
    BOOST_TEST(repo.findByUsername("qian")->failedLogins == 0);
}

BOOST_AUTO_TEST_CASE(concurrent_login_failures_are_each_counted_and_lock_at_the_limit) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    const auto u = repo.create(user("zhou"), hashA, "admin");
    const std::string now = "2026-12-03T01:00:00.000Z";
    const std::string until = "2026-12-03T01:15:00.000Z";
    const auto failConcurrently = [&](int n) {
        StartLine start(n);
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&] {
                start.arriveAndWait();
                store::UserRepository(t.db()).recordLoginFailure(u.id, 5, until, now);
            });
        for (auto& th : threads) th.join();
    };
    failConcurrently(4);
    auto creds = repo.findByUsername("zhou");
    BOOST_TEST(creds->failedLogins == 4); // none lost
    BOOST_TEST(!creds->lockedUntil.has_value());

    failConcurrently(6); // the first reaches the limit; the others meet a locked account
    creds = repo.findByUsername("zhou");
    BOOST_TEST(creds->lockedUntil.value_or("") == until);
    BOOST_TEST(creds->failedLogins == 0);
    BOOST_TEST(!repo.recordLoginSuccess(u.id, now));

    // Once the lock is over, failures count from zero again.
    repo.recordLoginFailure(u.id, 5, "2026-12-03T01:31:00.000Z", "2026-12-03T01:16:00.000Z");
    creds = repo.findByUsername("zhou");
    BOOST_TEST(creds->failedLogins == 1);
    BOOST_TEST(repo.recordLoginSuccess(u.id, "2026-12-03T01:16:00.000Z"));
    creds = repo.findByUsername("zhou");
    BOOST_TEST(creds->failedLogins == 0);
    BOOST_TEST(!creds->lockedUntil.has_value());
}

BOOST_AUTO_TEST_CASE(a_new_password_or_deactivation_ends_every_token_of_the_user) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    const auto u = repo.create(user("wu"), hashA, "admin");
    const auto other = repo.create(user("zheng"), hashA, "admin");
    const std::string later = "2099-01-01T00:00:00.000Z";
    const auto live = [&](const std::string& hash) { return repo.findLiveToken(hash, domain::nowTimestamp()).has_value(); };
    repo.createToken(u.id, std::string(64, 'a'), "api", later);
    repo.createToken(u.id, std::string(64, 'b'), "web", later, "csrf");
    repo.createToken(other.id, std::string(64, 'c'), "api", later);

    // The same password with a new work factor is no change of password.
    repo.rehashPassword(u.id, hashA, hashB);
    BOOST_TEST(repo.findByUsername("wu")->passwordHash == hashB);
    BOOST_TEST(live(std::string(64, 'a')));

    repo.setPassword(u.id, hashA, "admin");
    BOOST_TEST(!live(std::string(64, 'a')));
    BOOST_TEST(!live(std::string(64, 'b')));
    BOOST_TEST(live(std::string(64, 'c'))); // another user's

    // Through update: a password in the same transaction as the other fields.
    repo.createToken(u.id, std::string(64, 'd'), "web", later, "csrf");
    auto changed = *repo.get(u.id);
    changed.displayName = "吴七";
    const auto updated = repo.update(changed, changed.version, "admin", hashB);
    BOOST_TEST(repo.findByUsername("wu")->passwordHash == hashB);
    BOOST_TEST(!live(std::string(64, 'd')));

    // A change of other fields keeps the sessions; deactivation ends them.
    repo.createToken(u.id, std::string(64, 'e'), "api", later);
    changed = updated;
    changed.displayName = "吴八";
    const auto renamed = repo.update(changed, changed.version, "admin");
    BOOST_TEST(live(std::string(64, 'e')));
    changed = renamed;
    changed.active = false;
    repo.update(changed, changed.version, "admin");
    BOOST_TEST(!live(std::string(64, 'e')));
    BOOST_TEST(live(std::string(64, 'c')));

    store::ChangeFilter filter;
    filter.entity = "user";
    filter.entityId = u.id;
    int revocations = 0;
    for (const auto& e : store::ChangeLog(t.db()).list(filter, {}).items)
        if (e.action == "revoke_tokens") ++revocations;
    BOOST_TEST(revocations == 3);
}

BOOST_AUTO_TEST_CASE(tokens_live_expire_and_are_revoked) {
    TestDatabase t;
    store::UserRepository repo(t.db());
    const auto u = repo.create(user("sun"), hashA, "admin");
    const std::string now = "2026-01-01T00:00:00.000Z";
    const std::string later = "2026-01-02T00:00:00.000Z";
    const std::string earlier = "2025-12-31T00:00:00.000Z";
    const std::string live(64, 'a'), expired(64, 'b'), revoked(64, 'c');

    repo.createToken(u.id, live, "api", later);
    repo.createToken(u.id, expired, "web", earlier, "csrf-123");
    repo.createToken(u.id, revoked, "api", later);

    const auto found = repo.findLiveToken(live, now);
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->userId == u.id);
    BOOST_TEST(found->kind == "api");
    BOOST_TEST(found->expiresAt == later);
    BOOST_TEST(!found->revokedAt.has_value());
    BOOST_TEST(!repo.findLiveToken(expired, now).has_value());
    BOOST_TEST(repo.findLiveToken(expired, "2025-12-30T00:00:00.000Z").has_value()); // was live before expiry
    BOOST_TEST(repo.findLiveToken(expired, "2025-12-30T00:00:00.000Z")->csrfToken == "csrf-123");
    BOOST_TEST(!repo.findLiveToken(live, later).has_value()); // expires_at itself is past
    BOOST_TEST(!repo.findLiveToken(std::string(64, 'z'), now).has_value());

    BOOST_TEST(repo.findLiveToken(revoked, now).has_value());
    repo.revokeToken(revoked);
    BOOST_TEST(!repo.findLiveToken(revoked, now).has_value());
    BOOST_TEST(repo.findLiveToken(live, now).has_value()); // others unaffected
    repo.revokeToken(revoked);                             // twice is harmless

    // Touching a token extends it.
    repo.touchToken(found->id, now, "2026-02-01T00:00:00.000Z");
    const auto touched = repo.findLiveToken(live, "2026-01-15T00:00:00.000Z");
    BOOST_TEST_REQUIRE(touched.has_value());
    BOOST_TEST(touched->lastUsedAt == now);
    BOOST_TEST(touched->expiresAt == "2026-02-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()
