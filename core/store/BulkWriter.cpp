#include "store/BulkWriter.h"

#include "store/Errors.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <deque>
#include <stdexcept>

namespace registry::store {

std::vector<BulkColumn> priceRecordColumns() {
    return {{"id", ColumnType::Integer},         {"facility_id", ColumnType::Integer}, {"item", ColumnType::Text},
            {"amount_fen", ColumnType::Integer}, {"unit", ColumnType::Text},          {"effective_from", ColumnType::Text},
            {"effective_to", ColumnType::Text},  {"displayed", ColumnType::Integer},  {"bundled", ColumnType::Integer},
            {"area_m2", ColumnType::Real},       {"term_years", ColumnType::Integer}, {"source", ColumnType::Text},
            {"note", ColumnType::Text},          {"superseded_by", ColumnType::Integer},
            {"recorded_by", ColumnType::Text},   {"created_at", ColumnType::Text},    {"version", ColumnType::Integer}};
}

BulkStrategy parseBulkStrategy(const std::string& text) {
    if (text == "auto") return BulkStrategy::Auto;
    if (text == "soci") return BulkStrategy::Soci;
    if (text == "connector") return BulkStrategy::Connector;
    throw std::invalid_argument("must be auto, soci or connector (got '" + text + "')");
}

BulkWriter::~BulkWriter() = default;

void BulkWriter::setTable(const std::string& table, std::vector<BulkColumn> columns) {
    flush();
    _table = table;
    _columns = std::move(columns);
}

void BulkWriter::addRow(std::vector<BulkValue> row) {
    if (row.size() != _columns.size())
        throw std::invalid_argument("bulk row for " + _table + " has " + std::to_string(row.size()) +
                                    " cells, expected " + std::to_string(_columns.size()));
    _pending.push_back(std::move(row));
    if (_pending.size() >= _batchRows) flush();
}

void BulkWriter::flush() {
    if (_pending.empty()) return;
    writeBatch(_pending);
    _rowsWritten += _pending.size();
    _pending.clear();
}

void BulkWriter::commit() {
    flush();
    commitTransaction();
}

std::string BulkWriter::insertPrefix() const {
    std::string s = "INSERT INTO " + _table + " (";
    for (std::size_t c = 0; c < _columns.size(); ++c) s += (c ? ", " : "") + _columns[c].name;
    return s + ") VALUES ";
}

std::string BulkWriter::placeholders(std::size_t rows, bool named) const {
    std::string s;
    for (std::size_t r = 0; r < rows; ++r) {
        s += r ? ",(" : "(";
        for (std::size_t c = 0; c < _columns.size(); ++c) {
            if (c) s += ',';
            s += named ? ":v" + std::to_string(r * _columns.size() + c) : "?";
        }
        s += ')';
    }
    return s;
}

namespace {

// SOCI: one prepared statement per batch size, bound once to cell buffers that each batch refills.
class SociBulkWriter : public BulkWriter {
public:
    SociBulkWriter(Database& db, std::size_t batchRows) : BulkWriter(batchRows), _session(db), _tx(_session) {}

    std::string name() const override { return "soci"; }

    void execute(const std::string& statement) override {
        flush();
        _session.sql() << statement;
    }

    long long maxId(const std::string& table) override {
        flush();
        long long id = 0;
        soci::indicator ind;
        _session.sql() << "SELECT MAX(id) FROM " + table, soci::into(id, ind);
        return ind == soci::i_ok ? id : 0;
    }

