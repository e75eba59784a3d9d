// Opening the database: one clear error naming the URL (never its password) when it cannot be opened or
// reached, and the connection pool's behaviour when every connection is busy.

#include "StoreTestSupport.h"

#include "store/DatabaseUrl.h"

#include <soci/mysql/soci-mysql.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <unistd.h>

using namespace registry;
using namespace registry::test;

namespace {

/// The message of the Unavailable that opening `url` throws.
std::string unavailableMessage(const std::string& url, store::DatabaseOptions options = {}) {
    try {
        store::Database db(url, options);
    } catch (const store::Unavailable& e) {
        return e.what();
    }
    BOOST_ERROR("expected Unavailable for " << url);
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(database)

BOOST_AUTO_TEST_CASE(sqlite_file_whose_directory_cannot_exist_is_unavailable) {
    // The folder cannot be made: one of its parents is a regular file.
    const auto blocker =
        std::filesystem::temp_directory_path() / ("registry_blocker_" + std::to_string(::getpid()));
    { std::ofstream(blocker.string()) << "not a directory"; }
    const std::string url = "sqlite3:" + (blocker / "deeper" / "registry.db").string();
    const auto message = unavailableMessage(url);
    BOOST_TEST(message.find(url) != std::string::npos, message);
    BOOST_TEST(message.find('\n') == std::string::npos, message);
    BOOST_TEST(std::filesystem::is_regular_file(blocker));
    std::filesystem::remove(blocker);

    // A directory is not a database file either.
    const std::string dirUrl = "sqlite3:" + std::filesystem::temp_directory_path().string();
    const auto dirMessage = unavailableMessage(dirUrl);
    BOOST_TEST(dirMessage.find(dirUrl) != std::string::npos, dirMessage);
}

BOOST_AUTO_TEST_CASE(sqlite_file_in_a_missing_directory_gets_its_directory) {
    // A new registry's folder (data/ by default) is made on first use, like the file itself.
    const auto dir =
        std::filesystem::temp_directory_path() / ("registry_new_dir_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        store::Database db("sqlite3:" + (dir / "sub" / "registry.db").string(), {1});
        BOOST_TEST(db.ping());
    }
    BOOST_TEST(std::filesystem::exists(dir / "sub" / "registry.db"));
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(mysql_on_a_closed_port_is_unavailable_without_the_password) {
    const std::string secret = "Sup3rSecretPw";
    store::DatabaseOptions options;
    options.poolSize = 1;
    options.connectTimeoutSec = 2;
    const auto started = std::chrono::steady_clock::now();
    const auto message =
        unavailableMessage("mysql://registry_user:" + secret + "@127.0.0.1:1/registry", options);
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(seconds < 10);
    BOOST_TEST(message.find("mysql://registry_user:***@127.0.0.1:1/registry") != std::string::npos, message);
    BOOST_TEST(message.find(secret) == std::string::npos, message);
    BOOST_TEST(message.find('\n') == std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(refused_credentials_and_unreadable_files_are_unavailable) {
    if (testBackend() == "mysql") {
        // The test server, with a wrong password and with a database that does not exist.
        const char* serverUrl = std::getenv("REGISTRY_TEST_MYSQL_URL");
        BOOST_TEST_REQUIRE(serverUrl != nullptr);
        auto parsed = store::DatabaseUrl::parse(serverUrl);
        const std::string wrong = "Wr0ngPassw0rdX";
        const std::string base = "mysql://" + parsed.user + ":" + wrong + "@" + parsed.host + ":" +
                                 std::to_string(parsed.port) + "/";
        const auto denied = unavailableMessage(base + parsed.database, {1});
        BOOST_TEST(denied.find(wrong) == std::string::npos, denied);
        BOOST_TEST(denied.find(parsed.user + ":***@") != std::string::npos, denied);

        const std::string correct = "mysql://" + parsed.user + ":" + parsed.password + "@" + parsed.host +
                                    ":" + std::to_string(parsed.port) + "/no_such_database_4711";
        const auto missing = unavailableMessage(correct, {1});
        BOOST_TEST(missing.find("no_such_database_4711") != std::string::npos, missing);
        BOOST_TEST(missing.find(":***@") != std::string::npos, missing);
    } else {
        // A file that is not an SQLite database.
        const auto path = std::filesystem::temp_directory_path() /
                          ("registry_garbage_" + std::to_string(::getpid()) + ".db");
        {
            std::ofstream out(path.string(), std::ios::binary);
            for (int i = 0; i < 512; ++i)
                out << "this is not a database file ";
        }
        const std::string url = "sqlite3:" + path.string();
        const auto message = unavailableMessage(url, {1});
        BOOST_TEST(message.find(url) != std::string::npos, message);
        std::filesystem::remove(path);
    }
}

BOOST_AUTO_TEST_CASE(bad_urls_are_invalid_arguments_without_the_password) {
    for (const std::string url :
         {"postgres://u:Sup3rSecretPw@host/db", "sqlite3:", "mysql://u:Sup3rSecretPw@host:3306/",
          "mysql://:Sup3rSecretPw@host:3306/db", "registry.db", "mysql://u:Sup3rSecretPw%zz@host:3306/db",
          "mysql://u:Sup3rSecretPw%@host:3306/db", "mysql://u:Sup3rSecretPw@host:99999/db"}) {
        try {
            store::Database db(url);
            BOOST_ERROR("expected invalid_argument for " << url);
        } catch (const std::invalid_argument& e) {
            const std::string message = e.what();
            BOOST_TEST(message.find("Sup3rSecretPw") == std::string::npos, message);
            BOOST_TEST(!message.empty());
        } catch (const std::exception& e) {
            BOOST_ERROR(url << ": expected invalid_argument, got " << e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(url_parsing_and_redaction) {
    const auto url = store::DatabaseUrl::parse("mysql://reg%40user:p%40ss%3Aword@db.example:3307/registry");
    BOOST_TEST((url.backend == store::Backend::MySql));
    BOOST_TEST(url.user == "reg@user");
    BOOST_TEST(url.password == "p@ss:word");
    BOOST_TEST(url.host == "db.example");
    BOOST_TEST(url.port == 3307);
    BOOST_TEST(url.database == "registry");
    BOOST_TEST(url.redacted() == "mysql://reg@user:***@db.example:3307/registry");
    BOOST_TEST(url.redacted().find("p@ss") == std::string::npos);

    const auto defaults = store::DatabaseUrl::parse("mysql://reg@localhost/registry");
    BOOST_TEST(defaults.port == 3306);
    BOOST_TEST(defaults.password.empty());
    BOOST_TEST(defaults.redacted() == "mysql://reg@localhost:3306/registry");

    const auto sqlite = store::DatabaseUrl::parse("sqlite3:data/registry.db");
    BOOST_TEST((sqlite.backend == store::Backend::Sqlite));
    BOOST_TEST(sqlite.path == "data/registry.db");
    BOOST_TEST(sqlite.redacted() == "sqlite3:data/registry.db");
}

BOOST_AUTO_TEST_CASE(ping_answers_on_a_reachable_database) {
    TestDatabase t;
    BOOST_TEST(t.db().ping());
    BOOST_TEST(
        (t.db().backend() == (testBackend() == "mysql" ? store::Backend::MySql : store::Backend::Sqlite)));
}

BOOST_AUTO_TEST_CASE(busy_pool_gives_unavailable_after_the_lease_timeout) {
    TestDatabase t;
    store::DatabaseOptions options;
    options.poolSize = 1;
    options.leaseTimeoutMs = 200;
    store::Database small(t.url(), options);
    store::Database::Session held(small);
    try {
        store::Database::Session second(small);
        BOOST_ERROR("expected Unavailable while the only connection is leased");
    } catch (const store::Unavailable& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find("busy") != std::string::npos, message);
    }
}

BOOST_AUTO_TEST_CASE(uncommitted_transaction_rolls_back) {
    TestDatabase t;
    {
        store::Database::Session session(t.db());
        store::Transaction tx(session);
        session.sql() << "INSERT INTO code_sequences (scope, next_value) VALUES ('X-rollback', 7)";
        // no commit
    }
    BOOST_TEST(countRows(t.db(), "code_sequences", "scope = 'X-rollback'") == 0);
    {
        store::Database::Session session(t.db());
        store::Transaction tx(session);
        session.sql() << "INSERT INTO code_sequences (scope, next_value) VALUES ('X-commit', 7)";
        tx.commit();
    }
    BOOST_TEST(countRows(t.db(), "code_sequences", "scope = 'X-commit'") == 1);
}

BOOST_AUTO_TEST_CASE(writers_queue_and_a_writer_waiting_past_the_busy_timeout_is_told_why) {
    TestDatabase t;
    store::DatabaseOptions options;
    options.poolSize = 2;
    options.busyTimeoutMs = 300;
    store::Database db(t.url(), options);
    const auto commitsBefore = db.commits();
    store::Database::Session first(db);
    auto held = std::make_unique<store::Transaction>(first);
    first.sql() << "INSERT INTO code_sequences (scope, next_value) VALUES ('X-queue-1', 1)";
    if (db.backend() == store::Backend::Sqlite) {
        // Another writer waits for the first; past the busy timeout it gets Unavailable, which says why.
        store::Database::Session second(db);
        const auto started = std::chrono::steady_clock::now();
        try {
            store::Transaction tx(second);
            BOOST_ERROR("expected Unavailable while another write holds the database");
        } catch (const store::Unavailable& e) {
            const std::string message = e.what();
            BOOST_TEST(message.find("busy") != std::string::npos, message);
            BOOST_TEST(message.find("300 ms") != std::string::npos, message);
        }
        BOOST_TEST((std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(250)));
    }
    // A writer that queues while the first commits goes on once it has.
    std::thread later([&] {
        store::Database::Session second(db);
        store::Transaction tx(second);
        second.sql() << "INSERT INTO code_sequences (scope, next_value) VALUES ('X-queue-2', 1)";
        tx.commit();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    held->commit();
    held.reset();
    later.join();
    BOOST_TEST(countRows(db, "code_sequences", "scope LIKE 'X-queue-%'") == 2);
    BOOST_TEST(db.commits() == commitsBefore + 2); // what the dashboard's cache watches
}

// A transaction that lost to a concurrent one (MySQL 1213: a deadlock victim, or a Galera certification
// failure) is run again; anything else is the caller's at once.
BOOST_AUTO_TEST_CASE(conflicts_are_retried_and_nothing_else_is) {
    int calls = 0;
    const int result = store::retryConflicts([&] {
        if (++calls < 3) throw soci::mysql_soci_error("Deadlock found when trying to get lock", 1213);
        return 42;
    });
    BOOST_TEST(result == 42);
    BOOST_TEST(calls == 3);

    calls = 0;
    BOOST_CHECK_THROW(store::retryConflicts([&]() -> int {
                          ++calls;
                          throw soci::mysql_soci_error("Duplicate entry 'x' for key 'code'", 1062);
                      }),
                      soci::mysql_soci_error);
    BOOST_TEST(calls == 1);

    calls = 0;
    BOOST_CHECK_THROW(store::retryConflicts([&]() -> int {
                          ++calls;
                          throw soci::mysql_soci_error("Deadlock found when trying to get lock", 1213);
                      }),
                      soci::mysql_soci_error);
    BOOST_TEST(calls == 4);
}

// A real deadlock on MySQL: another connection holds 50 rows and then asks for the one the retried
// transaction holds; InnoDB rolls back the lighter one (ours), which then runs again and commits.
BOOST_AUTO_TEST_CASE(a_deadlock_victim_runs_again_and_both_writes_land) {
    TestDatabase t;
    if (t.db().backend() != store::Backend::MySql) return;
    {
        store::Database::Session s(t.db());
        s.sql() << "CREATE TABLE conflict_rows (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB";
        for (int i = 1; i <= 100; ++i) s.sql() << "INSERT INTO conflict_rows VALUES (" + std::to_string(i) + ", 0)";
    }
    std::atomic<bool> holding{false}, otherHolds{false};
    std::string otherError;
    std::thread other([&] {
        store::Database::Session s(t.db());
        s.sql() << "START TRANSACTION";
        s.sql() << "UPDATE conflict_rows SET n = n + 10 WHERE id <= 50";
        otherHolds = true;
        while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // ours now waits for row 1
        try {
            s.sql() << "UPDATE conflict_rows SET n = n + 10 WHERE id = 100";
            s.sql() << "COMMIT";
        } catch (const std::exception& e) {
            otherError = e.what();
        }
    });
    int attempts = 0;
    store::retryConflicts([&] {
        ++attempts;
        while (!otherHolds) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        store::Database::Session s(t.db());
        store::Transaction tx(s);
        s.sql() << "UPDATE conflict_rows SET n = n + 1 WHERE id = 100";
        holding = true;
        s.sql() << "UPDATE conflict_rows SET n = n + 1 WHERE id = 1";
        tx.commit();
    });
    other.join();
    BOOST_TEST(otherError.empty(), otherError);
    BOOST_TEST(attempts == 2);
    store::Database::Session s(t.db());
    int first = 0, last = 0;
    s.sql() << "SELECT n FROM conflict_rows WHERE id = 1", soci::into(first);
    s.sql() << "SELECT n FROM conflict_rows WHERE id = 100", soci::into(last);
    BOOST_TEST(first == 11);
    BOOST_TEST(last == 11);
}

BOOST_AUTO_TEST_SUITE_END()
