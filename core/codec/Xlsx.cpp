#include "codec/Xlsx.h"

#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <Poco/UTF8Encoding.h>
#include <Poco/TextIterator.h>

#include <xlsxwriter.h>

#include <algorithm>

namespace registry::codec {

namespace {

// Excel's own limits: characters in a cell, and a column's width.
constexpr std::size_t maxCellBytes = 32767; // Excel's characters per cell; bytes are never fewer
constexpr double minWidth = 6, maxWidth = 60;

void check(lxw_error error, const char* what) {
    if (error != LXW_NO_ERROR) throw std::runtime_error(std::string("xlsx: ") + what + ": " + lxw_strerror(error));
}

/// At most `limit` bytes of `text`, cut before a UTF-8 sequence rather than inside one.
std::string clip(const std::string& text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

} // namespace

XlsxCell XlsxCell::ofText(std::string value) {
    XlsxCell c;
    c.type = Type::Text;
    c.text = std::move(value);
    return c;
}
XlsxCell XlsxCell::ofInteger(std::int64_t value) {
    XlsxCell c;
    c.type = Type::Integer;
    c.integer = value;
    return c;
}
XlsxCell XlsxCell::ofNumber(double value) {
    XlsxCell c;
    c.type = Type::Number;
    c.number = value;
    return c;
}
XlsxCell XlsxCell::ofBoolean(bool value) {
    XlsxCell c;
    c.type = Type::Boolean;
    c.flag = value;
    return c;
}

XlsxTooManyRows::XlsxTooManyRows()
    : std::runtime_error("more rows than one Excel worksheet holds (" + std::to_string(XlsxSheetWriter::maxRows) + ")") {}

double displayWidth(const std::string& utf8) {
    Poco::UTF8Encoding encoding;
    double width = 0;
    for (Poco::TextIterator it(utf8, encoding), end(utf8); it != end; ++it) {
        const int c = *it;
        // CJK, Hangul, full-width forms and the CJK punctuation take two columns in Excel's fonts.
        const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
                          (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                          (c >= 0xFFE0 && c <= 0xFFE6) || c >= 0x20000;
        width += wide ? 2 : 1;
    }
    return width;
}

struct XlsxSheetWriter::State {
    Poco::TemporaryFile file; // the finished workbook; removed with the writer
    std::string scratchDir;   // libxlsxwriter keeps a char* to it
    lxw_workbook* workbook = nullptr;
    lxw_worksheet* sheet = nullptr;
    lxw_format* bold = nullptr;
    lxw_format* integer = nullptr;
    std::vector<double> widths;

    explicit State(const std::string& dir)
        : file(dir.empty() ? Poco::Path::temp() : dir), scratchDir(dir.empty() ? Poco::Path::temp() : dir) {}
    ~State() {
        // A writer dropped before finish (an exception while exporting) still frees libxlsxwriter's memory
        // and scratch files; what it writes then goes to the temporary file, removed with it.
        if (workbook) workbook_close(workbook);
    }

    void widen(std::size_t column, double width) {
        if (column < widths.size()) widths[column] = std::max(widths[column], std::min(width, maxWidth));
    }
};

XlsxSheetWriter::XlsxSheetWriter(const std::string& sheetName, const std::vector<std::string>& header,
                                 const std::string& scratchDir)
    : _state(std::make_unique<State>(scratchDir)) {
    auto& s = *_state;
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = s.scratchDir.data();
    // No ZIP64: a full sheet (Excel's row limit) of our records is well under 4 GiB of XML.
    s.workbook = workbook_new_opt(s.file.path().c_str(), &options);
    if (!s.workbook) throw std::runtime_error("xlsx: cannot create a workbook in " + s.file.path());
    s.sheet = workbook_add_worksheet(s.workbook, sheetName.c_str());
    if (!s.sheet) throw std::runtime_error("xlsx: bad worksheet name '" + sheetName + "'");
    s.bold = workbook_add_format(s.workbook);
    format_set_bold(s.bold);
    format_set_bottom(s.bold, LXW_BORDER_THIN);
    // Ids and counts in full: Excel's General format shows a 12-digit integer as 1.23457E+11.
    s.integer = workbook_add_format(s.workbook);
    format_set_num_format(s.integer, "0");
    s.widths.assign(header.size(), minWidth);
    for (std::size_t c = 0; c < header.size(); ++c) {
        check(worksheet_write_string(s.sheet, 0, static_cast<lxw_col_t>(c), header[c].c_str(), s.bold), "header");
        s.widen(c, displayWidth(header[c]) + 3); // room for the autofilter's button
    }
    worksheet_freeze_panes(s.sheet, 1, 0);
}

XlsxSheetWriter::~XlsxSheetWriter() = default;

void XlsxSheetWriter::addRow(const std::vector<XlsxCell>& cells) {
    if (_rows >= maxRows) throw XlsxTooManyRows();
    auto& s = *_state;
    const auto row = static_cast<lxw_row_t>(_rows + 1);
    const std::size_t columns = std::min(cells.size(), s.widths.size());
    for (std::size_t c = 0; c < columns; ++c) {
        const auto col = static_cast<lxw_col_t>(c);
        const auto& cell = cells[c];
        switch (cell.type) {
        case XlsxCell::Type::Empty: break;
        case XlsxCell::Type::Text: {
            if (cell.text.empty()) break;
            const std::string text = clip(cell.text, maxCellBytes);
            check(worksheet_write_string(s.sheet, row, col, text.c_str(), nullptr), "text cell");
            s.widen(c, displayWidth(text) + 1);
            break;
        }
        case XlsxCell::Type::Integer:
            check(worksheet_write_number(s.sheet, row, col, static_cast<double>(cell.integer), s.integer), "number cell");
            s.widen(c, static_cast<double>(std::to_string(cell.integer).size()) + 1);
            break;
        case XlsxCell::Type::Number:
            check(worksheet_write_number(s.sheet, row, col, cell.number, nullptr), "number cell");
            s.widen(c, 12);
            break;
        case XlsxCell::Type::Boolean:
            check(worksheet_write_boolean(s.sheet, row, col, cell.flag, nullptr), "boolean cell");
            s.widen(c, 7);
            break;
        }
    }
    ++_rows;
}

void XlsxSheetWriter::finish(std::ostream& out) {
    auto& s = *_state;
    if (!s.widths.empty())
        check(worksheet_autofilter(s.sheet, 0, 0, static_cast<lxw_row_t>(_rows),
                                   static_cast<lxw_col_t>(s.widths.size() - 1)),
              "autofilter");
    for (std::size_t c = 0; c < s.widths.size(); ++c)
        check(worksheet_set_column(s.sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), s.widths[c], nullptr),
              "column width");
    lxw_workbook* workbook = s.workbook;
    s.workbook = nullptr; // closed once, whatever it answers
    check(workbook_close(workbook), "writing the workbook");
    Poco::FileInputStream in(s.file.path(), std::ios::in | std::ios::binary);
    Poco::StreamCopier::copyStream(in, out, 64 * 1024);
    out.flush();
}

} // namespace registry::codec
