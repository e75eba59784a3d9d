#include "store/Backup.h"

#include "domain/Dates.h"
#include "store/AttachmentFiles.h"
#include "store/Database.h"
#include "store/Migrations.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <regex>
#include <set>
#include <unistd.h>

namespace registry::store {

namespace {

/// The tables a freshly migrated database already fills (reference data, counters): rows there are
/// nobody's records, so a restore may go over them without --replace. Read from the migrations' own
/// INSERT statements, so that a new migration's reference data counts as such without a change here.
std::set<std::string> tablesMigrationsFill() {
    std::set<std::string> tables{"schema_migrations"};
    static const std::regex insert("INSERT\\s+INTO\\s+([A-Za-z_]+)", std::regex::icase);
    for (const auto& m : embeddedMigrations()) {
        if (std::string(m.backend) != "sqlite") continue;
        const std::string sql = m.sql;
        for (std::sregex_iterator it(sql.begin(), sql.end(), insert), end; it != end; ++it)
            tables.insert((*it)[1]);
    }
    return tables;
}

std::string mariaDbHint(const std::string& verb) {
    return "db.url names a MariaDB/MySQL database: " +
           std::string(verb == "backup" ? "back it up" : "restore it") + " with scripts/mariadb-backup.sh " +
           verb + " DIR (docs/OPERATIONS.md, Backups and restore); " + "funeral-registry " + verb +
           " is for SQLite";
}

DatabaseUrl sqliteUrl(const std::string& url, const std::string& verb) {
    DatabaseUrl parsed = DatabaseUrl::parse(url);
    if (parsed.backend != Backend::Sqlite) throw BackupRefused(mariaDbHint(verb));
    return parsed;
}

/// A SOCI session on the SQLite file at `path` (created when missing), without the server's settings.
std::unique_ptr<soci::session> openFile(const std::string& path) {
    DatabaseUrl url;
    url.path = path;
    return std::make_unique<soci::session>(soci::sqlite3, url.sociConnectString());
}

sqlite_api::sqlite3* handleOf(soci::session& sql) {
    return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

/// Copies the database of `from` into that of `to` with SQLite's online backup API.
void snapshot(soci::session& from, soci::session& to) {
    sqlite_api::sqlite3* dest = handleOf(to);
    sqlite_api::sqlite3_backup* copy = sqlite_api::sqlite3_backup_init(dest, "main", handleOf(from), "main");
    if (!copy)
        throw std::runtime_error(std::string("cannot start the backup: ") + sqlite_api::sqlite3_errmsg(dest));
    // All pages in one step: one read transaction on the source, so the copy is one consistent snapshot;
    // in WAL mode a reader does not hold up the server's writers. (Steps of a few pages would start over
    // whenever another connection writes in between, and might never end on a busy server.)
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 200; ++attempt) {
        rc = sqlite_api::sqlite3_backup_step(copy, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite_api::sqlite3_sleep(50);
    }
    sqlite_api::sqlite3_backup_finish(copy);
    if (rc != SQLITE_DONE)
        throw std::runtime_error(std::string("the database backup failed: ") +
                                 sqlite_api::sqlite3_errstr(rc));
}

/// PRAGMA integrity_check; std::runtime_error with its first complaint unless the database is sound.
void requireIntact(soci::session& sql, const std::string& what) {
    soci::rowset<std::string> rows = (sql.prepare << "PRAGMA integrity_check");
    for (const auto& row : rows)
        if (row != "ok") throw std::runtime_error(what + " fails SQLite's integrity check: " + row);
}

std::vector<std::string> tableNames(soci::session& sql) {
    std::vector<std::string> names;
    soci::rowset<std::string> rows =
        (sql.prepare
         << "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    for (const auto& name : rows)
        names.push_back(name);
    return names;
}

std::string quotedName(const std::string& table) {
    return "\"" + table + "\"";
}

bool hasTable(const std::vector<std::string>& tables, const std::string& name) {
    return std::find(tables.begin(), tables.end(), name) != tables.end();
}

/// The contents named by the attachments' rows.
std::set<std::string> namedAttachments(soci::session& sql, const std::vector<std::string>& tables) {
    std::set<std::string> named;
    if (!hasTable(tables, "attachments")) return named;
    soci::rowset<std::string> rows = (sql.prepare << "SELECT DISTINCT sha256 FROM attachments");
    for (const auto& sha : rows)
        named.insert(sha);
    return named;
}

/// The content files under an attachments folder (<2 hex>/<sha256>), without temporary files.
std::vector<std::string> contentFiles(const std::string& folder) {
    std::vector<std::string> names;
    if (!Poco::File(folder).exists()) return names;
    for (Poco::DirectoryIterator sub(folder), end; sub != end; ++sub) {
        if (sub.name().size() != 2 || !sub->isDirectory()) continue;
        for (Poco::DirectoryIterator file(sub->path()), none; file != none; ++file)
            if (AttachmentFiles::isContentName(file.name()) && file.name().compare(0, 2, sub.name()) == 0 &&
                file->isFile())
                names.push_back(file.name());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string relativeAttachment(const std::string& sha) {
    return std::string(BackupManifest::attachmentsFolder) + "/" + sha.substr(0, 2) + "/" + sha;
}

/// Refuses a backup folder that holds anything; returns whether it had to be created.
bool prepareFolder(const std::string& dir) {
    Poco::File folder(dir);
    if (folder.exists()) {
        if (!folder.isDirectory()) throw BackupRefused(dir + " exists and is not a folder");
        if (Poco::DirectoryIterator(dir) != Poco::DirectoryIterator())
            throw BackupRefused(dir + " is not empty: a backup goes into a new or empty folder");
        return false;
    }
    try {
        folder.createDirectories();
    } catch (const Poco::Exception& e) {
        throw BackupRefused("cannot create " + dir + ": " + e.displayText());
    }
    return true;
}

/// What a backup wrote, removed again unless it finished: a failed backup leaves its folder as it found it.
class PartialBackup {
public:
    PartialBackup(std::string dir, bool created) : _dir(std::move(dir)), _created(created) {}
    ~PartialBackup() {
        if (_done) return;
        for (const char* name : {BackupManifest::databaseFile, "registry.db-journal", ".backup.json.part",
                                 BackupManifest::attachmentsFolder}) {
            try {
                Poco::File(pathIn(_dir, name)).remove(true);
            } catch (...) {
                // Not there (the failure came before it), or not removable: nothing more to do.
            }
        }
        if (_created) ::rmdir(_dir.c_str());
    }
    void done() { _done = true; }

private:
    std::string _dir;
    bool _created;
    bool _done = false;
};

/// Writes `text` to `path` whole: a temporary file beside it, synced, then renamed.
void writeWhole(const std::string& path, const std::string& temp, const std::string& text) {
    {
        Poco::FileOutputStream out(temp);
        out << text;
        out.close();
        if (!out.good()) throw std::runtime_error("cannot write " + temp);
    }
    syncPath(temp);
    Poco::File(temp).renameTo(path);
}

/// Copies the snapshot's database into `into` and fills in what the manifest says of it.
void copyDatabase(const DatabaseUrl& source, const std::string& into, BackupManifest& manifest,
                  std::set<std::string>& named) {
    DatabaseOptions options;
    options.poolSize = 1;
    Database db(source.redacted(), options); // an SQLite URL carries no password
    {
        auto copy = openFile(into);
        {
            Database::Session session(db);
            snapshot(session.sql(), *copy);
        }
        // One self-contained file: the copy leaves WAL mode (the server turns it on again when it opens it).
        *copy << "PRAGMA journal_mode=DELETE";
        requireIntact(*copy, "the copy of the database");
        manifest.schemaVersion = schemaVersionOf(*copy);
        const auto tables = tableNames(*copy);
        for (const auto& table : tables) {
            long long rows = 0;
            *copy << "SELECT COUNT(*) FROM " + quotedName(table), soci::into(rows);
            manifest.tables.emplace_back(table, rows);
        }
        named = namedAttachments(*copy, tables);
    }
    syncPath(into);
    manifest.files.push_back(describeFile(into, BackupManifest::databaseFile));
}

} // namespace

BackupResult backup(const RegistryData& source, const std::string& dir, const std::string& programVersion) {
    const DatabaseUrl url = sqliteUrl(source.dbUrl, "backup");
    if (!Poco::File(url.path).exists()) throw BackupRefused("database " + url.redacted() + " does not exist");
    PartialBackup partial(dir, prepareFolder(dir));

    BackupResult result;
    BackupManifest& manifest = result.manifest;
    manifest.programVersion = programVersion;
    manifest.source = url.redacted();
    manifest.createdAt = domain::nowTimestamp();
    std::set<std::string> named;
    copyDatabase(url, pathIn(dir, BackupManifest::databaseFile), manifest, named);

    // The files after the snapshot: each row of it was committed after its file was written, so every
    // file it names is there now (unless the folder lost it before). Files newer than the snapshot come
    // along too; no row of the backup names them, which is harmless.
    const AttachmentFiles live(source.attachmentsDir);
    std::set<std::string> copied;
    for (const auto& sha : contentFiles(source.attachmentsDir)) {
        const std::string relative = relativeAttachment(sha);
        const std::string to = pathIn(dir, relative);
        Poco::File(Poco::Path(to).parent()).createDirectories();
        const BackupFile file = copyFile(live.pathOf(sha), to, relative);
        if (file.sha256 != sha) { // a damaged file is not evidence: it is not restored either
            Poco::File(to).remove();
            result.damaged.push_back(live.pathOf(sha));
            continue;
        }
        manifest.files.push_back(file);
        copied.insert(sha);
    }
    for (const auto& sha : named)
        if (!copied.count(sha)) manifest.missingAttachments.push_back(sha);

    // Everything on disk before the manifest that says it is complete, and the manifest itself after.
    for (const auto& file : manifest.files)
        if (file.path != BackupManifest::databaseFile) syncPath(pathIn(dir, file.path));
    if (Poco::File(pathIn(dir, BackupManifest::attachmentsFolder)).exists()) {
        for (Poco::DirectoryIterator sub(pathIn(dir, BackupManifest::attachmentsFolder)), end; sub != end;
             ++sub)
            syncPath(sub->path());
        syncPath(pathIn(dir, BackupManifest::attachmentsFolder));
    }
    writeWhole(pathIn(dir, BackupManifest::fileName), pathIn(dir, ".backup.json.part"), manifest.toJson());
    syncPath(dir);
    partial.done();
    return result;
}

BackupManifest checkBackup(const std::string& dir) {
    if (!Poco::File(dir).exists()) throw BackupRefused(dir + " does not exist");
    const std::string manifestPath = pathIn(dir, BackupManifest::fileName);
    if (!Poco::File(manifestPath).exists())
        throw BackupRefused(dir + " is not a finished backup: it has no " + BackupManifest::fileName +
                            " (an interrupted backup, or not a backup folder)");
    std::string json;
    {
        Poco::FileInputStream in(manifestPath);
        Poco::StreamCopier::copyToString(in, json);
    }
    BackupManifest manifest = BackupManifest::parse(json, manifestPath);
    if (manifest.backend != "sqlite")
        throw BackupRefused(dir + " is a backup of a " + manifest.backend +
                            " database: restore it with scripts/mariadb-backup.sh restore DIR");
    const int latest = Migrator::latestVersion(Backend::Sqlite);
    if (manifest.schemaVersion > latest)
        throw BackupRefused(dir + " holds schema version " + std::to_string(manifest.schemaVersion) +
                            ", newer than this program knows (" + std::to_string(latest) +
                            "): restore it with a newer funeral-registry");
    for (const auto& file : manifest.files) {
        const std::string path = pathIn(dir, file.path);
        if (!Poco::File(path).exists())
            throw BackupRefused(dir + " is damaged: " + file.path + " is missing");
        const BackupFile found = describeFile(path, file.path);
        if (found.bytes != file.bytes || found.sha256 != file.sha256)
            throw BackupRefused(dir + " is damaged: " + file.path +
                                " does not match its size and SHA-256 in " + BackupManifest::fileName);
    }
    return manifest;
}

namespace {

/// Refuses a target database that another process has open (a running server) or, unless `replace`,
/// one that holds records. Closing the check's connection folds the target's WAL into it and removes it.
void checkTarget(const DatabaseUrl& target, bool replace) {
    if (!Poco::File(target.path).exists()) return;
    const std::string replaceHint = " (restore --replace overwrites it)";
    std::vector<std::string> tables;
    auto sql = openFile(target.path);
    try {
        *sql << "PRAGMA busy_timeout=0";
        // Exclusive locking: the first read needs the whole file, which a connection of another process
        // (even an idle one: in WAL mode each holds a shared lock once it has read) keeps it from getting.
        *sql << "PRAGMA locking_mode=EXCLUSIVE";
        tables = tableNames(*sql);
    } catch (const soci::sqlite3_soci_error& e) {
        const int code = e.result() & 0xff;
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            throw BackupRefused("database " + target.redacted() +
                                " is in use by another process: stop the server before restoring");
        const bool notADatabase = code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
        if (replace && notADatabase) return;
        throw BackupRefused("database " + target.redacted() + " cannot be read (" + e.get_error_message() +
                            ")" + (notADatabase ? replaceHint : std::string()));
    }
    if (replace) return;
    const auto filled = tablesMigrationsFill();
    for (const auto& table : tables) {
        if (filled.count(table)) continue;
        long long any = 0;
        *sql << "SELECT COUNT(*) FROM (SELECT 1 FROM " + quotedName(table) + " LIMIT 1) t", soci::into(any);
        if (any > 0)
            throw BackupRefused("database " + target.redacted() + " already holds records (table " + table +
                                ")" + replaceHint);
    }
}

void restoreAttachments(const std::string& dir, const BackupManifest& manifest, const std::string& into,
                        RestoreResult& result) {
    const AttachmentFiles from(pathIn(dir, BackupManifest::attachmentsFolder));
    const AttachmentFiles to(into);
    for (const auto& file : manifest.files) {
        if (file.path == BackupManifest::databaseFile || to.has(file.sha256)) continue;
        to.put(file.sha256, from.read(file.sha256));
        ++result.attachmentsAdded;
    }
}

void restoreDatabase(const std::string& dir, const DatabaseUrl& target) {
    const Poco::Path targetPath(target.path);
    const std::string folder = targetPath.parent().toString();
    if (!folder.empty()) Poco::File(folder).createDirectories();
    const std::string temp =
        Poco::Path(targetPath.parent())
            .setFileName("." + targetPath.getFileName() + ".restore-" +
                         Poco::UUIDGenerator::defaultGenerator().createRandom().toString())
            .toString();
    try {
        copyFile(pathIn(dir, BackupManifest::databaseFile), temp, BackupManifest::databaseFile);
        syncPath(temp);
        requireIntact(*openFile(temp), "the restored database");
        // A WAL of the file being replaced would be read into the new one: checkTarget folded it in and
        // removed it; anything left is stale.
        for (const char* suffix : {"-wal", "-shm", "-journal"})
            ::unlink((target.path + suffix).c_str());
        if (std::rename(temp.c_str(), target.path.c_str()) != 0)
            throw std::runtime_error("cannot rename " + temp + " to " + target.path);
        syncPath(folder.empty() ? "." : folder);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
}

} // namespace

RestoreResult restore(const std::string& dir, const RegistryData& target, bool replace) {
    const DatabaseUrl url = sqliteUrl(target.dbUrl, "restore");
    RestoreResult result;
    result.manifest = checkBackup(dir);
    checkTarget(url, replace);
    // The files first: once the database is in place, every file it names is there.
    restoreAttachments(dir, result.manifest, target.attachmentsDir, result);
    restoreDatabase(dir, url);
    return result;
}

} // namespace registry::store