    long long lockMaxId(const std::string& table) override {
        flush();
        long long id = maxId(table);
        if (_session.backend() == Backend::MySql) {
            // As in the Connector writer: lock the end of the index so that ids above are ours.
            std::vector<long long> ids(1000);
            soci::statement st = (_session.sql().prepare << "SELECT id FROM " + table + " WHERE id >= " +
                                                                std::to_string(id) + " ORDER BY id FOR UPDATE",
                                  soci::into(ids));
            st.execute();
            while (st.fetch())
                for (auto v : ids) id = std::max(id, v);
        }
        return id;
    }

protected:
    void writeBatch(const std::vector<std::vector<BulkValue>>& rows) override {
        Prepared& p = prepared(rows.size());
        const std::size_t width = _columns.size();
        for (std::size_t r = 0; r < rows.size(); ++r)
            for (std::size_t c = 0; c < width; ++c) {
                const std::size_t k = r * width + c;
                const BulkValue& v = rows[r][c];
                p.ind[k] = std::holds_alternative<std::monostate>(v) ? soci::i_null : soci::i_ok;
                switch (_columns[c].type) {
                case ColumnType::Integer:
                    p.ints[k] = std::holds_alternative<long long>(v) ? std::get<long long>(v) : 0;
                    break;
                case ColumnType::Real:
                    p.reals[k] = std::holds_alternative<double>(v)      ? std::get<double>(v)
                                 : std::holds_alternative<long long>(v) ? static_cast<double>(std::get<long long>(v))
                                                                        : 0.0;
                    break;
                case ColumnType::Text:
                    if (std::holds_alternative<std::string>(v))
                        p.texts[k] = std::get<std::string>(v);
                    else
                        p.texts[k].clear();
                    break;
                }
            }
        p.statement->execute(true);
    }

    void commitTransaction() override { _tx.commit(); }

private:
    struct Prepared {
        std::string table;
        std::size_t rows = 0;
        std::deque<long long> ints;
        std::deque<double> reals;
        std::deque<std::string> texts;
        std::deque<soci::indicator> ind;
        std::unique_ptr<soci::statement> statement;
    };

    Prepared& prepared(std::size_t rows) {
        for (auto& p : _prepared)
            if (p.table == _table && p.rows == rows) return p;
        if (_prepared.size() > 8) _prepared.pop_front();
        _prepared.emplace_back();
        Prepared& p = _prepared.back();
        p.table = _table;
        p.rows = rows;
        const std::size_t cells = rows * _columns.size();
        p.ints.resize(cells);
        p.reals.resize(cells);
        p.texts.resize(cells);
        p.ind.resize(cells);
        p.statement = std::make_unique<soci::statement>(_session.sql());
        p.statement->alloc();
        p.statement->prepare(insertPrefix() + placeholders(rows, true));
        // Bound by position: binding thousands of parameters by name makes SQLite look each name up in a
        // linear list on every execution (quadratic in the batch size).
        for (std::size_t k = 0; k < cells; ++k) {
            switch (_columns[k % _columns.size()].type) {
            case ColumnType::Integer: p.statement->exchange(soci::use(p.ints[k], p.ind[k])); break;
            case ColumnType::Real: p.statement->exchange(soci::use(p.reals[k], p.ind[k])); break;
            case ColumnType::Text: p.statement->exchange(soci::use(p.texts[k], p.ind[k])); break;
            }
        }
        p.statement->define_and_bind();
        return p;
    }

