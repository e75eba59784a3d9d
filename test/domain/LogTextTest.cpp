// Text from users and plugins in the log: one entry stays one line, whatever the text holds.

#include "domain/LogText.h"

#include <boost/test/unit_test.hpp>

#include <string>

using registry::domain::logSafe;

BOOST_AUTO_TEST_SUITE(log_text)

BOOST_AUTO_TEST_CASE(a_line_break_cannot_start_a_forged_entry) {
    const std::string forged = "zhang\n2026-12-03T01:00:00.000Z I registry: web sign-in of admin";
    const std::string logged = logSafe(forged);
    BOOST_TEST(logged.find('\n') == std::string::npos);
    BOOST_TEST(logged == "zhang\\n2026-12-03T01:00:00.000Z I registry: web sign-in of admin");
    BOOST_TEST(logSafe("a\r\nb") == "a\\r\\nb");
    BOOST_TEST(logSafe("col1\tcol2") == "col1\\tcol2");
}

BOOST_AUTO_TEST_CASE(other_controls_and_del_are_hex_and_backslashes_doubled) {
    BOOST_TEST(logSafe(std::string("\x1b[31mred\x1b[0m")) == "\\x1b[31mred\\x1b[0m");
    BOOST_TEST(logSafe(std::string("nul\0end", 7)) == "nul\\x00end");
    BOOST_TEST(logSafe("\x7f") == "\\x7f");
    BOOST_TEST(logSafe("\x01\x1f") == "\\x01\\x1f");
    // A literal backslash-n typed by someone is not mistaken for an escaped line break.
    BOOST_TEST(logSafe("a\\nb") == "a\\\\nb");
}

BOOST_AUTO_TEST_CASE(printable_text_and_utf8_are_kept) {
    BOOST_TEST(logSafe("GET /api/v1/facilities?q=%E6%B5%B7 user=insp") == "GET /api/v1/facilities?q=%E6%B5%B7 user=insp");
    BOOST_TEST(logSafe("海淀区殡仪馆 – ok") == "海淀区殡仪馆 – ok");
    BOOST_TEST(logSafe("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
