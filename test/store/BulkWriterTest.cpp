// The bulk writer: a load is all or nothing (visible after commit, gone without it), cells are checked,
// values of every type and Unicode text round-trip. On MySQL both strategies (SOCI and Connector/C++)
// run the same checks; on SQLite only SOCI exists.

#include "StoreTestSupport.h"

#include "domain/Dates.h"
#include "store/BulkWriter.h"
#include "store/ChangeLog.h"
#include "store/FacilityRepository.h"

using namespace registry;
using namespace registry::test;
using store::BulkColumn;
using store::BulkStrategy;
using store::BulkValue;
using store::ColumnType;

namespace {

std::vector<BulkStrategy> strategies() {
    if (testBackend() == "mysql") return {BulkStrategy::Soci, BulkStrategy::Connector};
    return {BulkStrategy::Soci};
}

std::string strategyName(BulkStrategy s) {
    return s == BulkStrategy::Connector ? "connector" : "soci";
}

std::vector<BulkColumn> changeLogColumns() {
    return {{"at", ColumnType::Text},           {"actor", ColumnType::Text},
            {"action", ColumnType::Text},       {"entity", ColumnType::Text},
            {"entity_id", ColumnType::Integer}, {"before_json", ColumnType::Text},
            {"after_json", ColumnType::Text}};
}

std::string afterJson(long long i) {
    return "{\"名称\":\"中文记录 " + std::to_string(i) + "\"}";
}

/// Change-log row i of a load: before_json NULL for even i.
std::vector<BulkValue> changeLogRow(const std::string& entity, long long i) {
    BulkValue before = i % 2 ? BulkValue(std::string("{\"i\":" + std::to_string(i) + "}")) : BulkValue();
    return {BulkValue(domain::nowTimestamp()),
            BulkValue(std::string("bulk")),
            BulkValue(std::string("import")),
            BulkValue(entity),
            BulkValue(i),
            before,
            BulkValue(afterJson(i))};
}

} // namespace

BOOST_AUTO_TEST_SUITE(bulk_writer)

