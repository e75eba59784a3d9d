#pragma once
// The one owner of database connections: a SOCI connection pool for the backend that `db.url` names,
// opened with the settings that make an acknowledged write durable (SQLite: WAL, synchronous=FULL,
// foreign keys, busy timeout; MySQL: InnoDB, utf8mb4, strict SQL mode).

#include "store/DatabaseUrl.h"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace registry::store {

struct DatabaseOptions {
    std::size_t poolSize = 8;
    int busyTimeoutMs = 10000;   // SQLite: how long a writer waits for another
    int leaseTimeoutMs = 10000;  // how long a caller waits for a free connection before Unavailable
    int connectTimeoutSec = 5;   // MySQL: seconds to connect
    int ioTimeoutSec = 120;      // MySQL: seconds one read or write on the connection may take
};

/// A statement kept prepared on one pooled connection and reused (as stellar-core keeps its statements):
/// preparing a point query costs SQLite more than running it (a perf profile of GET
/// /api/v1/facilities/1 put a quarter of the server's time in sqlite3_prepare_v2). Each use binds its own
/// exchanges (into, use), then define_and_bind(), execute(), fetch(); on destruction the statement is reset
/// (on SQLite a statement not stepped to its end keeps its read transaction, and so an old snapshot, open),
/// the exchanges are unbound, and the prepared statement stays for the connection's next use. Leaving by an exception
/// discards the statement instead. Keep only queries whose text is fixed (not built from values), so that
/// a connection keeps a bounded number of them.
class KeptStatement {
public:
    ~KeptStatement();
    KeptStatement(const KeptStatement&) = delete;
    KeptStatement& operator=(const KeptStatement&) = delete;
    soci::statement& operator*() { return *_statement; }
    soci::statement* operator->() { return _statement; }

private:
    friend class Database;
    using Cache = std::unordered_map<std::string, std::unique_ptr<soci::statement>>;
    KeptStatement(Cache& cache, Cache::iterator at, bool sqlite)
        : _cache(cache), _at(at), _statement(at->second.get()), _uncaught(std::uncaught_exceptions()),
          _sqlite(sqlite) {}
    Cache& _cache;
    Cache::iterator _at;
    soci::statement* _statement;
    int _uncaught;
    bool _sqlite;
};

namespace detail {
/// A random 5–20 ms times the attempt: the conflicting writers then do not meet again at once.
void pauseAfterConflict(int attempt);
} // namespace detail

class Database {
public:
    /// Opens every connection of the pool. Throws Unavailable with one line naming the URL (without its
    /// password) when the database cannot be opened or reached; std::invalid_argument for a bad URL.
    explicit Database(const std::string& url, DatabaseOptions options = {});
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Backend backend() const { return _url.backend; }
    const DatabaseUrl& url() const { return _url; }

    /// True when a trivial query answers now (for /readyz); never throws.
    bool ping();

    /// Write transactions this process has committed so far: a cache of what the data says (the
    /// dashboard's counts) is stale once this moves on. Writes by other processes are not counted.
    std::uint64_t commits() const { return _commits.load(std::memory_order_acquire); }

    /// A connection borrowed from the pool for the lifetime of this object. A connection that failed is
    /// checked and reconnected the next time it is borrowed, so service resumes after a database restart.
    class Session {
    public:
        explicit Session(Database& db);
        ~Session();
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;
        soci::session& operator*() { return *_sql; }
        soci::session* operator->() { return _sql; }
        soci::session& sql() { return *_sql; }
        Backend backend() const { return _db.backend(); }
        Database& database() { return _db; }
        /// The statement `text`, prepared on this connection the first time and kept (see KeptStatement).
        KeptStatement keep(const std::string& text);

    private:
        Database& _db;
        std::size_t _position;
        soci::session* _sql;
        int _uncaught;
    };

    /// True for errors that say "not now" rather than "not this": the database cannot be reached, is busy
    /// or locked past the timeout, or chose this transaction as a deadlock victim. Nothing was written;
    /// the same request may succeed when retried.
    static bool isTransient(const soci::soci_error& error);

    /// True for a transaction the database rolled back because it lost to a concurrent one: a deadlock
    /// victim on one server, or in a Galera cluster a write set that failed certification against a write
    /// committed first on another node (both MySQL error 1213). Nothing of it was written; running the same
    /// transaction again is safe and usually succeeds.
    static bool isConflict(const std::exception& error);

    /// The id of the row the session inserted last.
    static long long lastInsertId(soci::session& sql, const std::string& table);

private:
    friend class Session;
    friend class Transaction;
    void openSession(soci::session& sql);
    void configureSession(soci::session& sql);

    DatabaseUrl _url;
    DatabaseOptions _options;
    std::unique_ptr<soci::connection_pool> _pool;
    std::vector<std::atomic<bool>> _suspect; // per pool slot: check before next use
    std::vector<std::atomic<long long>> _lastUsedMs;
    std::atomic<std::uint64_t> _commits{0};
    std::timed_mutex _sqliteWriter; // see Transaction
    // Per pool slot, the statements kept on that connection (used only by the session holding the slot);
    // declared after _pool, so destroyed (finalized) before the connections close.
    std::vector<KeptStatement::Cache> _kept;
};

/// A write transaction on a borrowed session. SQLite takes the write lock up front (BEGIN IMMEDIATE) so
/// that two writers queue on the busy timeout instead of failing on a lock upgrade. Rolls back unless
/// committed.
///
/// On SQLite the writers of this process also queue on a mutex before BEGIN: SQLite's busy handler makes
/// a waiting writer sleep in growing steps (up to 100 ms) and retry, so under concurrent writes the lock
/// sat idle while waiters slept (p99 about a second at 8 writers); the mutex hands it on at once. A writer
/// that waits longer than the busy timeout gets Unavailable, as it would from SQLite. Never open a
/// Transaction while this thread holds another one (SQLite never allowed that either: it waited out the
/// busy timeout).
class Transaction {
public:
    explicit Transaction(Database::Session& session);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database::Session& _session;
    std::unique_lock<std::timed_mutex> _writer; // SQLite only
    bool _open = true;
};

/// Runs `body` (which borrows its own Session and opens its own Transaction), and runs it again while it
/// fails with a conflict (Database::isConflict), up to `attempts` times in all with a short random pause
/// between, so that two instances writing the same rows on different cluster nodes both succeed instead
/// of one getting a 503. Every other error, and the last conflict, goes to the caller. Never call it from
/// inside a transaction: only a whole transaction can be run again.
template <class Body>
auto retryConflicts(Body&& body, int attempts = 4) -> decltype(body()) {
    for (int attempt = 1;; ++attempt) {
        try {
            return body();
        } catch (const std::exception& e) {
            if (attempt >= attempts || !Database::isConflict(e)) throw;
            detail::pauseAfterConflict(attempt);
        }
    }
}

} // namespace registry::store
