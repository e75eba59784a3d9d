#pragma once
// DIR/backup.json, the list of what a backup holds (docs/OPERATIONS.md, "Backups and restore"): the format,
// the program and schema versions, when and from which database it was made, the rows of every table, and
// every file with its size and SHA-256. It is written last, so a folder without it is an unfinished backup.

#include <Poco/Types.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace registry::store {

/// A backup or a restore refused before anything was written; the message is one line for the operator.
class BackupRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct BackupFile {
    std::string path; // relative to the backup folder, '/'-separated
    Poco::UInt64 bytes = 0;
    std::string sha256; // hex
};

struct BackupManifest {
    static constexpr int currentFormat = 1;
    static constexpr const char* fileName = "backup.json";
    static constexpr const char* databaseFile = "registry.db";
    static constexpr const char* attachmentsFolder = "attachments";

    int format = currentFormat;
    std::string programVersion;
    std::string backend = "sqlite";
    int schemaVersion = 0;
    std::string createdAt;                                 // RFC 3339 UTC
    std::string source;                                    // the database URL, redacted
    std::vector<std::pair<std::string, long long>> tables; // name and rows, by name
    std::vector<BackupFile> files;                         // the database first, then attachments
    /// Attachments the database names that were not in attachments.dir (or did not match their SHA-256)
    /// when the backup was made, so are not in it.
    std::vector<std::string> missingAttachments;

    long long rows() const;
    Poco::UInt64 bytes() const;

    std::string toJson() const;
    /// Reads a manifest; BackupRefused naming `where` when it is not one this program can read, or names a
    /// file outside the backup's layout (registry.db, attachments/<2 hex>/<sha256>).
    static BackupManifest parse(const std::string& json, const std::string& where);
};

/// The path of `relative` inside `folder`.
std::string pathIn(const std::string& folder, const std::string& relative);

/// Size and SHA-256 of the file at `path`, read as a stream; `relative` is the name kept in the manifest.
BackupFile describeFile(const std::string& path, const std::string& relative);

/// Copies `from` to `to` (created, or truncated), hashing the bytes on the way.
BackupFile copyFile(const std::string& from, const std::string& to, const std::string& relative);

/// Flushes `path` (a file or a folder) to disk; std::runtime_error when the system refuses.
void syncPath(const std::string& path);

} // namespace registry::store
