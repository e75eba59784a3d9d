// Benchmark, not a test: writes the same N price records through each bulk-writer strategy and, as the
// baseline, through one-row-per-statement SOCI inserts, on SQLite and on MariaDB, each into a fresh
// migrated database. Prints a Markdown table of medians over several runs and ratios against the baseline.
//
//   bulk_writer_bench [--rows N] [--runs R] [--baseline-rows M] [--batch B] [--mysql URL]
//
// The MariaDB part needs --mysql (or REGISTRY_TEST_MYSQL_URL); scripts/bench.sh starts a private server.

#include "domain/Dates.h"
#include "store/BulkWriter.h"
#include "store/Database.h"
#include "store/FacilityRepository.h"
#include "store/Migrations.h"

#include <soci/mysql/soci-mysql.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

using namespace registry;

namespace {

struct Target {
    std::string backend; // "sqlite" / "mysql"
    std::string url;
    std::string cleanup;
};

std::string serverUrl;
std::size_t batchRows = 0; // 0: the writer's default for the backend

Target freshTarget(const std::string& backend, int n) {
    if (backend == "sqlite") {
        auto path = std::filesystem::temp_directory_path() / ("registry_bench_" + std::to_string(n) + ".db");
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
        return {backend, "sqlite3:" + path.string(), path.string()};
    }
    auto parsed = store::DatabaseUrl::parse(serverUrl);
    const std::string name = "registry_bench_" + std::to_string(n);
    parsed.database = "mysql";
    soci::session admin(soci::mysql, parsed.sociConnectString());
    admin << "DROP DATABASE IF EXISTS " + name;
    admin << "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
    return {backend, serverUrl.substr(0, serverUrl.rfind('/') + 1) + name, name};
}

void dropTarget(const Target& t) {
    if (t.backend == "sqlite") {
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(t.cleanup + s);
        return;
    }
    auto parsed = store::DatabaseUrl::parse(serverUrl);
    parsed.database = "mysql";
    soci::session admin(soci::mysql, parsed.sociConnectString());
    admin << "DROP DATABASE IF EXISTS " + t.cleanup;
}

const std::vector<store::BulkColumn> columns{
    {"facility_id", store::ColumnType::Integer}, {"item", store::ColumnType::Text},
    {"amount_fen", store::ColumnType::Integer},  {"unit", store::ColumnType::Text},
    {"effective_from", store::ColumnType::Text}, {"effective_to", store::ColumnType::Text},
    {"displayed", store::ColumnType::Integer},   {"bundled", store::ColumnType::Integer},
    {"area_m2", store::ColumnType::Real},        {"term_years", store::ColumnType::Integer},
    {"source", store::ColumnType::Text},         {"note", store::ColumnType::Text},
    {"recorded_by", store::ColumnType::Text},    {"created_at", store::ColumnType::Text},
    {"version", store::ColumnType::Integer}};

std::vector<store::BulkValue> row(long long facility, long long i, const std::string& now) {
    return {facility, "bench.item_" + std::to_string(i), 50000 + i % 1000, std::string("per_body"),
            std::string("2024-01-01"), store::BulkValue{}, 1LL, 0LL, i % 7 == 0 ? store::BulkValue{0.8} : store::BulkValue{},
            i % 7 == 0 ? store::BulkValue{20LL} : store::BulkValue{}, std::string("import"), std::string("基准测试"),
            std::string("bench"), now, 1LL};
}

// Returns seconds to write `rows` rows with `write`, into a fresh migrated database with one facility.
double timeOnce(const std::string& backend, int n, long long rows,
                const std::function<void(store::Database&, long long facility, long long rows)>& write) {
    Target t = freshTarget(backend, n);
    double seconds = 0;
    {
        store::Database db(t.url, store::DatabaseOptions{2});
        store::Migrator(db).migrate();
        domain::Facility f;
        f.name = "基准测试殡仪馆";
        f.district = "110108";
        const long long facility = store::FacilityRepository(db).create(f, "bench").id;
        const auto start = std::chrono::steady_clock::now();
        write(db, facility, rows);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        long long count = 0;
        store::Database::Session session(db);
        session.sql() << "SELECT COUNT(*) FROM price_records", soci::into(count);
        if (count != rows) {
            std::cerr << "bench: expected " << rows << " rows, found " << count << "\n";
            std::exit(1);
        }
    }
    dropTarget(t);
    return seconds;
}

void viaBulkWriter(store::BulkStrategy strategy, store::Database& db, long long facility, long long rows) {
    const std::string now = domain::nowTimestamp();
    auto writer = store::BulkWriter::open(db, strategy, batchRows);
    writer->setTable("price_records", columns);
    for (long long i = 0; i < rows; ++i) writer->addRow(row(facility, i, now));
    writer->commit();
}

// The baseline: what code without a bulk path does, one prepared INSERT executed per row (in one
// transaction), binding the same 15 columns as the bulk writer.
void viaSingleRows(store::Database& db, long long facility, long long rows) {
    const std::string now = domain::nowTimestamp();
    store::Database::Session session(db);
    store::Transaction tx(session);
    long long amount = 0, term = 0, version = 1, displayed = 1, bundled = 0;
    double area = 0;
    std::string item, unit = "per_body", from = "2024-01-01", to, source = "import", note = "基准测试", by = "bench";
    soci::indicator toInd = soci::i_null, areaInd = soci::i_null, termInd = soci::i_null;
    soci::statement st = (session.sql().prepare
                              << "INSERT INTO price_records (facility_id, item, amount_fen, unit, effective_from, "
                                 "effective_to, displayed, bundled, area_m2, term_years, source, note, recorded_by, "
                                 "created_at, version) VALUES (:f, :item, :amount, :unit, :from, :to, :displayed, "
                                 ":bundled, :area, :term, :source, :note, :by, :now, :version)",
                          soci::use(facility), soci::use(item), soci::use(amount), soci::use(unit), soci::use(from),
                          soci::use(to, toInd), soci::use(displayed), soci::use(bundled), soci::use(area, areaInd),
                          soci::use(term, termInd), soci::use(source), soci::use(note), soci::use(by),
                          soci::use(now), soci::use(version));
    for (long long i = 0; i < rows; ++i) {
        item = "bench.item_" + std::to_string(i);
        amount = 50000 + i % 1000;
        areaInd = termInd = i % 7 == 0 ? soci::i_ok : soci::i_null;
        area = 0.8;
        term = 20;
        st.execute(true);
    }
    tx.commit();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

} // namespace

int main(int argc, char** argv) {
    long long rows = 100000, baselineRows = 10000;
    int runs = 3;
    if (const char* url = std::getenv("REGISTRY_TEST_MYSQL_URL")) serverUrl = url;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--rows") rows = std::atoll(argv[i + 1]);
        else if (a == "--runs") runs = std::atoi(argv[i + 1]);
        else if (a == "--baseline-rows") baselineRows = std::atoll(argv[i + 1]);
        else if (a == "--mysql") serverUrl = argv[i + 1];
        else if (a == "--batch") batchRows = static_cast<std::size_t>(std::atoll(argv[i + 1]));
        else {
            std::cerr << "usage: bulk_writer_bench [--rows N] [--runs R] [--baseline-rows M] [--batch B] [--mysql URL]\n";
            return 2;
        }
    }
    struct Case {
        std::string backend, name;
        long long rows;
        std::function<void(store::Database&, long long, long long)> write;
    };
    std::vector<Case> cases{
        {"sqlite", "one row per INSERT (baseline)", baselineRows, viaSingleRows},
        {"sqlite", "BulkWriter soci (default batch: 100 rows)", rows,
         [](store::Database& db, long long f, long long r) { viaBulkWriter(store::BulkStrategy::Soci, db, f, r); }},
    };
    if (!serverUrl.empty()) {
        cases.push_back({"mysql", "one row per INSERT (baseline)", baselineRows, viaSingleRows});
        cases.push_back({"mysql", "BulkWriter soci (default batch: 500 rows)", rows, [](store::Database& db, long long f, long long r) {
                             viaBulkWriter(store::BulkStrategy::Soci, db, f, r);
                         }});
        cases.push_back({"mysql", "BulkWriter connector (server-side prepared, 500 rows)", rows,
                         [](store::Database& db, long long f, long long r) {
                             viaBulkWriter(store::BulkStrategy::Connector, db, f, r);
                         }});
    }
    // Runs are interleaved (case A, B, C, A, B, C, ...) so that machine noise spreads over all cases.
    std::vector<std::vector<double>> rates(cases.size());
    int n = 0;
    for (int run = 0; run < runs; ++run)
        for (std::size_t c = 0; c < cases.size(); ++c) {
            const double s = timeOnce(cases[c].backend, ++n, cases[c].rows, cases[c].write);
            rates[c].push_back(static_cast<double>(cases[c].rows) / s);
            std::cerr << cases[c].backend << " / " << cases[c].name << ": " << cases[c].rows << " rows in " << s
                      << " s\n";
        }
    std::printf("| backend | writer | rows | median rows/s | vs. one row per INSERT |\n|---|---|---:|---:|---:|\n");
    for (std::size_t c = 0; c < cases.size(); ++c) {
        double baseline = 0;
        for (std::size_t b = 0; b < cases.size(); ++b)
            if (cases[b].backend == cases[c].backend && b != c && cases[b].name.find("baseline") != std::string::npos)
                baseline = median(rates[b]);
        const double rate = median(rates[c]);
        char ratio[32] = "1.0×";
        if (baseline > 0) std::snprintf(ratio, sizeof ratio, "%.1f×", rate / baseline);
        std::printf("| %s | %s | %lld | %.0f | %s |\n", cases[c].backend == "sqlite" ? "SQLite" : "MariaDB",
                    cases[c].name.c_str(), cases[c].rows, rate, ratio);
    }
    return 0;
}
