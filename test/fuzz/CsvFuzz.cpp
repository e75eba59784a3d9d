// libFuzzer target: the bytes of an uploaded price list, as `import prices` and POST /api/v1/prices/import
// read them: encoding detected (UTF-8 with or without BOM, else GBK), converted, split into CSV rows.
// Every row that parses is written back with writeCsvRow and must parse to the same cells; written as
// exports write it (formulas neutralised), it must parse to the same cells but for a leading quote on
// each formula, and hold no formula.

#include "codec/Csv.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace registry::codec;

namespace {

void parseAndRoundTrip(const std::string& text) {
    std::vector<CsvRow> rows;
    try {
        rows = parseCsv(text);
    } catch (const std::invalid_argument&) {
        return; // an unterminated quote, reported with its line
    }
    for (const auto& row : rows) {
        // A row of one empty cell is written as an empty line, which the reader skips, as Excel does.
        if (row.cells.size() == 1 && row.cells[0].empty()) continue;
        std::ostringstream out;
        writeCsvRow(out, row.cells);
        const auto again = parseCsv(out.str());
        if (again.size() != 1 || again[0].cells != row.cells) {
            std::cerr << "CSV round trip changed the row of line " << row.line << ": " << out.str() << "\n";
            std::abort();
        }
        // As exports write it: every cell reads back as it was, or (a formula) with one leading quote.
        std::vector<std::string> expected = row.cells;
        for (auto& cell : expected)
            if (csvCellRunsAsFormula(cell)) cell = "'" + cell;
        std::ostringstream exported;
        writeCsvRow(exported, row.cells, CsvFormulas::Neutralise);
        const auto read = parseCsv(exported.str());
        if (read.size() != 1 || read[0].cells != expected) {
            std::cerr << "CSV export changed the row of line " << row.line << " beyond neutralising formulas: "
                      << exported.str() << "\n";
            std::abort();
        }
        for (const auto& cell : read[0].cells)
            if (csvCellRunsAsFormula(cell)) {
                std::cerr << "CSV export left a formula in the row of line " << row.line << ": " << cell << "\n";
                std::abort();
            }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    parseAndRoundTrip(bytes); // parseCsv on raw bytes too: it must not care what the bytes are
    // What the import does: the detected encoding, or the one a user names with --encoding.
    detectEncoding(bytes);
    for (const TextEncoding encoding : {TextEncoding::Utf8, TextEncoding::Gbk}) {
        std::string text;
        try {
            text = toUtf8(bytes, encoding);
        } catch (const std::invalid_argument&) {
            continue; // "not valid UTF-8 / GBK text": the import says so and stops
        }
        parseAndRoundTrip(text);
    }
    return 0;
}
