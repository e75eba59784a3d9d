#pragma once
// Backups of a SQLite registry (`funeral-registry backup DIR`, `restore DIR`): the database copied by
// SQLite's online backup API (one consistent snapshot, taken while the server keeps reading and writing),
// then the attachment files (after the snapshot, so every file it names is there: they are written before
// the rows that name them), then DIR/backup.json last (BackupManifest): a folder without it is an
// unfinished backup, which restore refuses. MariaDB and MySQL are backed up by scripts/mariadb-backup.sh.

#include "store/BackupManifest.h"

#include <string>
#include <vector>

namespace registry::store {

/// Where a registry keeps its data: the database (db.url) and the attachment files (attachments.dir).
struct RegistryData {
    std::string dbUrl;
    std::string attachmentsDir;
};

struct BackupResult {
    BackupManifest manifest;
    /// Files of attachments.dir whose bytes do not match their name: left out of the backup.
    std::vector<std::string> damaged;
};

/// Writes a backup of `source` into `dir`, which must not exist or be empty. Throws BackupRefused (nothing
/// written) for a MySQL db.url, a database that does not exist, or a folder that is not empty; on any
/// other failure removes what it wrote and rethrows.
BackupResult backup(const RegistryData& source, const std::string& dir, const std::string& programVersion);

/// Reads dir/backup.json and checks that this program can restore it and that every file it lists is
/// there with its size and SHA-256. Throws BackupRefused naming the first problem; reads only.
BackupManifest checkBackup(const std::string& dir);

struct RestoreResult {
    BackupManifest manifest;
    std::size_t attachmentsAdded = 0; // files that were not in attachments.dir yet
};

/// Restores the backup in `dir` into `target`, after checkBackup and after checking that the target
/// database is not open in another process (a running server) and holds no records (any database
/// without `replace`); a refusal (BackupRefused) writes nothing. Attachment files missing from
/// attachments.dir are added first, each written whole (AttachmentFiles::put); then the database is
/// copied to a temporary file beside the target, checked, and renamed over it. The caller migrates the
/// restored database when the backup's schema is older than the program's.
RestoreResult restore(const std::string& dir, const RegistryData& target, bool replace);

} // namespace registry::store
