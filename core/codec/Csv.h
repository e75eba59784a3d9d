#pragma once
// CSV as spreadsheets write it (RFC 4180: comma separated, fields quoted with '"' when they hold a comma,
// a quote or a line break, quotes doubled inside), and text in the encodings Excel saves on Chinese Windows.
// Poco has no CSV reader or writer; its encodings do the character conversion.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace registry::codec {

struct CsvRow {
    std::size_t line = 0; // 1-based line of the file where the row starts
    std::vector<std::string> cells;
};

/// Splits UTF-8 text into rows. Throws std::invalid_argument naming the line of an unterminated quote.
/// Blank lines are skipped; a trailing line break is optional.
std::vector<CsvRow> parseCsv(const std::string& text);

/// The same rows one at a time, so that a long file is handled row by row (a price-list import holds one
/// row, not a million). `text` must outlive the reader.
class CsvReader {
public:
    explicit CsvReader(const std::string& text) : _text(text) {}
    /// Fills `row` with the next row (reusing its cells' memory); false at the end. Throws as parseCsv.
    bool next(CsvRow& row);
    /// How far into the text the reader is, in bytes (for progress).
    std::size_t position() const { return _at; }

private:
    const std::string& _text;
    std::size_t _at = 0;
    std::size_t _line = 1;
};

/// What the writer does with cells a spreadsheet would run as formulas.
enum class CsvFormulas {
    /// Written as they are: for files read back by programs (the cells parse to exactly what was written).
    Keep,
    /// OWASP's CSV-injection advice, for exports people open in Excel: a cell starting with `=`, `+`, `-`,
    /// `@`, a tab or a CR gets a leading `'` (which Excel shows as text, not running the cell) and is quoted.
    /// A plain number (`-5`, `+3.25`) is left as it is: it cannot run anything, and a negative amount in
    /// a numeric column stays a number.
    Neutralise,
};

/// Writes one CSV row (with CRLF, as Excel expects), quoting fields that need it.
void writeCsvRow(std::ostream& out, const std::vector<std::string>& cells, CsvFormulas formulas = CsvFormulas::Keep);

/// True when Excel would take `cell` as a formula (or DDE command) rather than as text: it starts with
/// `=`, `+`, `-`, `@`, a tab or a CR and is not a plain decimal number.
bool csvCellRunsAsFormula(const std::string& cell);

enum class TextEncoding { Utf8, Gbk };

/// "utf-8"/"utf8" or "gbk"/"gb18030"/"gb2312"/"cp936" (case-insensitive), nullopt otherwise.
std::optional<TextEncoding> parseTextEncoding(const std::string& name);

/// The encoding of raw bytes: UTF-8 when they carry a UTF-8 BOM or are valid UTF-8, else GBK (what Excel
/// writes for "CSV" on Simplified Chinese Windows).
TextEncoding detectEncoding(const std::string& bytes);

/// UTF-8 text from raw bytes in `encoding`, without a BOM. Throws std::invalid_argument when the bytes are
/// not valid in that encoding.
std::string toUtf8(const std::string& bytes, TextEncoding encoding);
/// The same, taking the bytes over: UTF-8 text is not copied.
std::string toUtf8(std::string&& bytes, TextEncoding encoding);

} // namespace registry::codec
