// The CSV writer of exports: cells that Excel would run as formulas are written as text (OWASP's CSV
// injection advice), numbers stay numbers, and what programs read back is what was written.

#include "codec/Csv.h"

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace registry::codec;

namespace {
std::string row(const std::vector<std::string>& cells, CsvFormulas formulas) {
    std::ostringstream out;
    writeCsvRow(out, cells, formulas);
    return out.str();
}
} // namespace

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(exports_write_formula_cells_as_quoted_text) {
    BOOST_TEST(row({"=HYPERLINK(\"http://evil.example\",\"x\")", "ok"}, CsvFormulas::Neutralise) ==
               "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",ok\r\n");
    BOOST_TEST(row({"+cmd|' /C calc'!A0"}, CsvFormulas::Neutralise) == "\"'+cmd|' /C calc'!A0\"\r\n");
    BOOST_TEST(row({"-2+3+cmd|' /C calc'!A0"}, CsvFormulas::Neutralise) == "\"'-2+3+cmd|' /C calc'!A0\"\r\n");
    BOOST_TEST(row({"@SUM(A1:A9)"}, CsvFormulas::Neutralise) == "\"'@SUM(A1:A9)\"\r\n");
    BOOST_TEST(row({"\t=1+1"}, CsvFormulas::Neutralise) == "\"'\t=1+1\"\r\n");
    BOOST_TEST(row({"\r=1+1"}, CsvFormulas::Neutralise) == "\"'\r=1+1\"\r\n");
}

BOOST_AUTO_TEST_CASE(plain_numbers_and_ordinary_text_are_left_as_they_are) {
    BOOST_TEST(row({"-5", "+12", "-3.25", "0", "海淀区殡仪馆", "a=b", ""}, CsvFormulas::Neutralise) ==
               "-5,+12,-3.25,0,海淀区殡仪馆,a=b,\r\n");
    BOOST_TEST(csvCellRunsAsFormula("-5e3")); // not a plain decimal: treated as text
    BOOST_TEST(csvCellRunsAsFormula("-"));
    BOOST_TEST(csvCellRunsAsFormula("-5."));
    BOOST_TEST(!csvCellRunsAsFormula("5-3"));
}

BOOST_AUTO_TEST_CASE(files_for_programs_keep_cells_exactly_and_round_trip) {
    const std::vector<std::string> cells{"=1+1", "-x", "a,b", "say \"hi\"", "two\nlines"};
    BOOST_TEST(row(cells, CsvFormulas::Keep) == "=1+1,-x,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    const auto parsed = parseCsv(row(cells, CsvFormulas::Keep));
    BOOST_TEST_REQUIRE(parsed.size() == 1u);
    BOOST_TEST(parsed[0].cells == cells);
    const auto exported = parseCsv(row(cells, CsvFormulas::Neutralise));
    BOOST_TEST_REQUIRE(exported.size() == 1u);
    BOOST_TEST(exported[0].cells[0] == "'=1+1");
    BOOST_TEST(exported[0].cells[1] == "'-x");
    BOOST_TEST(exported[0].cells[2] == "a,b");
}

BOOST_AUTO_TEST_SUITE_END()
