#pragma once
// A fresh, migrated database for one test, on the backend the test run is for: REGISTRY_TEST_BACKEND is
// "sqlite" (a new file under the system temp folder) or "mysql" (a new database on the server named by
// REGISTRY_TEST_MYSQL_URL, dropped afterwards). With REGISTRY_TEST_REQUIRE_MYSQL=1 a missing server fails
// the test instead of skipping it.

#include "store/Database.h"

#include <memory>
#include <string>

namespace registry::test {

/// "sqlite" or "mysql".
std::string testBackend();

class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    store::Database& db() { return *_db; }
    const std::string& url() const { return _url; }
    /// Opens a second, independent Database on the same data (another "server instance").
    std::unique_ptr<store::Database> openAnother(std::size_t poolSize = 4) const;

private:
    std::string _url;
    std::string _cleanup; // file to delete or database to drop
    std::unique_ptr<store::Database> _db;
};

/// A URL for a new, empty database on the test backend (not migrated); dropped by the caller's cleanup
/// through dropDatabase.
std::string freshDatabaseUrl(std::string& cleanupHandle);
void dropDatabase(const std::string& cleanupHandle);

} // namespace registry::test
