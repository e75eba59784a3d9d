// `funeral-registry backup DIR` and `restore DIR` as an operator runs them (issue 18): a backup of demo data
// with attachment files restores identical into a fresh folder, table by table and file by file; a backup
// taken while another connection writes is a consistent snapshot whose every named file is in it; and each
// refusal (a folder not empty, a damaged or unfinished backup, a newer schema, a target with records or in
// use, a MariaDB db.url) is one line on stderr, a non-zero exit, and nothing written.

#include "RunProgram.h"
#include "support/TestDatabase.h"

#include "store/AttachmentFiles.h"
#include "store/AttachmentRepository.h"
#include "store/Database.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <regex>
#include <sstream>
#include <thread>

using namespace registry;
using namespace registry::test;

namespace {

std::string readFile(const std::string& path) {
    std::string bytes;
    Poco::FileInputStream in(path);
    Poco::StreamCopier::copyToString(in, bytes);
    return bytes;
}

void writeFile(const std::string& path, const std::string& bytes) {
    Poco::FileOutputStream out(path, std::ios::out | std::ios::trunc | std::ios::binary);
    out << bytes;
}

int lineCount(const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

/// Every file under `dir`, as paths relative to it.
std::vector<std::string> filesUnder(const std::string& dir, const std::string& prefix = "") {
    std::vector<std::string> out;
    if (!Poco::File(dir).exists()) return out;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
        if (it->isDirectory()) {
            for (auto& f : filesUnder(it->path(), prefix + it.name() + "/"))
                out.push_back(f);
        } else {
            out.push_back(prefix + it.name());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::unique_ptr<soci::session> openSqlite(const std::string& path) {
    return std::make_unique<soci::session>(soci::sqlite3, "db=" + path);
}

/// Every difference between two SQLite files: the schema, then every row of every table (sqlite_sequence
/// included), compared with the rowid both ways. Empty when they hold the same.
std::vector<std::string> differences(const std::string& original, const std::string& restored) {
    std::vector<std::string> found;
    auto sql = openSqlite(original);
    *sql << "ATTACH DATABASE '" + restored + "' AS r";
    const char* schema = "SELECT type, name, tbl_name, sql FROM %1.sqlite_master";
    const auto count = [&](const std::string& query) {
        long long n = 0;
        *sql << query, soci::into(n);
        return n;
    };
    const auto both = [&](const std::string& select) {
        auto in = [&](const char* a, const char* b) {
            auto q = std::regex_replace(select, std::regex("%1"), a) + " EXCEPT " +
                     std::regex_replace(select, std::regex("%1"), b);
            return count("SELECT COUNT(*) FROM (" + q + ")");
        };
        return in("main", "r") + in("r", "main");
    };
    if (both(schema) != 0) found.push_back("the schemas differ");
    std::vector<std::string> tables;
    soci::rowset<std::string> names =
        (sql->prepare << "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name");
    for (const auto& name : names)
        tables.push_back(name);
    BOOST_TEST_REQUIRE(tables.size() > 20u);
    for (const auto& table : tables) {
        const auto rows = count("SELECT COUNT(*) FROM main.\"" + table + "\"");
        if (rows != count("SELECT COUNT(*) FROM r.\"" + table + "\""))
            found.push_back(table + ": row counts differ");
        if (both("SELECT rowid, * FROM %1.\"" + table + "\"") != 0) found.push_back(table + ": rows differ");
    }
    return found;
}

/// Every file of `restored` that differs from the same file of `original`, or is missing.
std::vector<std::string> fileDifferences(const std::string& original, const std::string& restored) {
    std::vector<std::string> found;
    for (const auto& f : filesUnder(original))
        if (!Poco::File(restored + "/" + f).exists() ||
            readFile(original + "/" + f) != readFile(restored + "/" + f))
            found.push_back(f);
    return found;
}

struct BackupFixture {
    TempDir dir;
    std::string root = dir.path();
    std::string source = root + "/live";

    ProgramResult run(const std::string& data, std::vector<std::string> args) {
        args.insert(args.begin(), {"--set", "db.url=sqlite3:" + data + "/registry.db", "--set",
                                   "attachments.dir=" + data + "/att"});
        return runProgram(args, root);
    }
    ProgramResult backup(const std::string& into) { return run(source, {"backup", into}); }

    /// An evidence file stored as the server stores one: the file, then its row.
    std::string addAttachment(store::Database& db, const std::string& content) {
        const auto sha = store::AttachmentFiles::sha256(content);
        store::AttachmentFiles(source + "/att").put(sha, content);
        domain::Attachment a;
        a.sha256 = sha;
        a.contentType = "image/jpeg";
        a.bytes = static_cast<std::int64_t>(content.size());
        a.fileName = "photo.jpg";
        a.uploadedBy = "wang.li";
        a.uploadedAt = "2026-03-01T08:00:00.000Z";
        store::AttachmentRepository(db).create(a);
        return sha;
    }

    /// Demo data and three attachment files in `source`.
    void fillSource() {
        const auto demo = run(source, {"demo-data", "--scale", "1"});
        BOOST_TEST_REQUIRE(demo.exitCode == 0, demo.err);
        store::Database db("sqlite3:" + source + "/registry.db");
        for (const char* content : {"\xFF\xD8\xFF photo one", "\xFF\xD8\xFF photo two", "%PDF-1.4 scan"})
            addAttachment(db, content);
    }

    /// Asserts a refusal as the operator sees it: non-zero, one line on stderr saying `expected`.
    static void refused(const ProgramResult& r, const std::string& expected) {
        BOOST_TEST(r.exitCode != 0);
        BOOST_TEST(lineCount(r.err) == 1, r.err);
        BOOST_TEST(r.err.find(expected) != std::string::npos, r.err);
        BOOST_TEST(r.out.empty(), r.out);
    }

    static Poco::JSON::Object::Ptr parseManifest(const std::string& json) {
        return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    }
    static Poco::JSON::Object::Ptr manifest(const std::string& backupDir) {
        return parseManifest(readFile(backupDir + "/backup.json"));
    }
};

boost::test_tools::assertion_result onSqlite(boost::unit_test::test_unit_id) {
    return testBackend() == "sqlite";
}

} // namespace

// The SQLite verbs run against SQLite files whatever the run's backend; run them once, in app.sqlite.
BOOST_FIXTURE_TEST_SUITE(Backup, BackupFixture, *boost::unit_test::precondition(onSqlite))

BOOST_AUTO_TEST_CASE(a_backup_restores_identical_into_a_fresh_folder) {
    fillSource();
    const auto made = backup("backups/monday");
    BOOST_TEST_REQUIRE(made.exitCode == 0, made.err);
    BOOST_TEST(made.err.empty(), made.err);
    BOOST_TEST(std::regex_match(made.out,
                                std::regex("backup of sqlite3:.*/live/registry.db written to backups/monday: "
                                           "2\\d tables, \\d+ rows, 4 files, \\d+ bytes, \\d+\\.\\d s "
                                           "\\(schema version \\d+\\)\n")),
               made.out);
    const auto m = manifest(root + "/backups/monday");
    BOOST_TEST(m->getValue<int>("format_version") == 1);
    BOOST_TEST(m->getObject("tables")->getValue<long long>("facilities") == 800);
    BOOST_TEST(m->getObject("tables")->getValue<long long>("attachments") == 3);
    BOOST_TEST(m->getArray("files")->size() == 4u);
    BOOST_TEST(m->getArray("missing_attachments")->size() == 0u);
    for (std::size_t i = 0; i < m->getArray("files")->size(); ++i) {
        const auto f = m->getArray("files")->getObject(static_cast<unsigned>(i));
        const auto bytes = readFile(root + "/backups/monday/" + f->getValue<std::string>("path"));
        BOOST_TEST(f->getValue<std::size_t>("bytes") == bytes.size());
        BOOST_TEST(f->getValue<std::string>("sha256") == store::AttachmentFiles::sha256(bytes));
    }

    const auto checked = run(root + "/fresh", {"restore", "backups/monday", "--check"});
    BOOST_TEST(checked.exitCode == 0, checked.err);
    BOOST_TEST(checked.out.find("is complete: 2") != std::string::npos, checked.out);
    BOOST_TEST(!Poco::File(root + "/fresh").exists(), "--check writes nothing");

    const auto restored = run(root + "/fresh", {"restore", "backups/monday"});
    BOOST_TEST_REQUIRE(restored.exitCode == 0, restored.err);
    BOOST_TEST(restored.out.find("3 attachment files added") != std::string::npos, restored.out);
    BOOST_TEST(lineCount(restored.out) == 1, restored.out);

    const auto diff = differences(source + "/registry.db", root + "/fresh/registry.db");
    BOOST_TEST(diff.empty(), (diff.empty() ? std::string() : diff.front()));
    BOOST_TEST(filesUnder(root + "/fresh/att").size() == 3u);
    BOOST_TEST(fileDifferences(source + "/att", root + "/fresh/att").empty());
    BOOST_TEST(fileDifferences(root + "/fresh/att", source + "/att").empty());
    BOOST_TEST(filesUnder(root + "/fresh") ==
                   (std::vector<std::string>{"att/" + filesUnder(root + "/fresh/att")[0],
                                             "att/" + filesUnder(root + "/fresh/att")[1],
                                             "att/" + filesUnder(root + "/fresh/att")[2], "registry.db"}),
               "no temporary file is left beside the restored database");

    // The comparison can fail: one changed value in the original is seen.
    *openSqlite(source + "/registry.db") << "UPDATE facilities SET name = name || 'x' WHERE id = 7";
    BOOST_TEST(differences(source + "/registry.db", root + "/fresh/registry.db") ==
               std::vector<std::string>{"facilities: rows differ"});

    // The restored registry is one the program serves from: up to date.
    const auto version = run(root + "/fresh", {"migrate"});
    BOOST_TEST(version.out.find("up to date") != std::string::npos, version.out + version.err);
}

BOOST_AUTO_TEST_CASE(a_backup_taken_while_another_connection_writes_is_a_consistent_snapshot) {
    fillSource();
    store::Database db("sqlite3:" + source + "/registry.db", store::DatabaseOptions{2});
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::thread writer([&] {
        for (int i = 0; !stop; ++i) {
            addAttachment(db, "\xFF\xD8\xFF photo taken during the backup " + std::to_string(i));
            ++written;
        }
    });
    while (written < 20)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int before = written;
    const auto made = backup("during");
    const int after = written;
    stop = true;
    writer.join();
    BOOST_TEST_REQUIRE(made.exitCode == 0, made.err);
    BOOST_TEST(made.err.empty(), "no attachment the snapshot names is missing: " << made.err);
    BOOST_TEST(after > before, "the writer wrote while the backup ran");

    const auto restored = run(root + "/fresh", {"restore", "during"});
    BOOST_TEST_REQUIRE(restored.exitCode == 0, restored.err);
    auto sql = openSqlite(root + "/fresh/registry.db");
    std::string integrity;
    *sql << "PRAGMA integrity_check", soci::into(integrity);
    BOOST_TEST(integrity == "ok");
    long long rows = 0;
    *sql << "SELECT COUNT(*) FROM attachments", soci::into(rows);
    BOOST_TEST(rows == manifest(root + "/during")->getObject("tables")->getValue<long long>("attachments"));
    BOOST_TEST(rows >= 3 + before);
    BOOST_TEST(rows <= 3 + after + 1);
    // Every row of the snapshot has its file, byte for byte what it names.
    soci::rowset<std::string> named = (sql->prepare << "SELECT sha256 FROM attachments");
    const store::AttachmentFiles restoredFiles(root + "/fresh/att");
    int checked = 0;
    for (const auto& sha : named) {
        BOOST_TEST(restoredFiles.read(sha).size() > 0u);
        ++checked;
    }
    BOOST_TEST(checked == rows);
}

BOOST_AUTO_TEST_CASE(a_folder_that_is_not_empty_is_refused) {
    fillSource();
    Poco::File(root + "/old").createDirectories();
    writeFile(root + "/old/notes.txt", "last year's backup");
    refused(backup("old"), "old is not empty: a backup goes into a new or empty folder");
    BOOST_TEST(filesUnder(root + "/old") == std::vector<std::string>{"notes.txt"});
    writeFile(root + "/plain", "a file");
    refused(backup("plain"), "plain exists and is not a folder");
    refused(run(root + "/none", {"backup", "x"}), "none/registry.db does not exist");
    BOOST_TEST(!Poco::File(root + "/none").exists(), "backup does not create the database it backs up");
    BOOST_TEST(!Poco::File(root + "/x").exists());
    // An empty folder (a mount point) is taken.
    Poco::File(root + "/empty").createDirectories();
    BOOST_TEST(backup("empty").exitCode == 0);
}

BOOST_AUTO_TEST_CASE(a_damaged_backup_is_refused_and_nothing_is_written) {
    fillSource();
    BOOST_TEST_REQUIRE(backup("bk").exitCode == 0);
    const auto files = filesUnder(root + "/bk/attachments");
    BOOST_TEST_REQUIRE(files.size() == 3u);
    const std::string photo = root + "/bk/attachments/" + files[1];
    const std::string original = readFile(photo);

    std::string changed = original;
    changed[5] ^= 1;
    writeFile(photo, changed);
    refused(run(root + "/fresh", {"restore", "bk"}),
            "bk is damaged: attachments/" + files[1] + " does not match");
    refused(run(root + "/fresh", {"restore", "bk", "--check"}), "does not match its size and SHA-256");
    Poco::File(photo).remove();
    refused(run(root + "/fresh", {"restore", "bk"}),
            "bk is damaged: attachments/" + files[1] + " is missing");
    writeFile(photo, original);
    const std::string db = readFile(root + "/bk/registry.db");
    writeFile(root + "/bk/registry.db", db.substr(0, db.size() - 4096));
    refused(run(root + "/fresh", {"restore", "bk"}), "bk is damaged: registry.db does not match");
    BOOST_TEST(!Poco::File(root + "/fresh").exists(), "nothing was written");

    writeFile(root + "/bk/registry.db", db);
    BOOST_TEST(run(root + "/fresh", {"restore", "bk"}).exitCode == 0, "the backup made whole again restores");
}

BOOST_AUTO_TEST_CASE(an_unfinished_backup_and_a_newer_schema_are_refused) {
    fillSource();
    BOOST_TEST_REQUIRE(backup("bk").exitCode == 0);
    const std::string json = readFile(root + "/bk/backup.json");
    Poco::File(root + "/bk/backup.json").remove();
    refused(
        run(root + "/fresh", {"restore", "bk"}),
        "bk is not a finished backup: it has no backup.json (an interrupted backup, or not a backup folder)");

    auto m = parseManifest(json);
    m->set("schema_version", 999);
    std::ostringstream newer;
    m->stringify(newer);
    writeFile(root + "/bk/backup.json", newer.str());
    refused(run(root + "/fresh", {"restore", "bk"}),
            "holds schema version 999, newer than this program knows");

    writeFile(root + "/bk/backup.json", "{\"format\": \"something else\"}");
    refused(run(root + "/fresh", {"restore", "bk"}), "is not a funeral-registry backup manifest");
    BOOST_TEST(!Poco::File(root + "/fresh").exists(), "nothing was written");
}

BOOST_AUTO_TEST_CASE(a_target_with_records_needs_replace_and_one_in_use_is_refused) {
    fillSource();
    BOOST_TEST_REQUIRE(backup("bk").exitCode == 0);
    // A migrated database without records (a new server's) is restored over without --replace.
    BOOST_TEST_REQUIRE(run(root + "/target", {"migrate"}).exitCode == 0);
    BOOST_TEST_REQUIRE(run(root + "/target", {"restore", "bk"}).exitCode == 0);

    *openSqlite(root + "/target/registry.db") << "DELETE FROM price_records WHERE id > 100";
    const auto before = readFile(root + "/target/registry.db");
    refused(run(root + "/target", {"restore", "bk"}),
            "registry.db already holds records (table attachments) (restore --replace overwrites it)");
    BOOST_TEST(readFile(root + "/target/registry.db") == before, "nothing was written");

    {
        // A server has it open: even --replace waits for it to stop.
        store::Database server("sqlite3:" + root + "/target/registry.db", store::DatabaseOptions{1});
        store::Database::Session session(server);
        long long facilities = 0;
        session.sql() << "SELECT COUNT(*) FROM facilities", soci::into(facilities);
        BOOST_TEST(facilities == 800);
        refused(run(root + "/target", {"restore", "bk", "--replace"}),
                "is in use by another process: stop the server before restoring");
    }
    const auto replaced = run(root + "/target", {"restore", "bk", "--replace"});
    BOOST_TEST_REQUIRE(replaced.exitCode == 0, replaced.err);
    BOOST_TEST(replaced.out.find("0 attachment files added") != std::string::npos, replaced.out);
    const auto diff = differences(source + "/registry.db", root + "/target/registry.db");
    BOOST_TEST(diff.empty(), (diff.empty() ? std::string() : diff.front()));
}

BOOST_AUTO_TEST_CASE(an_older_backup_is_migrated_after_restoring) {
    fillSource();
    BOOST_TEST_REQUIRE(backup("bk").exitCode == 0);
    // Make the backup one of schema 8, as the program before mail alerts wrote it.
    const std::string db = root + "/bk/registry.db";
    *openSqlite(db) << "DROP TABLE mail_outbox";
    *openSqlite(db) << "ALTER TABLE users DROP COLUMN email";
    *openSqlite(db) << "DELETE FROM schema_migrations WHERE version >= 9"; // 0010 changes nothing on SQLite
    auto m = manifest(root + "/bk");
    m->set("schema_version", 8);
    Poco::JSON::Object::Ptr file = m->getArray("files")->getObject(0);
    const auto bytes = readFile(db);
    file->set("bytes", bytes.size());
    file->set("sha256", store::AttachmentFiles::sha256(bytes));
    std::ostringstream json;
    m->stringify(json);
    writeFile(root + "/bk/backup.json", json.str());

    const auto restored = run(root + "/fresh", {"restore", "bk"});
    BOOST_TEST_REQUIRE(restored.exitCode == 0, restored.err);
    BOOST_TEST(restored.out.find("applied 0009_mail\n") != std::string::npos, restored.out);
    BOOST_TEST(restored.out.find("migrated from schema version 8 to ") != std::string::npos, restored.out);
}

BOOST_AUTO_TEST_SUITE_END()

// No SQLite file to copy: the verbs name the script that backs up MariaDB, without connecting.
BOOST_FIXTURE_TEST_CASE(on_mariadb_backup_and_restore_name_the_script, BackupFixture) {
    for (const char* verb : {"backup", "restore"}) {
        const auto r =
            runProgram({"--set", "db.url=mysql://registry:pw@127.0.0.1:1/registry", verb, "bk"}, root);
        BOOST_TEST(r.exitCode != 0);
        BOOST_TEST(lineCount(r.err) == 1, r.err);
        BOOST_TEST(r.err.find("scripts/mariadb-backup.sh " + std::string(verb) + " DIR") != std::string::npos,
                   r.err);
    }
    BOOST_TEST(!Poco::File(root + "/bk").exists());
}

BOOST_FIXTURE_TEST_CASE(backup_and_restore_have_their_own_help, BackupFixture) {
    const auto backupHelp = runProgram({"backup", "--help"}, root);
    BOOST_TEST(backupHelp.exitCode == 0);
    BOOST_TEST(backupHelp.out.find("Usage: funeral-registry backup DIR") == 0u, backupHelp.out);
    const auto restoreHelp = runProgram({"restore", "--help"}, root);
    BOOST_TEST(restoreHelp.exitCode == 0);
    BOOST_TEST(restoreHelp.out.find("Stop the server first.") != std::string::npos, restoreHelp.out);
    const auto all = runProgram({"--help"}, root);
    BOOST_TEST(all.out.find("backup DIR") != std::string::npos, all.out);
}
