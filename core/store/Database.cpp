#include "store/Database.h"

#include "store/Errors.h"

#include "metrics/Metrics.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <exception>
#include <mutex>
#include <random>
#include <thread>

namespace registry::store {
namespace {

long long nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// A MySQL connection idle longer than this is pinged before use: the server may have restarted or
// dropped it (wait_timeout) in the meantime.
constexpr long long idlePingMs = 5000;

/// SQLite's multi-thread mode, without memory statistics: a pooled connection is used by one thread at a time (Database::Session),
/// which is all that mode asks; the default, serialized mode, also locks the connection's mutex on every
/// call, sqlite3_column_* included (5% of an audit's CPU). Takes effect only before SQLite's first use
/// in the process, as here, before the first connection opens; later it is refused and changes nothing.
void useMultiThreadMode() {
    static std::once_flag once;
    std::call_once(once, [] {
        sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
        // Memory statistics (sqlite3_memory_used, which nothing here reads) take one process-wide mutex on
        // every sqlite3_malloc and sqlite3_free: under 16 reading threads that mutex was the most contended
        // lock of the process (a perf profile of GET /api/v1/facilities/1, issue 14).
        sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    });
}

struct PoolMetrics {
    metrics::Gauge& connections;
    metrics::Gauge& inUse;
    metrics::Histogram& wait;
    metrics::Counter& timeouts;
    metrics::Counter& reconnects;
    metrics::Counter& commits;
    metrics::Counter& rollbacks;
};

PoolMetrics& poolMetrics() {
    auto& r = metrics::Registry::global();
    static PoolMetrics m{
        r.gauge("registry_db_pool_connections", "Database connections in the pool").with(),
        r.gauge("registry_db_pool_in_use", "Database connections lent out now").with(),
        r.histogram("registry_db_pool_wait_seconds", "Time a caller waited for a free database connection", {},
                    metrics::latencyBounds())
            .with(),
        r.counter("registry_db_pool_timeouts_total",
                  "Callers refused (503) because every database connection stayed busy")
            .with(),
        r.counter("registry_db_reconnects_total", "Database connections reopened after a failure or an idle time")
            .with(),
        r.counter("registry_db_commits_total", "Write transactions committed").with(),
        r.counter("registry_db_rollbacks_total", "Write transactions rolled back (a refusal, a conflict, a failure)")
            .with(),
    };
    return m;
}

} // namespace

Database::Database(const std::string& url, DatabaseOptions options)
    : _url(DatabaseUrl::parse(url)), _options(options), _suspect(std::max<std::size_t>(options.poolSize, 1)),
      _lastUsedMs(std::max<std::size_t>(options.poolSize, 1)) {
    _options.poolSize = std::max<std::size_t>(options.poolSize, 1);
    if (_url.backend == Backend::Sqlite) {
        useMultiThreadMode();
        // A new registry's folder (data/ by default) is made on first use, like the file itself.
        const Poco::Path parent = Poco::Path(_url.path).makeParent();
        try {
            if (!parent.toString().empty()) Poco::File(parent).createDirectories();
        } catch (const Poco::Exception& e) {
            throw Unavailable("cannot open database " + _url.redacted() + ": cannot create its folder: " +
                              e.displayText());
        }
    }
    _kept.resize(_options.poolSize);
    _pool = std::make_unique<soci::connection_pool>(_options.poolSize);
    for (std::size_t i = 0; i < _options.poolSize; ++i) {
        _suspect[i] = false;
        _lastUsedMs[i] = nowMs();
        openSession(_pool->at(i));
    }
    poolMetrics().connections.add(static_cast<double>(_options.poolSize));
}

Database::~Database() { poolMetrics().connections.add(-static_cast<double>(_options.poolSize)); }

void Database::openSession(soci::session& sql) {
    try {
        if (_url.backend == Backend::Sqlite) {
            sql.open(soci::sqlite3, _url.sociConnectString());
        } else {
            // A hung (not dead) server must not hold a worker thread forever: reads and writes time out too.
            sql.open(soci::mysql, _url.sociConnectString() + " connect_timeout=" +
                                      std::to_string(_options.connectTimeoutSec) + " read_timeout=" +
                                      std::to_string(_options.ioTimeoutSec) + " write_timeout=" +
                                      std::to_string(_options.ioTimeoutSec));
        }
        configureSession(sql);
    } catch (const soci::soci_error& e) {
        std::string reason = e.get_error_message();
        if (reason.empty()) reason = e.what();
        throw Unavailable("cannot open database " + _url.redacted() + ": " + reason);
    }
}

void Database::configureSession(soci::session& sql) {
    if (_url.backend == Backend::Sqlite) {
        // WAL lets readers run beside the one writer; synchronous=FULL makes a commit durable once
        // acknowledged, even on power loss.
        sql << "PRAGMA journal_mode=WAL";
        sql << "PRAGMA synchronous=FULL";
        sql << "PRAGMA foreign_keys=ON";
        sql << "PRAGMA busy_timeout=" + std::to_string(_options.busyTimeoutMs);
    } else {
        sql << "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci";
        sql << "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
               "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
        sql << "SET SESSION time_zone='+00:00'";
    }
}

bool Database::ping() {
    try {
        Session session(*this);
        int one = 0;
        session.sql() << "SELECT 1", soci::into(one);
        if (one != 1) return false;
        if (backend() != Backend::MySql) return true;
        // A Galera node outside the cluster's primary component answers SELECT 1 but refuses every query
        // that reads data (1047): it is not ready. Without Galera (wsrep_on OFF, or no such variable) the
        // server is.
        const auto value = [&](const char* table, const char* name) {
            std::string v;
            soci::indicator ind = soci::i_null;
            session.sql() << std::string("SELECT VARIABLE_VALUE FROM information_schema.") + table +
                                 " WHERE VARIABLE_NAME = '" + name + "'",
                soci::into(v, ind);
            return session.sql().got_data() && ind == soci::i_ok ? v : std::string();
        };
        if (value("GLOBAL_VARIABLES", "WSREP_ON") != "ON") return true;
        // Synced (4) only: a donor of a state transfer stalls its writes for as long as the copy takes (the
        // cluster test saw 50 s), so the balancer should send clients elsewhere meanwhile, as Galera's own
        // clustercheck does.
        return value("GLOBAL_STATUS", "WSREP_READY") == "ON" && value("GLOBAL_STATUS", "WSREP_LOCAL_STATE") == "4";
    } catch (...) {
        return false;
    }
}

bool Database::isTransient(const soci::soci_error& error) {
    if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
        const int code = sqlite->result() & 0xff; // primary result code
        return code == 5 /* SQLITE_BUSY */ || code == 6 /* SQLITE_LOCKED */;
    }
    if (const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error)) {
        switch (mysql->err_num_) {
        case 1040: // too many connections
        case 1047: // Galera: this node is not part of the cluster's primary component (yet, or any more)
        case 1053: // server shutdown in progress
        case 1205: // lock wait timeout
        case 1213: // deadlock victim
        case 1927: // connection killed
        case 2002: // cannot connect (socket)
        case 2003: // cannot connect (TCP)
        case 2006: // server has gone away
        case 2013: // lost connection during query
        case 2055: // lost connection (system error)
            return true;
        default: return false;
        }
    }
    return error.get_error_category() == soci::soci_error::connection_error;
}

