#include "support/TestDatabase.h"

#include "store/Migrations.h"

#include <boost/test/unit_test.hpp>
#include <soci/mysql/soci-mysql.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <unistd.h>

namespace registry::test {

std::string testBackend() {
    const char* backend = std::getenv("REGISTRY_TEST_BACKEND");
    return backend && std::string(backend) == "mysql" ? "mysql" : "sqlite";
}

namespace {
std::string uniqueSuffix() {
    static std::atomic<int> counter{0};
    static const auto seed = std::random_device{}();
    return std::to_string(getpid()) + "_" + std::to_string(seed % 100000) + "_" + std::to_string(++counter);
}

std::string serverUrl() {
    const char* url = std::getenv("REGISTRY_TEST_MYSQL_URL");
    if (!url || !*url) {
        const char* require = std::getenv("REGISTRY_TEST_REQUIRE_MYSQL");
        if (require && std::string(require) == "1")
            BOOST_FAIL("REGISTRY_TEST_MYSQL_URL is not set but MariaDB is required (run scripts/test.sh)");
        throw std::runtime_error("REGISTRY_TEST_MYSQL_URL is not set: run the MySQL tests through scripts/test.sh");
    }
    return url;
}

void adminExecute(const std::string& statement) {
    auto parsed = store::DatabaseUrl::parse(serverUrl());
    parsed.database = "mysql";
    soci::session sql(soci::mysql, parsed.sociConnectString());
    sql << statement;
}
} // namespace

std::string freshDatabaseUrl(std::string& cleanupHandle) {
    if (testBackend() == "sqlite") {
        auto path = std::filesystem::temp_directory_path() / ("registry_test_" + uniqueSuffix() + ".db");
        cleanupHandle = path.string();
        return "sqlite3:" + path.string();
    }
    const std::string name = "rt_" + uniqueSuffix();
    adminExecute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    cleanupHandle = "mysql:" + name;
    auto parsed = store::DatabaseUrl::parse(serverUrl());
    const std::string base = serverUrl();
    return base.substr(0, base.rfind('/') + 1) + name;
}

void dropDatabase(const std::string& handle) {
    if (handle.rfind("mysql:", 0) == 0) {
        try {
            adminExecute("DROP DATABASE IF EXISTS " + handle.substr(6));
        } catch (...) {
        }
        return;
    }
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(handle + suffix, ec);
}

TestDatabase::TestDatabase() {
    _url = freshDatabaseUrl(_cleanup);
    store::DatabaseOptions options;
    options.poolSize = 4;
    _db = std::make_unique<store::Database>(_url, options);
    store::Migrator(*_db).migrate();
}

TestDatabase::~TestDatabase() {
    _db.reset();
    dropDatabase(_cleanup);
}

std::unique_ptr<store::Database> TestDatabase::openAnother(std::size_t poolSize) const {
    store::DatabaseOptions options;
    options.poolSize = poolSize;
    return std::make_unique<store::Database>(_url, options);
}

} // namespace registry::test
