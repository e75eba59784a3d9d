#pragma once
// Schema migrations: sql/<backend>/NNNN_name.sql, the same numbers in every backend, compiled into the
// binary. Each runs in a transaction and is recorded in schema_migrations. (MySQL commits DDL implicitly,
// so there a failed migration can leave part of its DDL; the files use plain statements so the error
// names the one that failed, and the version is recorded only when all succeeded.)

#include "store/Database.h"

#include <string>
#include <vector>

namespace registry::store {

struct EmbeddedMigration {
    const char* backend; // "sqlite" or "mysql"
    int version;
    const char* name;
    const char* sql;
};

/// Every embedded migration of every backend, in file order.
const std::vector<EmbeddedMigration>& embeddedMigrations();

struct MigrationReport {
    int fromVersion = 0;
    int toVersion = 0;
    std::vector<std::string> applied; // "0001_initial", ...
};

class Migrator {
public:
    explicit Migrator(Database& db);

    /// The newest version this program knows for the database's backend.
    int latestVersion() const;
    static int latestVersion(Backend backend);

    /// The version the database is at (0 for an empty database); creates nothing.
    int currentVersion();

    /// Applies every migration newer than the database's version. Throws SchemaMismatch when the
    /// database is newer than this program; a failing migration is rolled back and rethrown with its name.
    MigrationReport migrate();

    /// Throws SchemaMismatch unless the database is exactly at latestVersion().
    void requireCurrent();

private:
    std::vector<const EmbeddedMigration*> forBackend() const;
    Database& _db;
};

/// The schema version of the database `sql` is connected to (0 when it has no schema_migrations); reads
/// without creating anything.
int schemaVersionOf(soci::session& sql);

/// Splits a migration file into statements: a statement ends with a line whose last character is ';'.
/// Lines that are only '--' comments are dropped.
std::vector<std::string> splitStatements(const std::string& sql);

} // namespace registry::store
