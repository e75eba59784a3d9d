#pragma once
// One interface for writing many rows fast (imports, audit findings, demo data): rows are buffered and
// sent as multi-row INSERT statements inside one transaction, so a load is all or nothing.
//
// Two implementations: SOCI multi-row statements (either backend) and MySQL Connector/C++ server-side
// prepared multi-row statements (MySQL only). test/bench/BulkWriterBench compares them on the same data;
// docs/PERFORMANCE.md has the figures and `db.bulk_writer` chooses (default: the faster one measured).

#include "store/Database.h"

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace registry::store {

enum class ColumnType { Integer, Real, Text };

struct BulkColumn {
    std::string name;
    ColumnType type;
};

/// A cell: NULL, integer, real or text (matching its column's type, or NULL).
using BulkValue = std::variant<std::monostate, long long, double, std::string>;

enum class BulkStrategy { Auto, Soci, Connector };

/// "auto", "soci" or "connector" (the db.bulk_writer setting); otherwise throws std::invalid_argument
/// saying what the text must be.
BulkStrategy parseBulkStrategy(const std::string& text);

/// Every column of price_records in the order imports and demo data write them.
std::vector<BulkColumn> priceRecordColumns();

class BulkWriter {
public:
    /// Opens a writer with its own connection and transaction. Connector is only for MySQL; Auto picks
    /// Connector on MySQL and SOCI on SQLite. `batchRows` 0 picks the measured default per backend: 500
    /// rows per statement on MySQL (where each statement is a network round trip), 100 on SQLite (where
    /// statements are cheap and larger batches gained nothing; docs/PERFORMANCE.md).
    static std::unique_ptr<BulkWriter> open(Database& db, BulkStrategy strategy = BulkStrategy::Auto,
                                            std::size_t batchRows = 0);
    virtual ~BulkWriter();

    /// Rows added from now on go to `table` (pending rows of the previous table are written first).
    void setTable(const std::string& table, std::vector<BulkColumn> columns);
    /// Buffers a row; a full batch is written at once. Throws std::invalid_argument on a wrong cell count.
    void addRow(std::vector<BulkValue> row);
    /// Runs one statement with no parameters inside the same transaction (pending rows first).
    virtual void execute(const std::string& statement) = 0;
    /// The largest id in `table` inside this transaction (0 when empty).
    virtual long long maxId(const std::string& table) = 0;
    /// Like maxId, and keeps other writers from adding rows to `table` until this transaction ends, so
    /// that ids above it can be given out here (SQLite's write transaction excludes them already).
    virtual long long lockMaxId(const std::string& table) = 0;
    /// Writes pending rows and commits. Without commit, the destructor rolls everything back.
    void commit();

    std::size_t rowsWritten() const { return _rowsWritten; }
    virtual std::string name() const = 0;

protected:
    explicit BulkWriter(std::size_t batchRows) : _batchRows(batchRows) {}
    void flush();
    virtual void writeBatch(const std::vector<std::vector<BulkValue>>& rows) = 0;
    virtual void commitTransaction() = 0;
    std::string insertPrefix() const;
    std::string placeholders(std::size_t rows, bool named) const;

    std::size_t _batchRows;
    std::string _table;
    std::vector<BulkColumn> _columns;
    std::vector<std::vector<BulkValue>> _pending;
    std::size_t _rowsWritten = 0;
};

} // namespace registry::store
