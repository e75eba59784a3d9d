#pragma once
// The `db.url` setting: `sqlite3:PATH` (embedded) or `mysql://USER:PASS@HOST:PORT/DB` (MariaDB / MySQL).

#include <stdexcept>
#include <string>

namespace registry::store {

enum class Backend { Sqlite, MySql };

struct DatabaseUrl {
    Backend backend = Backend::Sqlite;
    std::string path; // SQLite file
    std::string user, password, host = "127.0.0.1", database;
    int port = 3306;

    /// Throws std::invalid_argument with a message that says what is wrong (never echoing the password).
    static DatabaseUrl parse(const std::string& url);

    /// The URL as it may be shown to people and logs: the password replaced by "***".
    std::string redacted() const;

    /// SOCI's connection string for this URL.
    std::string sociConnectString() const;
};

} // namespace registry::store
