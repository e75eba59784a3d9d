// The XLSX writer of exports: a zip that spreadsheet programs open, with a bold frozen header, an
// autofilter, typed cells and Chinese text as typed.

#include "codec/Xlsx.h"
#include "support/XlsxRead.h"

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace registry::codec;
using registry::testing::xlsxPart;
using registry::testing::xlsxSheet;

namespace {
std::string workbook(const std::vector<std::vector<XlsxCell>>& rows) {
    XlsxSheetWriter writer("设施", {"id", "name", "amount_fen", "lat", "displayed"});
    for (const auto& r : rows) writer.addRow(r);
    std::ostringstream out;
    writer.finish(out);
    return out.str();
}
} // namespace

BOOST_AUTO_TEST_SUITE(xlsx)

BOOST_AUTO_TEST_CASE(a_sheet_has_its_header_typed_cells_and_filters) {
    const auto bytes = workbook({{XlsxCell::ofInteger(123456789012), XlsxCell::ofText("海淀区殡仪馆"),
                                  XlsxCell::ofInteger(80000), XlsxCell::ofNumber(39.99), XlsxCell::ofBoolean(true)},
                                 {XlsxCell::ofInteger(2), XlsxCell::ofText("=HYPERLINK(\"http://x\")"), XlsxCell::empty(),
                                  XlsxCell::empty(), XlsxCell::ofBoolean(false)}});
    BOOST_TEST(bytes.rfind("PK\x03\x04", 0) == 0u); // a zip, as every .xlsx is
    const auto sheet = xlsxSheet(bytes);
    BOOST_TEST(sheet.find("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>") !=
               std::string::npos, sheet.substr(0, 600));
    BOOST_TEST(sheet.find("<autoFilter ref=\"A1:E3\"/>") != std::string::npos);
    BOOST_TEST(sheet.find("<is><t>id</t></is>") != std::string::npos); // inline strings: constant_memory mode
    BOOST_TEST(sheet.find("<is><t>海淀区殡仪馆</t></is>") != std::string::npos);
    BOOST_TEST(sheet.find("<v>123456789012</v>") != std::string::npos); // a number, not text
    BOOST_TEST(sheet.find("<c r=\"C2\" s=\"2\"><v>80000</v></c>") != std::string::npos, sheet);
    BOOST_TEST(sheet.find("<c r=\"E2\" t=\"b\"><v>1</v></c>") != std::string::npos);
    // A formula-like name is a string cell, never a formula.
    BOOST_TEST(sheet.find("<f>") == std::string::npos);
    BOOST_TEST(sheet.find("t=\"inlineStr\"><is><t>=HYPERLINK(\"http://x\")</t>") != std::string::npos,
               sheet.substr(sheet.find("<row r=\"3\"")));
    // Columns are as wide as their widest cell: the 22 characters of the formula-like name, plus one.
    BOOST_TEST(sheet.find("<col min=\"2\" max=\"2\" width=\"23.") != std::string::npos, sheet.substr(0, 800));
    // The header's format is bold.
    BOOST_TEST(xlsxPart(bytes, "xl/styles.xml").find("<b/>") != std::string::npos);
    BOOST_TEST(xlsxPart(bytes, "xl/workbook.xml").find("name=\"设施\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_sheet_still_shows_its_columns_and_control_characters_stay_valid_xml) {
    const auto empty = xlsxSheet(workbook({}));
    BOOST_TEST(empty.find("<is><t>displayed</t></is>") != std::string::npos);
    BOOST_TEST(empty.find("<autoFilter ref=\"A1:E1\"/>") != std::string::npos);
    const auto sheet = xlsxSheet(workbook({{XlsxCell::ofInteger(1), XlsxCell::ofText("a\x01" "b")}}));
    BOOST_TEST(sheet.find("\x01") == std::string::npos);
    BOOST_TEST(sheet.find("a_x0001_b") != std::string::npos, sheet);
}

BOOST_AUTO_TEST_CASE(display_width_counts_chinese_double) {
    BOOST_TEST(displayWidth("abc") == 3);
    BOOST_TEST(displayWidth("海淀区") == 6);
    BOOST_TEST(displayWidth("京民殡整〔2026〕") == 16); // the corner brackets are full-width too
}

BOOST_AUTO_TEST_SUITE_END()
