// The migration runner: an empty database reaches the latest schema with the reference data in place, a
// second run changes nothing, and a database newer than the program is refused with the versions named.

#include "StoreTestSupport.h"

#include "domain/District.h"
#include "domain/PriceItem.h"
#include "store/Migrations.h"

#include <map>
#include <mutex>
#include <thread>

using namespace registry;
using namespace registry::test;

namespace {

/// An empty (unmigrated) database on the test backend, dropped at the end of the test.
struct EmptyDatabase {
    std::string cleanup;
    std::string url = freshDatabaseUrl(cleanup);
    std::unique_ptr<store::Database> db = std::make_unique<store::Database>(url);
    ~EmptyDatabase() {
        db.reset();
        dropDatabase(cleanup);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(every_backend_has_the_same_migration_numbers) {
    std::map<std::string, std::set<int>> versions;
    for (const auto& m : store::embeddedMigrations()) {
        BOOST_TEST(std::string(m.sql).size() > 0u, m.backend << " " << m.version << " is empty");
        versions[m.backend].insert(m.version);
    }
    BOOST_TEST_REQUIRE(versions.count("sqlite") == 1u);
    BOOST_TEST_REQUIRE(versions.count("mysql") == 1u);
    BOOST_TEST(versions["sqlite"] == versions["mysql"]);
    // Numbered 1, 2, ... without gaps.
    int expected = 1;
    for (int v : versions["sqlite"])
        BOOST_TEST(v == expected++);
}

BOOST_AUTO_TEST_CASE(from_empty_to_latest_with_reference_data) {
    EmptyDatabase empty;
    store::Migrator migrator(*empty.db);
    const int latest = migrator.latestVersion();
    BOOST_TEST(latest >= 2);
    BOOST_TEST(migrator.currentVersion() == 0);
    BOOST_CHECK_THROW(migrator.requireCurrent(), store::SchemaMismatch);

    const auto report = migrator.migrate();
    BOOST_TEST(report.fromVersion == 0);
    BOOST_TEST(report.toVersion == latest);
    BOOST_TEST_REQUIRE(report.applied.size() == static_cast<std::size_t>(latest));
    BOOST_TEST(report.applied.front() == "0001_initial");
    BOOST_TEST(migrator.currentVersion() == latest);
    BOOST_CHECK_NO_THROW(migrator.requireCurrent());
    BOOST_TEST(countRows(*empty.db, "schema_migrations") == latest);

    // The 16 districts, exactly as the domain knows them.
    store::Database::Session session(*empty.db);
    std::map<std::string, std::vector<std::string>> districts;
    {
        std::string code, zh, en, pinyin;
        soci::statement st = (session.sql().prepare << "SELECT code, name_zh, name_en, pinyin FROM districts",
                              soci::into(code), soci::into(zh), soci::into(en), soci::into(pinyin));
        st.execute();
        while (st.fetch())
            districts[code] = {zh, en, pinyin};
    }
    BOOST_TEST(districts.size() == 16u);
    BOOST_TEST(domain::districts().size() == 16u);
    for (const auto& d : domain::districts()) {
        BOOST_TEST_REQUIRE(districts.count(d.code) == 1u, d.code);
        BOOST_TEST(districts[d.code][0] == d.nameZh);
        BOOST_TEST(districts[d.code][1] == d.nameEn);
        BOOST_TEST(districts[d.code][2] == d.pinyin);
    }

    // The 13 catalogue items, exactly as the domain knows them.
    std::map<std::string, std::vector<std::string>> items;
    {
        std::string code, zh, en, category, regime, unit;
        soci::statement st = (session.sql().prepare
                                  << "SELECT code, name_zh, name_en, category, regime, unit FROM price_items",
                              soci::into(code), soci::into(zh), soci::into(en), soci::into(category),
                              soci::into(regime), soci::into(unit));
        st.execute();
        while (st.fetch())
            items[code] = {zh, en, category, regime, unit};
    }
    BOOST_TEST(items.size() == 13u);
    BOOST_TEST(domain::priceItems().size() == 13u);
    for (const auto& item : domain::priceItems()) {
        BOOST_TEST_REQUIRE(items.count(item.code) == 1u, item.code);
        BOOST_TEST(items[item.code][0] == item.nameZh);
        BOOST_TEST(items[item.code][1] == item.nameEn);
        BOOST_TEST(items[item.code][2] == domain::toString(item.category));
        BOOST_TEST(items[item.code][3] == domain::toString(item.regime));
        BOOST_TEST(items[item.code][4] == item.unit);
    }
}

BOOST_AUTO_TEST_CASE(two_instances_migrating_an_empty_database_at_once) {
    // Two servers started together against a new database: both come up, the schema is applied once.
    EmptyDatabase empty;
    auto other = std::make_unique<store::Database>(empty.url);
    StartLine start(2);
    std::mutex m;
    std::vector<std::string> failures;
    std::vector<store::MigrationReport> reports;
    auto run = [&](store::Database& db) {
        start.arriveAndWait();
        try {
            auto report = store::Migrator(db).migrate();
            std::lock_guard<std::mutex> lock(m);
            reports.push_back(report);
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(m);
            failures.push_back(e.what()); // Boost.Test is not thread-safe: reported after join
        }
    };
    std::thread a(run, std::ref(*empty.db));
    std::thread b(run, std::ref(*other));
    a.join();
    b.join();
    for (const auto& message : failures)
        BOOST_ERROR("migration failed: " << message);
    store::Migrator migrator(*empty.db);
    const int latest = migrator.latestVersion();
    BOOST_TEST(migrator.currentVersion() == latest);
    BOOST_TEST(countRows(*empty.db, "schema_migrations") == latest);
    BOOST_TEST(countRows(*empty.db, "districts") == 16);
    BOOST_TEST(countRows(*empty.db, "price_items") == 13);
    std::size_t applied = 0;
    for (const auto& r : reports) {
        BOOST_TEST(r.toVersion == latest);
        applied += r.applied.size();
    }
    BOOST_TEST(applied == static_cast<std::size_t>(latest));
}

BOOST_AUTO_TEST_CASE(rerun_is_a_no_op) {
    TestDatabase t; // already migrated
    store::Migrator migrator(t.db());
    const int latest = migrator.latestVersion();
    const auto districtsBefore = countRows(t.db(), "districts");
    const auto report = migrator.migrate();
    BOOST_TEST(report.applied.empty());
    BOOST_TEST(report.fromVersion == latest);
    BOOST_TEST(report.toVersion == latest);
    BOOST_TEST(migrator.currentVersion() == latest);
    BOOST_TEST(countRows(t.db(), "schema_migrations") == latest);
    BOOST_TEST(countRows(t.db(), "districts") == districtsBefore);

    // Another instance starting against the same database finds nothing to do either.
    auto other = t.openAnother(1);
    const auto again = store::Migrator(*other).migrate();
    BOOST_TEST(again.applied.empty());
    BOOST_CHECK_NO_THROW(store::Migrator(*other).requireCurrent());
}

BOOST_AUTO_TEST_CASE(database_newer_than_the_program_is_refused) {
    TestDatabase t;
    store::Migrator migrator(t.db());
    const int latest = migrator.latestVersion();
    const int future = latest + 5;
    {
        store::Database::Session session(t.db());
        session.sql()
            << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, 'from_the_future', "
               "'2030-01-01T00:00:00.000Z')",
            soci::use(future);
    }
    BOOST_TEST(migrator.currentVersion() == future);
    const auto tablesBefore = countRows(t.db(), "schema_migrations");

    auto expectMismatch = [&](const std::function<void()>& call) {
        try {
            call();
            BOOST_ERROR("expected SchemaMismatch");
        } catch (const store::SchemaMismatch& e) {
            const std::string message = e.what();
            BOOST_TEST(message.find(std::to_string(future)) != std::string::npos, message);
            BOOST_TEST(message.find(std::to_string(latest)) != std::string::npos, message);
            BOOST_TEST(message.find("newer") != std::string::npos, message);
        }
    };
    expectMismatch([&] { migrator.migrate(); });
    expectMismatch([&] { migrator.requireCurrent(); });
    BOOST_TEST(countRows(t.db(), "schema_migrations") == tablesBefore);
}

BOOST_AUTO_TEST_CASE(database_behind_the_program_needs_migrate) {
    EmptyDatabase empty;
    store::Migrator migrator(*empty.db);
    try {
        migrator.requireCurrent();
        BOOST_ERROR("expected SchemaMismatch");
    } catch (const store::SchemaMismatch& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find("migrate") != std::string::npos, message);
        BOOST_TEST(message.find(std::to_string(migrator.latestVersion())) != std::string::npos, message);
    }
}

// Galera applies replicated row events by primary key; a table without one costs a full scan per row on
// every node. SQLite's ordinary tables are keyed by rowid, so only MySQL is asked.
BOOST_AUTO_TEST_CASE(every_table_has_a_primary_key) {
    EmptyDatabase empty;
    store::Migrator(*empty.db).migrate();
    if (empty.db->backend() != store::Backend::MySql) return;
    store::Database::Session session(*empty.db);
    std::vector<std::string> tables(100), keyless(100);
    session.sql() << "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
        soci::into(tables);
    session.sql() << "SELECT t.table_name FROM information_schema.tables t LEFT JOIN "
                     "information_schema.table_constraints c ON c.table_schema = t.table_schema AND "
                     "c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY' "
                     "WHERE t.table_schema = DATABASE() AND c.constraint_name IS NULL",
        soci::into(keyless);
    BOOST_TEST(tables.size() > 10u);
    BOOST_TEST(keyless.empty(), "tables without a primary key: " << (keyless.empty() ? "" : keyless.front()));
}

BOOST_AUTO_TEST_CASE(statements_split_on_lines_ending_in_semicolon) {
    const auto statements =
        store::splitStatements("-- a comment\nCREATE TABLE a (\n  x INTEGER\n);\n\n"
                               "  -- another\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2)\n");
    BOOST_TEST_REQUIRE(statements.size() == 3u);
    BOOST_TEST(statements[0].find("CREATE TABLE a") != std::string::npos);
    BOOST_TEST(statements[0].find(';') == std::string::npos);
    BOOST_TEST(statements[0].find("--") == std::string::npos);
    BOOST_TEST(statements[1].find("VALUES (1)") != std::string::npos);
    BOOST_TEST(statements[2].find("VALUES (2)") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
