// libFuzzer target: the bytes of an uploaded price list, as `import prices` and POST /api/v1/prices/import
// read them: encoding detected (UTF-8 with or without BOM, else GBK), converted, split into CSV rows.
// Every row that parses is written back with writeCsvRow and must parse to the same cells.

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
