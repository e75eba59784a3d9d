#pragma once
// Price lists from CSV files: every row checked (fields, the facility, the order of prices per facility
// and item), then all rows written in one transaction through the bulk writer, or none. Rows supersede
// current prices exactly as single entries do. The text is read twice, a row at a time (check, then write),
// keeping 20 bytes per row in between, so memory stays flat however long the file.
//
// Columns (header row, any order; names as in the API): facility_id or facility_code, item, amount_fen or
// amount_yuan, effective_from, displayed, bundled, and optionally unit, area_m2, term_years, source
// (default import), note.

#include "domain/Price.h"
#include "store/BulkWriter.h"
#include "store/Database.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {

struct ImportProblem {
    std::size_t line = 0; // 0: the file as a whole
    std::string field;
    std::string messageZh;
    std::string messageEn;
};

struct ImportReport {
    std::size_t rows = 0;       // data rows read
    std::size_t superseded = 0; // current prices the import replaced (or would)
    bool stored = false;
    long long firstId = 0, lastId = 0; // ids given to the stored rows
    std::vector<ImportProblem> problems;
};

struct ImportOptions {
    bool dryRun = false;
    std::string actor;
    /// Only facilities of this district may be priced (an inspector's own); nullopt: any.
    std::optional<std::string> district;
    /// An operator's import: only this facility may be priced (the facility columns may then be left out,
    /// and name it when given), and every row is a self-report (a `source` cell saying otherwise is a problem).
    std::optional<long long> facilityId;
    BulkStrategy strategy = BulkStrategy::Auto;
    /// A validation hook run on each valid row (the plugins' blocking `validate`): a message refuses it.
    std::function<std::optional<std::string>(const domain::PriceRecord&)> validate;
    /// Bytes of the two passes over the text done, of twice its size (checking, then writing).
    std::function<void(std::size_t done, std::size_t total)> progress;
    std::size_t maxProblems = 1000; // listed; counting goes on
};

/// Imports UTF-8 CSV text. Problems are reported, not thrown; nothing is stored when there is any.
ImportReport importPrices(Database& db, const std::string& csvUtf8, const ImportOptions& options);

} // namespace registry::store
