// Dates as the API writes them (YYYY-MM-DD) and RFC 3339 UTC timestamps.

#include "domain/Dates.h"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace registry::domain;

BOOST_AUTO_TEST_SUITE(dates)

BOOST_AUTO_TEST_CASE(parse_valid_dates) {
    BOOST_TEST(parseDate("1970-01-01").value() == 0);
    BOOST_TEST(parseDate("1970-01-02").value() == 1);
    BOOST_TEST(parseDate("1969-12-31").value() == -1);
    BOOST_TEST(parseDate("2000-01-01").value() == 10957);
    BOOST_TEST(parseDate("2024-02-29").has_value()); // leap year
    BOOST_TEST(parseDate("2000-02-29").has_value()); // divisible by 400
    BOOST_TEST(parseDate("2024-12-31").has_value());
    BOOST_TEST(parseDate("1900-01-01").has_value());
    BOOST_TEST(parseDate("2999-12-31").has_value());
    BOOST_TEST(*parseDate("2024-03-01") - *parseDate("2024-02-28") == 2);
    BOOST_TEST(*parseDate("2023-03-01") - *parseDate("2023-02-28") == 1);
}

BOOST_AUTO_TEST_CASE(reject_impossible_dates) {
    for (const char* text : {"2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30", "2024-13-01",
                             "2024-00-10", "2024-01-00", "2024-04-31", "2024-06-31", "2024-01-32"})
        BOOST_TEST(!parseDate(text).has_value(), "accepted " << text);
}

BOOST_AUTO_TEST_CASE(reject_other_formats_and_garbage) {
    for (const char* text :
         {"", "2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "2024.01.01", "20240101",
          "2024-01-01T00:00:00Z", " 2024-01-01", "2024-01-01 ", "2024-0a-01", "+024-01-01", "-024-01-01",
          "2024--1-01", "abcd-ef-gh", "2024年1月1日", "1899-12-31", "3000-01-01", "0000-01-01"})
        BOOST_TEST(!parseDate(text).has_value(), "accepted '" << text << "'");
    BOOST_TEST(!parseDate(std::string("2024-01-01\0", 11)).has_value());
}

BOOST_AUTO_TEST_CASE(format_round_trips_parse) {
    BOOST_TEST(formatDate(0) == "1970-01-01");
    BOOST_TEST(formatDate(-1) == "1969-12-31");
    BOOST_TEST(formatDate(10957) == "2000-01-01");
    for (const char* text :
         {"1900-01-01", "1999-12-31", "2000-02-29", "2021-01-01", "2024-02-29", "2035-12-31", "2999-12-31"})
        BOOST_TEST(formatDate(*parseDate(text)) == text);
    // Every day of a leap and a common year survives the round trip and follows the day before.
    const auto start = *parseDate("2023-01-01");
    for (std::int64_t d = start; d < start + 731; ++d) {
        const std::string text = formatDate(d);
        BOOST_TEST_REQUIRE(text.size() == 10u);
        BOOST_TEST_REQUIRE(parseDate(text).value() == d);
        BOOST_TEST_REQUIRE(formatDate(d - 1) < text); // text order is date order
    }
}

BOOST_AUTO_TEST_CASE(add_days_across_month_and_year_ends) {
    BOOST_TEST(addDays("2024-01-31", 1) == "2024-02-01");
    BOOST_TEST(addDays("2024-04-30", 1) == "2024-05-01");
    BOOST_TEST(addDays("2023-12-31", 1) == "2024-01-01");
    BOOST_TEST(addDays("2024-01-01", -1) == "2023-12-31");
    BOOST_TEST(addDays("2024-06-15", 0) == "2024-06-15");
    BOOST_TEST(addDays("2022-01-01", 365) == "2023-01-01");
    BOOST_TEST(addDays("2024-01-01", 366) == "2025-01-01");
    BOOST_TEST(addDays("2022-01-01", 1095) == "2024-12-31"); // the three-year plan window
}

BOOST_AUTO_TEST_CASE(add_days_around_february_in_leap_years) {
    BOOST_TEST(addDays("2024-02-28", 1) == "2024-02-29");
    BOOST_TEST(addDays("2024-02-29", 1) == "2024-03-01");
    BOOST_TEST(addDays("2024-03-01", -1) == "2024-02-29");
    BOOST_TEST(addDays("2023-02-28", 1) == "2023-03-01");
    BOOST_TEST(addDays("2023-03-01", -1) == "2023-02-28");
    BOOST_TEST(addDays("2000-02-28", 1) == "2000-02-29");
    BOOST_TEST(addDays("1900-02-28", 1) == "1900-03-01");
    BOOST_TEST(addDays("2100-02-28", 1) == "2100-03-01");
    // A price superseded on 2024-03-01 was effective to the day before.
    BOOST_TEST(addDays("2024-03-01", -1) == "2024-02-29");
}

BOOST_AUTO_TEST_CASE(today_is_a_valid_date) {
    const std::string today = todayUtc();
    BOOST_TEST(parseDate(today).has_value(), today);
}

BOOST_AUTO_TEST_CASE(now_timestamp_is_fixed_width_rfc3339_utc) {
    const std::string now = nowTimestamp();
    BOOST_TEST(now.size() == 24u, now);
    BOOST_TEST(now.back() == 'Z');
    BOOST_TEST(parseDate(now.substr(0, 10)).has_value(), now);
    BOOST_TEST(now[10] == 'T');
    BOOST_TEST(now[13] == ':');
    BOOST_TEST(now[16] == ':');
    BOOST_TEST(now[19] == '.');
    for (std::size_t i : {11, 12, 14, 15, 17, 18, 20, 21, 22})
        BOOST_TEST((now[i] >= '0' && now[i] <= '9'), now << " at " << i);
    BOOST_TEST(now.substr(11, 2) < "24");
    BOOST_TEST(now.substr(14, 2) < "60");
    BOOST_TEST(now.substr(17, 2) < "60");
}

BOOST_AUTO_TEST_CASE(timestamps_parse_back_to_what_was_formatted) {
    BOOST_TEST(parseTimestamp("1970-01-01T00:00:00.000Z").value() == 0);
    BOOST_TEST(parseTimestamp("2026-12-03T01:00:00Z").value() == parseTimestamp("2026-12-03T01:00:00.000Z").value());
    const std::int64_t ms = 1795000123456;
    BOOST_TEST(parseTimestamp(formatTimestamp(ms)).value() == ms);
    for (const char* bad : {"", "2026-12-03", "2026-12-03T01:00:00", "2026-12-03 01:00:00.000Z",
                            "2026-12-03T24:00:00.000Z", "2026-02-30T01:00:00.000Z", "2026-12-03T01:00:00,000Z",
                            "2026-12-03T01:0a:00.000Z"})
        BOOST_TEST(!parseTimestamp(bad).has_value(), bad);
}

BOOST_AUTO_TEST_SUITE_END()