bool Database::isConflict(const std::exception& error) {
    const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error);
    return mysql && mysql->err_num_ == 1213;
}

void detail::pauseAfterConflict(int attempt) {
    static metrics::Counter& retries =
        metrics::Registry::global()
            .counter("registry_db_conflict_retries_total",
                     "Transactions run again after losing to a concurrent one (a deadlock, or a Galera "
                     "certification failure)")
            .with();
    retries.add();
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<int> ms(5, 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(random) * attempt));
}

bool isTransient(const std::exception& error) {
    const auto* database = dynamic_cast<const soci::soci_error*>(&error);
    return database && Database::isTransient(*database);
}

long long Database::lastInsertId(soci::session& sql, const std::string& table) {
    long long id = 0;
    if (!sql.get_last_insert_id(table, id)) throw std::runtime_error("no insert id for " + table);
    return id;
}

Database::Session::Session(Database& db) : _db(db), _uncaught(std::uncaught_exceptions()) {
    auto& m = poolMetrics();
    const auto asked = std::chrono::steady_clock::now();
    const bool leased = db._pool->try_lease(_position, db._options.leaseTimeoutMs);
    m.wait.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
    if (!leased) {
        m.timeouts.add();
        throw Unavailable("all database connections are busy (" + db._url.redacted() + ")");
    }
    m.inUse.add(1);
    _sql = &db._pool->at(_position);
    const bool idle = db.backend() == Backend::MySql && nowMs() - db._lastUsedMs[_position] > idlePingMs;
    if (db._suspect[_position] || idle || !_sql->get_backend()) {
        try {
            db._kept[_position].clear(); // finalized while their connection is still open
            if (!_sql->get_backend()) {
                m.reconnects.add();
                db.openSession(*_sql);
            } else if (db.backend() == Backend::MySql && !_sql->is_connected()) {
                m.reconnects.add();
                _sql->close();
                db.openSession(*_sql);
            }
            db._suspect[_position] = false;
        } catch (...) {
            db._suspect[_position] = true;
            db._pool->give_back(_position);
            m.inUse.add(-1);
            throw;
        }
    }
}

