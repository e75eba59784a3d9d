#pragma once
// One worksheet as an .xlsx workbook (Office Open XML), written by libxlsxwriter: a bold header row that
// stays in view (frozen) with an autofilter over the columns, typed cells (numbers as numbers, text as
// text), and column widths from the widest cell, counting CJK characters double as Excel shows them.
// Exports use it, so the records read as their CSV does, in the same columns.

#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace registry::codec {

/// One cell: empty, text, a number (integer or not), or a boolean. Text is always a string cell, never a
/// formula, so an "=HYPERLINK(...)" name shows as typed without the CSV's neutralising quote.
struct XlsxCell {
    enum class Type { Empty, Text, Integer, Number, Boolean };
    Type type = Type::Empty;
    std::string text;
    std::int64_t integer = 0;
    double number = 0;
    bool flag = false;

    static XlsxCell empty() { return {}; }
    static XlsxCell ofText(std::string value);
    static XlsxCell ofInteger(std::int64_t value);
    static XlsxCell ofNumber(double value);
    static XlsxCell ofBoolean(bool value);
};

/// More data rows than one worksheet holds (Excel's 1 048 576 rows, the header included).
class XlsxTooManyRows : public std::runtime_error {
public:
    XlsxTooManyRows();
};

/// Writes one worksheet row by row. libxlsxwriter's constant_memory mode writes each row to a scratch
/// file as soon as the next begins, and the workbook (a zip) is assembled in a private temporary file, so
/// memory stays at one row whatever the number of rows; disk holds the sheet's XML and the finished file
/// until `finish` copies it out. Scratch files go to `scratchDir` (default: the system's temp directory,
/// TMPDIR). Not thread-safe; one writer per workbook.
class XlsxSheetWriter {
public:
    /// Largest number of data rows: Excel's row limit less the header.
    static constexpr std::size_t maxRows = 1048575;

    XlsxSheetWriter(const std::string& sheetName, const std::vector<std::string>& header,
                    const std::string& scratchDir = "");
    ~XlsxSheetWriter();
    XlsxSheetWriter(const XlsxSheetWriter&) = delete;
    XlsxSheetWriter& operator=(const XlsxSheetWriter&) = delete;

    /// Adds a data row (cells past the header's columns are dropped). Throws XlsxTooManyRows past maxRows.
    void addRow(const std::vector<XlsxCell>& cells);
    /// Closes the workbook and copies its bytes to `out`. Throws std::runtime_error when libxlsxwriter fails.
    void finish(std::ostream& out);
    std::size_t rows() const { return _rows; }

private:
    struct State;
    std::unique_ptr<State> _state;
    std::size_t _rows = 0;
};

/// The width a text takes in Excel's character units: CJK and full-width characters count two.
double displayWidth(const std::string& utf8);

} // namespace registry::codec