    Database::Session _session;
    Transaction _tx;
    std::deque<Prepared> _prepared;
};

// MySQL Connector/C++: server-side prepared statements (binary protocol), no text substitution.
class ConnectorBulkWriter : public BulkWriter {
public:
    ConnectorBulkWriter(const DatabaseUrl& url, std::size_t batchRows) : BulkWriter(batchRows) {
        try {
            sql::ConnectOptionsMap options;
            options["hostName"] = sql::SQLString(url.host);
            options["port"] = url.port;
            options["userName"] = sql::SQLString(url.user);
            options["password"] = sql::SQLString(url.password);
            options["schema"] = sql::SQLString(url.database);
            options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
            _connection.reset(sql::mysql::get_mysql_driver_instance()->connect(options));
            std::unique_ptr<sql::Statement> st(_connection->createStatement());
            st->execute("SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                        "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
            st->execute("SET SESSION time_zone='+00:00'");
            _connection->setAutoCommit(false);
        } catch (const sql::SQLException& e) {
            throw Unavailable("cannot open database " + url.redacted() + ": " + e.what());
        }
    }

    ~ConnectorBulkWriter() override {
        if (_connection && !_committed) {
            try {
                _connection->rollback();
            } catch (...) {
            }
        }
    }

    std::string name() const override { return "connector"; }

    void execute(const std::string& statement) override {
        flush();
        guarded([&] {
            std::unique_ptr<sql::Statement> st(_connection->createStatement());
            st->execute(statement);
        });
    }

    long long maxId(const std::string& table) override {
        flush();
        long long id = 0;
        guarded([&] {
            std::unique_ptr<sql::Statement> st(_connection->createStatement());
            std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT COALESCE(MAX(id), 0) FROM " + table));
            if (rs->next()) id = rs->getInt64(1);
        });
        return id;
    }

    long long lockMaxId(const std::string& table) override {
        flush();
        long long id = 0;
        guarded([&] {
            std::unique_ptr<sql::Statement> st(_connection->createStatement());
            std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT COALESCE(MAX(id), 0) FROM " + table));
            if (rs->next()) id = rs->getInt64(1);
            // A locking range read from there locks the rows found and the gap up to the end of the index:
            // nobody can add a row above until we commit, and the read sees rows committed meanwhile.
            rs.reset(st->executeQuery("SELECT id FROM " + table + " WHERE id >= " + std::to_string(id) +
                                      " ORDER BY id FOR UPDATE"));
            while (rs->next()) id = std::max<long long>(id, rs->getInt64(1));
        });
        return id;
    }

protected:
    void writeBatch(const std::vector<std::vector<BulkValue>>& rows) override {
        guarded([&] {
            sql::PreparedStatement& ps = prepared(rows.size());
            unsigned index = 1;
            for (const auto& row : rows)
                for (std::size_t c = 0; c < row.size(); ++c, ++index) {
                    const BulkValue& v = row[c];
                    if (std::holds_alternative<std::monostate>(v))
                        ps.setNull(index, _columns[c].type == ColumnType::Text ? sql::DataType::VARCHAR
                                                                                : sql::DataType::BIGINT);
                    else if (std::holds_alternative<long long>(v))
                        ps.setInt64(index, std::get<long long>(v));
                    else if (std::holds_alternative<double>(v))
                        ps.setDouble(index, std::get<double>(v));
                    else
                        ps.setString(index, sql::SQLString(std::get<std::string>(v)));
                }
            ps.executeUpdate();
        });
    }

    void commitTransaction() override {
        guarded([&] { _connection->commit(); });
        _committed = true;
    }

private:
    template <class F> void guarded(F&& f) {
        try {
            f();
        } catch (const sql::SQLException& e) {
            throw std::runtime_error(std::string("bulk write to ") + (_table.empty() ? "database" : _table) +
                                     " failed: " + e.what());
        }
    }

    sql::PreparedStatement& prepared(std::size_t rows) {
        const std::string key = _table + "/" + std::to_string(rows);
        for (auto& [k, ps] : _prepared)
            if (k == key) return *ps;
        if (_prepared.size() > 8) _prepared.pop_front();
        _prepared.emplace_back(key, std::unique_ptr<sql::PreparedStatement>(
                                        _connection->prepareStatement(insertPrefix() + placeholders(rows, false))));
        return *_prepared.back().second;
    }

    std::unique_ptr<sql::Connection> _connection;
    std::deque<std::pair<std::string, std::unique_ptr<sql::PreparedStatement>>> _prepared;
    bool _committed = false;
};

} // namespace

std::unique_ptr<BulkWriter> BulkWriter::open(Database& db, BulkStrategy strategy, std::size_t batchRows) {
    if (strategy == BulkStrategy::Auto)
        strategy = db.backend() == Backend::MySql ? BulkStrategy::Connector : BulkStrategy::Soci;
    if (batchRows == 0) batchRows = db.backend() == Backend::MySql ? 500 : 100;
    if (strategy == BulkStrategy::Connector) {
        if (db.backend() != Backend::MySql)
            throw std::invalid_argument("the Connector/C++ bulk writer needs a mysql:// database");
        return std::make_unique<ConnectorBulkWriter>(db.url(), batchRows);
    }
    return std::make_unique<SociBulkWriter>(db, batchRows);
}

} // namespace registry::store
