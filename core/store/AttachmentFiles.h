#pragma once
// The bytes of attachments, outside the database rows: one file per distinct content under
// attachments.dir, at <dir>/<first two hex digits>/<sha256>. The same folder serves SQLite and MariaDB
// (with several server instances it is shared storage: docs/OPERATIONS.md). A file is written whole or not
// at all (a temporary file, fsync, rename, fsync of the folder), before the row that names it commits, so
// nothing acknowledged points at a file that is not there.

#include <cstddef>
#include <string>

namespace registry::store {

struct AttachmentSettings {
    std::string dir = "data/attachments"; // attachments.dir
    std::size_t maxBytes = 10 * 1024 * 1024; // attachments.max_mb
};

class AttachmentFiles {
public:
    explicit AttachmentFiles(std::string dir) : _dir(std::move(dir)) {}

    /// The hex SHA-256 of `content`.
    static std::string sha256(const std::string& content);
    /// True when `name` is a file name of this folder: a SHA-256 in lower-case hex.
    static bool isContentName(const std::string& name);

    /// Stores `content` (known by `sha256`) durably; nothing is written when the file is there already.
    /// Throws std::runtime_error when the folder cannot be written.
    void put(const std::string& sha256, const std::string& content) const;
    /// The stored content; std::runtime_error when it is missing or does not match its name.
    std::string read(const std::string& sha256) const;
    bool has(const std::string& sha256) const;
    /// Removes the file (an upload no row names any more).
    void remove(const std::string& sha256) const;
    std::string pathOf(const std::string& sha256) const;

private:
    std::string _dir;
};

} // namespace registry::store