Database::Session::~Session() {
    // Leaving by an exception: the connection may be broken; check it before its next use.
    if (std::uncaught_exceptions() > _uncaught) _db._suspect[_position] = true;
    _db._lastUsedMs[_position] = nowMs();
    _db._pool->give_back(_position);
    poolMetrics().inUse.add(-1);
}

KeptStatement Database::Session::keep(const std::string& text) {
    auto& cache = _db._kept[_position];
    auto found = cache.find(text);
    if (found == cache.end()) {
        auto statement = std::make_unique<soci::statement>(*_sql);
        statement->alloc();
        statement->prepare(text);
        found = cache.emplace(text, std::move(statement)).first;
    }
    return KeptStatement(cache, found, _db.backend() == Backend::Sqlite);
}

KeptStatement::~KeptStatement() {
    if (std::uncaught_exceptions() > _uncaught) {
        _cache.erase(_at); // its state after a failure is unknown: prepared afresh next time
        return;
    }
    try {
        if (_sqlite) { // as SOCI's own execute() does first: the statement ends its read, ready to run again
            auto* backend = static_cast<soci::sqlite3_statement_backend*>(_statement->get_backend());
            sqlite_api::sqlite3_reset(backend->stmt_);
            backend->databaseReady_ = true;
        }
        _statement->bind_clean_up();
    } catch (...) {
        _cache.erase(_at);
    }
}

Transaction::Transaction(Database::Session& session) : _session(session) {
    if (session.backend() == Backend::Sqlite) {
        Database& db = session.database();
        _writer = std::unique_lock<std::timed_mutex>(db._sqliteWriter, std::defer_lock);
        if (!_writer.try_lock_for(std::chrono::milliseconds(db._options.busyTimeoutMs)))
            throw Unavailable("the database is busy: another write did not finish within " +
                              std::to_string(db._options.busyTimeoutMs) + " ms");
        session.sql() << "BEGIN IMMEDIATE";
    } else {
        session.sql() << "START TRANSACTION";
    }
}

Transaction::~Transaction() {
    if (!_open) return;
    poolMetrics().rollbacks.add();
    try {
        _session.sql() << "ROLLBACK";
    } catch (...) {
        // The connection is gone; the server rolls the transaction back itself.
    }
}

void Transaction::commit() {
    _session.sql() << "COMMIT";
    _open = false;
    if (_writer.owns_lock()) _writer.unlock();
    _session.database()._commits.fetch_add(1, std::memory_order_release);
    poolMetrics().commits.add();
}

} // namespace registry::store