BOOST_AUTO_TEST_CASE(committed_rows_are_visible) {
    TestDatabase t;
    for (auto strategy : strategies()) {
        BOOST_TEST_CONTEXT("strategy " << strategyName(strategy)) {
            const std::string entity = "bulk_" + strategyName(strategy);
            const long long maxBefore = countRows(t.db(), "change_log") == 0 ? 0 : [&] {
                store::Database::Session s(t.db());
                long long id = 0;
                s.sql() << "SELECT MAX(id) FROM change_log", soci::into(id);
                return id;
            }();
            constexpr long long rows = 2000;
            auto writer = store::BulkWriter::open(t.db(), strategy, 300);
            BOOST_TEST(writer->name() == strategyName(strategy));
            writer->setTable("change_log", changeLogColumns());
            for (long long i = 1; i <= rows; ++i)
                writer->addRow(changeLogRow(entity, i));
            // Inside the transaction the rows are there; outside, not yet.
            BOOST_TEST(writer->maxId("change_log") == maxBefore + rows);
            BOOST_TEST(countRows(t.db(), "change_log", "entity = '" + entity + "'") == 0);
            writer->commit();
            BOOST_TEST(writer->rowsWritten() == static_cast<std::size_t>(rows));
            writer.reset();

            BOOST_TEST(countRows(t.db(), "change_log", "entity = '" + entity + "'") == rows);
            // Read back through the change log as a user would, 500 at a time.
            store::ChangeLog log(t.db());
            store::ChangeFilter filter;
            filter.entity = entity;
            store::PageRequest page{500, 0};
            long long expected = 1;
            while (true) {
                auto p = log.list(filter, page);
                for (const auto& e : p.items) {
                    BOOST_TEST_REQUIRE(e.entityId == expected);
                    BOOST_TEST(e.actor == "bulk");
                    BOOST_TEST(e.action == "import");
                    BOOST_TEST(e.afterJson.value_or("") == afterJson(expected));
                    if (expected % 2)
                        BOOST_TEST(e.beforeJson.value_or("") == "{\"i\":" + std::to_string(expected) + "}");
                    else
                        BOOST_TEST(!e.beforeJson.has_value());
                    ++expected;
                }
                if (!p.nextAfterId) break;
                page.afterId = *p.nextAfterId;
            }
            BOOST_TEST(expected == rows + 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(without_commit_nothing_is_visible) {
    TestDatabase t;
    for (auto strategy : strategies()) {
        BOOST_TEST_CONTEXT("strategy " << strategyName(strategy)) {
            const std::string entity = "uncommitted_" + strategyName(strategy);
            {
                auto writer = store::BulkWriter::open(t.db(), strategy, 300);
                writer->setTable("change_log", changeLogColumns());
                for (long long i = 1; i <= 2000; ++i)
                    writer->addRow(changeLogRow(entity, i));
                BOOST_TEST(writer->maxId("change_log") >= 2000); // flushed inside the transaction
                // destroyed without commit
            }
            BOOST_TEST(countRows(t.db(), "change_log", "entity = '" + entity + "'") == 0);
            BOOST_TEST(countRows(t.db(), "change_log") == 0);
            // The database is free for ordinary writes afterwards.
            store::FacilityRepository(t.db()).create(sampleFacility("之后的写入"), actor);
            BOOST_TEST(countRows(t.db(), "change_log") == 1);
            store::Database::Session s(t.db());
            s.sql() << "DELETE FROM change_log";
            s.sql() << "DELETE FROM facilities";
        }
    }
}

BOOST_AUTO_TEST_CASE(wrong_cell_count_throws) {
    TestDatabase t;
    for (auto strategy : strategies()) {
        BOOST_TEST_CONTEXT("strategy " << strategyName(strategy)) {
            auto writer = store::BulkWriter::open(t.db(), strategy, 10);
            writer->setTable("change_log", changeLogColumns());
            writer->addRow(changeLogRow("cells", 1));
            auto shortRow = changeLogRow("cells", 2);
            shortRow.pop_back();
            BOOST_CHECK_THROW(writer->addRow(shortRow), std::invalid_argument);
            auto longRow = changeLogRow("cells", 3);
            longRow.push_back(BulkValue(1LL));
            BOOST_CHECK_THROW(writer->addRow(longRow), std::invalid_argument);
            BOOST_CHECK_THROW(writer->addRow({}), std::invalid_argument);
            writer->addRow(changeLogRow("cells", 4));
            writer->commit();
            BOOST_TEST(writer->rowsWritten() == 2u);
            writer.reset();
            BOOST_TEST(countRows(t.db(), "change_log", "entity = 'cells'") == 2);
            store::Database::Session s(t.db());
            s.sql() << "DELETE FROM change_log";
        }
    }
}

BOOST_AUTO_TEST_CASE(every_value_type_round_trips_into_a_scratch_table) {
    TestDatabase t;
    for (auto strategy : strategies()) {
        BOOST_TEST_CONTEXT("strategy " << strategyName(strategy)) {
            const std::string table = "bulk_scratch_" + strategyName(strategy);
            auto writer = store::BulkWriter::open(t.db(), strategy, 7);
            writer->execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, n BIGINT, r DOUBLE, t TEXT)");
            writer->setTable(table, {{"id", ColumnType::Integer},
                                     {"n", ColumnType::Integer},
                                     {"r", ColumnType::Real},
                                     {"t", ColumnType::Text}});
            const std::vector<std::string> texts = {
                "中文", "海淀区 110108", "emoji 😀", "quote ' and \\ backslash", "", "墓位维护管理费"};
            constexpr long long rows = 50;
            for (long long i = 1; i <= rows; ++i) {
                BulkValue n = i % 5 == 0 ? BulkValue() : BulkValue(i * 1'000'000'000'000LL);
                BulkValue r = i % 7 == 0 ? BulkValue() : BulkValue(i + 0.25);
                BulkValue text = i % 11 == 0 ? BulkValue() : BulkValue(texts[i % texts.size()]);
                writer->addRow({BulkValue(i), n, r, text});
            }
            // Switching tables writes the pending rows of the first table first.
            writer->setTable("change_log", changeLogColumns());
            writer->addRow(changeLogRow("scratch_" + strategyName(strategy), 1));
            BOOST_TEST(writer->maxId(table) == rows);
            writer->commit();
            BOOST_TEST(writer->rowsWritten() == static_cast<std::size_t>(rows + 1));
            writer.reset();

            store::Database::Session s(t.db());
            long long id = 0, n = 0;
            double r = 0;
            std::string text;
            soci::indicator nInd, rInd, tInd;
            soci::statement st =
                (s.sql().prepare << "SELECT id, n, r, t FROM " + table + " ORDER BY id", soci::into(id),
                 soci::into(n, nInd), soci::into(r, rInd), soci::into(text, tInd));
            st.execute();
            long long expected = 1;
            while (st.fetch()) {
                BOOST_TEST_REQUIRE(id == expected);
                if (expected % 5 == 0) {
                    BOOST_TEST((nInd == soci::i_null));
                } else {
                    BOOST_TEST((nInd == soci::i_ok));
                    BOOST_TEST(n == expected * 1'000'000'000'000LL);
                }
                if (expected % 7 == 0) {
                    BOOST_TEST((rInd == soci::i_null));
                } else {
                    BOOST_TEST((rInd == soci::i_ok));
                    BOOST_TEST(r == expected + 0.25);
                }
                if (expected % 11 == 0) {
                    BOOST_TEST((tInd == soci::i_null));
                } else {
                    BOOST_TEST((tInd == soci::i_ok));
                    BOOST_TEST(text == texts[expected % texts.size()]);
                }
                ++expected;
            }
            BOOST_TEST(expected == rows + 1);
            BOOST_TEST(countRows(t.db(), "change_log", "entity = 'scratch_" + strategyName(strategy) + "'") ==
                       1);
        }
    }
}

BOOST_AUTO_TEST_CASE(strategy_choice) {
    TestDatabase t;
    BOOST_TEST((store::parseBulkStrategy("auto") == BulkStrategy::Auto));
    BOOST_TEST((store::parseBulkStrategy("soci") == BulkStrategy::Soci));
    BOOST_TEST((store::parseBulkStrategy("connector") == BulkStrategy::Connector));
    BOOST_CHECK_THROW(store::parseBulkStrategy("fast"), std::invalid_argument);
    if (testBackend() == "mysql") {
        BOOST_TEST(store::BulkWriter::open(t.db())->name() == "connector");
    } else {
        BOOST_TEST(store::BulkWriter::open(t.db())->name() == "soci");
        BOOST_CHECK_THROW(store::BulkWriter::open(t.db(), BulkStrategy::Connector), std::invalid_argument);
    }
    // Opening and dropping writers leaves nothing behind.
    BOOST_TEST(countRows(t.db(), "change_log") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
