#include "codec/Csv.h"

#include "domain/FieldError.h"

#include <Poco/String.h>
#include <Poco/TextConverter.h>
#include <Poco/UTF8Encoding.h>
#include <Poco/Windows936Encoding.h>

#include <cctype>
#include <stdexcept>

namespace registry::codec {

bool CsvReader::next(CsvRow& row) {
    const std::string& text = _text;
    std::size_t used = 0; // cells of `row` filled so far (their strings are reused from the last row)
    const auto cellAt = [&row](std::size_t i) -> std::string& {
        if (i == row.cells.size()) row.cells.emplace_back();
        return row.cells[i];
    };
    while (_at < text.size()) {
        row.line = _line;
        used = 0;
        std::string* cell = &cellAt(0);
        cell->clear();
        bool quoted = false, cellStarted = false, rowHasContent = false;
        std::size_t quoteLine = 0;
        const auto endCell = [&] {
            cell = &cellAt(++used);
            cell->clear();
            cellStarted = false;
        };
        bool rowEnded = false;
        for (; _at < text.size() && !rowEnded; ++_at) {
            const char c = text[_at];
            if (quoted) {
                if (c == '"') {
                    if (_at + 1 < text.size() && text[_at + 1] == '"') {
                        *cell += '"';
                        ++_at;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') ++_line;
                    *cell += c;
                }
                continue;
            }
            switch (c) {
            case '"':
                if (!cellStarted) {
                    quoted = true;
                    quoteLine = _line;
                    cellStarted = rowHasContent = true;
                } else {
                    *cell += c; // a stray quote inside an unquoted field is kept as it is
                }
                break;
            case ',':
                endCell();
                rowHasContent = true;
                break;
            case '\r': break;
            case '\n':
                ++_line;
                rowEnded = true;
                break;
            default:
                *cell += c;
                cellStarted = rowHasContent = true;
            }
        }
        if (quoted) throw std::invalid_argument("line " + std::to_string(quoteLine) + ": a quoted field is never closed");
        if (rowHasContent || !cell->empty()) {
            row.cells.resize(used + 1);
            return true;
        }
        // A blank line: on to the next.
    }
    return false;
}

std::vector<CsvRow> parseCsv(const std::string& text) {
    std::vector<CsvRow> rows;
    CsvReader reader(text);
    CsvRow row;
    while (reader.next(row)) rows.push_back(row);
    return rows;
}

namespace {
// [+-]digits[.digits]: what a numeric field of an export looks like.
bool plainNumber(const std::string& v) {
    std::size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
    const std::size_t digitsFrom = i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
    if (i == digitsFrom) return false;
    if (i < v.size() && v[i] == '.') {
        const std::size_t fractionFrom = ++i;
        while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
        if (i == fractionFrom) return false;
    }
    return i == v.size();
}
} // namespace

bool csvCellRunsAsFormula(const std::string& cell) {
    if (cell.empty()) return false;
    switch (cell[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r': return !plainNumber(cell);
    default: return false;
    }
}

void writeCsvRow(std::ostream& out, const std::vector<std::string>& cells, CsvFormulas formulas) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) out << ',';
        const std::string& v = cells[i];
        const bool neutralise = formulas == CsvFormulas::Neutralise && csvCellRunsAsFormula(v);
        if (!neutralise && v.find_first_of(",\"\r\n") == std::string::npos) {
            out << v;
        } else {
            out << '"';
            if (neutralise) out << '\'';
            for (char c : v) {
                if (c == '"') out << '"';
                out << c;
            }
            out << '"';
        }
    }
    out << "\r\n";
}

std::optional<TextEncoding> parseTextEncoding(const std::string& name) {
    const std::string n = Poco::toLower(name);
    if (n == "utf-8" || n == "utf8") return TextEncoding::Utf8;
    if (n == "gbk" || n == "gb18030" || n == "gb2312" || n == "cp936") return TextEncoding::Gbk;
    return std::nullopt;
}

namespace {
bool hasBom(const std::string& bytes) { return bytes.rfind("\xEF\xBB\xBF", 0) == 0; }
} // namespace

TextEncoding detectEncoding(const std::string& bytes) {
    if (hasBom(bytes)) return TextEncoding::Utf8;
    return domain::utf8Length(bytes) ? TextEncoding::Utf8 : TextEncoding::Gbk;
}

std::string toUtf8(const std::string& bytes, TextEncoding encoding) { return toUtf8(std::string(bytes), encoding); }

std::string toUtf8(std::string&& bytes, TextEncoding encoding) {
    if (encoding == TextEncoding::Utf8) {
        std::string text = std::move(bytes); // a long file is not copied
        if (hasBom(text)) text.erase(0, 3);
        if (!domain::utf8Length(text)) throw std::invalid_argument("the file is not valid UTF-8 text");
        return text;
    }
    Poco::Windows936Encoding gbk;
    Poco::UTF8Encoding utf8;
    Poco::TextConverter converter(gbk, utf8, '?');
    std::string text;
    const int errors = converter.convert(bytes, text);
    if (errors > 0)
        throw std::invalid_argument("the file is not valid GBK text (" + std::to_string(errors) +
                                    " undecodable bytes); save it as UTF-8 or pass the right encoding");
    return text;
}

} // namespace registry::codec
