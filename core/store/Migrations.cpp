#include "store/Migrations.h"

#include "domain/Dates.h"
#include "store/Errors.h"

#include <sstream>

namespace registry::store {

Migrator::Migrator(Database& db) : _db(db) {}

std::vector<const EmbeddedMigration*> Migrator::forBackend() const {
    const std::string backend = _db.backend() == Backend::Sqlite ? "sqlite" : "mysql";
    std::vector<const EmbeddedMigration*> out;
    for (const auto& m : embeddedMigrations())
        if (backend == m.backend) out.push_back(&m);
    return out;
}

int Migrator::latestVersion() const { return latestVersion(_db.backend()); }

int Migrator::latestVersion(Backend backend) {
    const std::string name = backend == Backend::Sqlite ? "sqlite" : "mysql";
    int latest = 0;
    for (const auto& m : embeddedMigrations())
        if (name == m.backend) latest = std::max(latest, m.version);
    return latest;
}

int schemaVersionOf(soci::session& sql) {
    int tables = 0;
    if (sql.get_backend_name() == "mysql")
        sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
               "AND table_name = 'schema_migrations'",
            soci::into(tables);
    else
        sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            soci::into(tables);
    if (tables == 0) return 0;
    int version = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
}

namespace {

// MySQL commits DDL implicitly, so a transaction cannot keep two instances from applying the same migration
// at once; a named lock held on the migrating connection for the whole run does. (SQLite: each migration's
// BEGIN IMMEDIATE already excludes other writers.) The lock is per database (names are at most 64 chars).
const char* const migrationLockName = "CONCAT('migrate:', LEFT(DATABASE(), 56))";

class MySqlMigrationLock {
public:
    MySqlMigrationLock(Database::Session& session, const std::string& url) : _session(session) {
        if (session.backend() != Backend::MySql) return;
        int got = 0;
        soci::indicator ind = soci::i_null;
        session.sql() << std::string("SELECT GET_LOCK(") + migrationLockName + ", 300)", soci::into(got, ind);
        if (ind != soci::i_ok || got != 1)
            throw Unavailable("another instance has been migrating database " + url + " for 300 s");
        _held = true;
    }
    ~MySqlMigrationLock() {
        if (!_held) return;
        try {
            _session.sql() << std::string("SELECT RELEASE_LOCK(") + migrationLockName + ")";
        } catch (...) {
            // The connection is gone; the server released the lock with it.
        }
    }

private:
    Database::Session& _session;
    bool _held = false;
};

} // namespace

int Migrator::currentVersion() {
    Database::Session session(_db);
    return schemaVersionOf(session.sql());
}

MigrationReport Migrator::migrate() {
    MigrationReport report;
    Database::Session session(_db);
    MySqlMigrationLock lock(session, _db.url().redacted());
    session.sql() << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name VARCHAR(200) NOT NULL, applied_at CHAR(24) NOT NULL)";
    report.fromVersion = schemaVersionOf(session.sql());
    const int latest = latestVersion();
    if (report.fromVersion > latest)
        throw SchemaMismatch("database " + _db.url().redacted() + " is at schema version " +
                             std::to_string(report.fromVersion) + ", newer than this program knows (" +
                             std::to_string(latest) + "): upgrade funeral-registry");
    report.toVersion = report.fromVersion;
    for (auto* m : forBackend()) {
        if (m->version <= report.fromVersion) continue;
        char number[16];
        std::snprintf(number, sizeof number, "%04d", m->version);
        const std::string title = std::string(number) + "_" + m->name;
        Transaction tx(session);
        // Re-check under the write lock: another instance may have migrated meanwhile.
        int done = 0;
        session.sql() << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m->version),
            soci::into(done);
        if (done > 0) {
            report.toVersion = m->version;
            continue;
        }
        for (const auto& statement : splitStatements(m->sql)) {
            try {
                session.sql() << statement;
            } catch (const soci::soci_error& e) {
                throw std::runtime_error("migration " + title + " failed: " + e.get_error_message());
            }
        }
        const std::string name = m->name;
        const std::string at = domain::nowTimestamp();
        session.sql() << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)",
            soci::use(m->version), soci::use(name), soci::use(at);
        tx.commit();
        report.applied.push_back(title);
        report.toVersion = m->version;
    }
    return report;
}

void Migrator::requireCurrent() {
    const int current = currentVersion();
    const int latest = latestVersion();
    if (current > latest)
        throw SchemaMismatch("database " + _db.url().redacted() + " is at schema version " +
                             std::to_string(current) + ", newer than this program knows (" +
                             std::to_string(latest) + "): upgrade funeral-registry");
    if (current < latest)
        throw SchemaMismatch("database " + _db.url().redacted() + " is at schema version " +
                             std::to_string(current) + " but this program needs " + std::to_string(latest) +
                             ": run 'funeral-registry migrate'");
}

std::vector<std::string> splitStatements(const std::string& sql) {
    std::vector<std::string> out;
    std::istringstream in(sql);
    std::string line, current;
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
        current += line;
        current += '\n';
        auto last = line.find_last_not_of(" \t\r");
        if (line[last] == ';') {
            current.erase(current.find_last_of(';'));
            out.push_back(current);
            current.clear();
        }
    }
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
    return out;
}

} // namespace registry::store
