// Cron expressions as audit.schedule takes them: which instants they fire at in a time zone (one without
// daylight saving, Asia/Shanghai, and two with it), and the message a bad expression gets.

#include "ScheduleTestSupport.h"

#include "audit/Cron.h"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace registry;
using namespace registry::test;
using audit::CronError;
using audit::CronExpression;
using audit::TimeZone;

namespace {

const TimeZone& shanghai() {
    static const TimeZone zone("Asia/Shanghai");
    return zone;
}

/// The first `count` fire instants of `expression` after `after` (UTC text), as RFC 3339 UTC.
std::vector<std::string> fires(const std::string& expression, const std::string& after, int count,
                               const TimeZone& zone = shanghai()) {
    const auto cron = CronExpression::parse(expression);
    std::vector<std::string> out;
    TimePoint t = utc(after);
    for (int i = 0; i < count; ++i) {
        t = cron.next(t, zone);
        out.push_back(iso(t));
    }
    return out;
}

std::string nextFire(const std::string& expression, const std::string& after,
                     const TimeZone& zone = shanghai()) {
    return fires(expression, after, 1, zone).front();
}

std::string previousFire(const std::string& expression, const std::string& atOrBefore,
                         const TimeZone& zone = shanghai()) {
    return iso(CronExpression::parse(expression).previous(utc(atOrBefore), zone));
}

/// The message parse gives `expression`, which must be refused.
std::string parseError(const std::string& expression) {
    try {
        CronExpression::parse(expression);
    } catch (const CronError& e) {
        return e.what();
    }
    BOOST_ERROR("expected \"" << expression << "\" to be refused");
    return {};
}

using Strings = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(cron)

BOOST_AUTO_TEST_CASE(nightly_at_two_in_shanghai) {
    // 02:00 in Shanghai (UTC+8, no daylight saving) is 18:00 UTC the day before.
    BOOST_TEST(
        fires("0 2 * * *", "2026-11-29T10:00", 3) ==
            (Strings{"2026-11-29T18:00:00.000Z", "2026-11-30T18:00:00.000Z", "2026-12-01T18:00:00.000Z"}),
        boost::test_tools::per_element());
    BOOST_TEST(CronExpression::parse("0 2 * * *").text() == "0 2 * * *");
}

BOOST_AUTO_TEST_CASE(next_is_strictly_after) {
    BOOST_TEST(nextFire("0 2 * * *", "2026-11-29T18:00") == "2026-11-30T18:00:00.000Z");
    BOOST_TEST(nextFire("0 2 * * *", "2026-11-29T17:59:59") == "2026-11-29T18:00:00.000Z");
    BOOST_TEST(nextFire("0 2 * * *", "2026-11-29T18:00:01") == "2026-11-30T18:00:00.000Z");
    BOOST_TEST(nextFire("* * * * *", "2026-11-29T18:00:30") == "2026-11-29T18:01:00.000Z");
}

BOOST_AUTO_TEST_CASE(year_end_rolls_over) {
    // 00:00 on 1 January in Shanghai is 16:00 UTC on 31 December.
    BOOST_TEST(nextFire("0 0 1 1 *", "2026-06-01T00:00") == "2026-12-31T16:00:00.000Z");
    BOOST_TEST(nextFire("59 23 31 12 *", "2026-12-31T16:00") == "2027-12-31T15:59:00.000Z");
}

BOOST_AUTO_TEST_CASE(steps) {
    BOOST_TEST(fires("*/15 * * * *", "2026-11-29T10:07", 4) ==
                   (Strings{"2026-11-29T10:15:00.000Z", "2026-11-29T10:30:00.000Z",
                            "2026-11-29T10:45:00.000Z", "2026-11-29T11:00:00.000Z"}),
               boost::test_tools::per_element());
    // Hours 8, 11, 14 and 17 in Shanghai: 00, 03, 06, 09 UTC.
    BOOST_TEST(
        fires("0 8-17/3 * * *", "2026-11-29T00:00", 5) ==
            (Strings{"2026-11-29T03:00:00.000Z", "2026-11-29T06:00:00.000Z", "2026-11-29T09:00:00.000Z",
                     "2026-11-30T00:00:00.000Z", "2026-11-30T03:00:00.000Z"}),
        boost::test_tools::per_element());
    // a/n runs from a to the field's end: minutes 50 and 55.
    BOOST_TEST(
        fires("50/5 * * * *", "2026-11-29T10:00", 3) ==
            (Strings{"2026-11-29T10:50:00.000Z", "2026-11-29T10:55:00.000Z", "2026-11-29T11:50:00.000Z"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(lists_and_ranges) {
    BOOST_TEST(
        fires("0,30 8,12 * * *", "2026-11-29T00:00", 5) ==
            (Strings{"2026-11-29T00:30:00.000Z", "2026-11-29T04:00:00.000Z", "2026-11-29T04:30:00.000Z",
                     "2026-11-30T00:00:00.000Z", "2026-11-30T00:30:00.000Z"}),
        boost::test_tools::per_element());
    // Working hours on working days: after Friday 27 November 2026's last slot comes Monday's first.
    BOOST_TEST(nextFire("30 9-17 * * 1-5", "2026-11-27T09:30") == "2026-11-30T01:30:00.000Z");
    BOOST_TEST(nextFire("10-12,40 3 * * *", "2026-11-28T19:10") == "2026-11-28T19:11:00.000Z");
}

BOOST_AUTO_TEST_CASE(month_ends) {
    // The 31st skips the months without one.
    BOOST_TEST(fires("0 0 31 * *", "2026-01-01T00:00", 4) ==
                   (Strings{"2026-01-30T16:00:00.000Z", "2026-03-30T16:00:00.000Z",
                            "2026-05-30T16:00:00.000Z", "2026-07-30T16:00:00.000Z"}),
               boost::test_tools::per_element());
    BOOST_TEST(nextFire("0 12 30 * *", "2026-01-30T05:00") == "2026-03-30T04:00:00.000Z");
    BOOST_TEST(nextFire("0 12 28-31 2 *", "2026-02-28T05:00") == "2027-02-28T04:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(february_29th_only_in_leap_years) {
    BOOST_TEST(fires("0 12 29 2 *", "2026-01-01T00:00", 2) ==
                   (Strings{"2028-02-29T04:00:00.000Z", "2032-02-29T04:00:00.000Z"}),
               boost::test_tools::per_element());
    BOOST_TEST(previousFire("0 12 29 2 *", "2027-06-01T00:00") == "2024-02-29T04:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(month_and_weekday_names) {
    BOOST_TEST(nextFire("0 0 1 jan,JUL *", "2026-02-01T00:00") == "2026-06-30T16:00:00.000Z");
    BOOST_TEST(nextFire("0 9 * * Mon-fri", "2026-11-28T00:00") == "2026-11-30T01:00:00.000Z");
    BOOST_TEST(nextFire("0 9 * DEC SAT", "2026-11-01T00:00") == "2026-12-05T01:00:00.000Z");
    BOOST_TEST(fires("0 0 * * SUN", "2026-11-01T00:00", 2) == fires("0 0 * * 0", "2026-11-01T00:00", 2),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(zero_and_seven_are_both_sunday) {
    // 29 November 2026 is a Sunday.
    BOOST_TEST(nextFire("0 0 * * 7", "2026-11-25T00:00") == "2026-11-28T16:00:00.000Z");
    BOOST_TEST(nextFire("0 0 * * 0", "2026-11-25T00:00") == "2026-11-28T16:00:00.000Z");
    BOOST_TEST(
        fires("0 0 * * 5-7", "2026-11-25T00:00", 3) ==
            (Strings{"2026-11-26T16:00:00.000Z", "2026-11-27T16:00:00.000Z", "2026-11-28T16:00:00.000Z"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(day_of_month_or_day_of_week_when_both_are_restricted) {
    // Vixie cron: the 13th of the month, and every Friday. 13 March 2026 is a Friday.
    BOOST_TEST(fires("0 0 13 * FRI", "2026-03-01T00:00", 4) ==
                   (Strings{"2026-03-05T16:00:00.000Z", "2026-03-12T16:00:00.000Z",
                            "2026-03-19T16:00:00.000Z", "2026-03-26T16:00:00.000Z"}),
               boost::test_tools::per_element());
    BOOST_TEST(nextFire("0 0 13 * MON", "2026-03-10T00:00") == "2026-03-12T16:00:00.000Z");
    // A day field starting with '*' does not restrict the day, so both must match: odd days that are Fridays.
    BOOST_TEST(fires("0 0 */2 * FRI", "2026-03-01T00:00", 2) ==
                   (Strings{"2026-03-12T16:00:00.000Z", "2026-03-26T16:00:00.000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(shorthands) {
    BOOST_TEST(nextFire("@daily", "2026-11-29T10:00") == "2026-11-29T16:00:00.000Z");
    BOOST_TEST(nextFire("@midnight", "2026-11-29T10:00") == "2026-11-29T16:00:00.000Z");
    BOOST_TEST(nextFire("@hourly", "2026-11-29T10:00") == "2026-11-29T11:00:00.000Z");
    BOOST_TEST(nextFire("@weekly", "2026-11-25T00:00") == "2026-11-28T16:00:00.000Z");
    BOOST_TEST(nextFire("@monthly", "2026-11-25T00:00") == "2026-11-30T16:00:00.000Z");
    BOOST_TEST(nextFire("@yearly", "2026-11-25T00:00") == "2026-12-31T16:00:00.000Z");
    BOOST_TEST(CronExpression::parse(" @annually ").text() == "0 0 1 1 *");
}

BOOST_AUTO_TEST_CASE(spaces_and_tabs_separate_fields) {
    BOOST_TEST(CronExpression::parse("  0\t2  * *   * ").text() == "0 2 * * *");
}

BOOST_AUTO_TEST_CASE(previous_is_at_or_before) {
    BOOST_TEST(previousFire("0 2 * * *", "2026-11-29T18:00") == "2026-11-29T18:00:00.000Z");
    BOOST_TEST(previousFire("0 2 * * *", "2026-11-29T17:59:59") == "2026-11-28T18:00:00.000Z");
    BOOST_TEST(previousFire("*/15 * * * *", "2026-11-29T10:07") == "2026-11-29T10:00:00.000Z");
    BOOST_TEST(previousFire("0 0 31 * *", "2026-03-01T00:00") == "2026-01-30T16:00:00.000Z");
    // Nothing within the search span before: TimePoint::min().
    BOOST_TEST((CronExpression::parse("0 12 29 2 *").previous(utc("2104-02-01T00:00"), shanghai()) ==
                TimePoint::min()));
}

BOOST_AUTO_TEST_CASE(daylight_saving_gap_fires_at_the_gap_end) {
    // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00 UTC, so 02:30 never happens that night.
    const TimeZone berlin("Europe/Berlin");
    BOOST_TEST(
        fires("30 2 * * *", "2026-03-27T12:00", 3, berlin) ==
            (Strings{"2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"}),
        boost::test_tools::per_element());
    // Every skipped time fires once, at the gap's end, and the times after it as usual.
    BOOST_TEST(fires("*/20 * * * *", "2026-03-29T00:30", 4, berlin) ==
                   (Strings{"2026-03-29T00:40:00.000Z", "2026-03-29T01:00:00.000Z",
                            "2026-03-29T01:20:00.000Z", "2026-03-29T01:40:00.000Z"}),
               boost::test_tools::per_element());
    // New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT at 07:00 UTC; the 02:00 and 03:00 slots fire once.
    const TimeZone newYork("America/New_York");
    BOOST_TEST(
        fires("0 * * * *", "2026-03-08T05:30", 3, newYork) ==
            (Strings{"2026-03-08T06:00:00.000Z", "2026-03-08T07:00:00.000Z", "2026-03-08T08:00:00.000Z"}),
        boost::test_tools::per_element());
    BOOST_TEST(previousFire("30 2 * * *", "2026-03-29T01:10", berlin) == "2026-03-29T01:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(daylight_saving_overlap_fires_once) {
    // Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET at 01:00 UTC, so 02:00-02:59 happen twice;
    // 02:30 fires only the first time (00:30 UTC), then 02:30 CET the next night.
    const TimeZone berlin("Europe/Berlin");
    BOOST_TEST(fires("30 2 * * *", "2026-10-24T12:00", 2, berlin) ==
                   (Strings{"2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"}),
               boost::test_tools::per_element());
    // From inside the repeated hour's second pass the repeated times are not due again.
    BOOST_TEST(nextFire("*/30 * * * *", "2026-10-25T01:10", berlin) == "2026-10-25T02:00:00.000Z");
    BOOST_TEST(
        fires("0 * * * *", "2026-10-24T23:30", 3, berlin) ==
            (Strings{"2026-10-25T00:00:00.000Z", "2026-10-25T02:00:00.000Z", "2026-10-25T03:00:00.000Z"}),
        boost::test_tools::per_element());
    // previous from the second pass finds the first occurrence of the latest repeated slot.
    BOOST_TEST(previousFire("*/30 * * * *", "2026-10-25T01:50", berlin) == "2026-10-25T00:30:00.000Z");
    // New York, 1 November 2026: 01:30 happens at 05:30 and 06:30 UTC; it fires at the first.
    const TimeZone newYork("America/New_York");
    BOOST_TEST(fires("30 1 * * *", "2026-10-31T12:00", 2, newYork) ==
                   (Strings{"2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_time_zone_is_a_clear_error) {
    for (const std::string name : {"Asia/Beijing", "", "../../etc/passwd", "asia/shanghai"}) {
        try {
            TimeZone zone(name);
            BOOST_ERROR("time zone \"" << name << "\" was accepted");
        } catch (const std::invalid_argument& e) {
            const std::string message = e.what();
            BOOST_TEST(message.find("unknown time zone \"" + name + "\"") == 0u, message);
            BOOST_TEST(message.find("Asia/Shanghai") != std::string::npos, message);
        }
    }
    BOOST_TEST(TimeZone("UTC").name() == "UTC");
    BOOST_TEST(nextFire("0 2 * * *", "2026-11-29T10:00", TimeZone("Etc/UTC")) == "2026-11-30T02:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(search_gives_up_after_five_years) {
    // The 1st of February on a Sunday (both day fields must match, as one starts with '*'): 2015, then 2026.
    const auto cron = CronExpression::parse("0 0 */31 2 SUN");
    BOOST_TEST(iso(cron.next(utc("2025-06-01T00:00"), shanghai())) == "2026-01-31T16:00:00.000Z");
    try {
        cron.next(utc("2015-03-01T00:00"), shanghai());
        BOOST_ERROR("expected no fire time within five years");
    } catch (const CronError& e) {
        const std::string message = e.what();
        BOOST_TEST(message == "cron expression \"0 0 */31 2 SUN\" does not fire within 5 years after "
                              "2015-03-01T00:00:00.000Z in Asia/Shanghai");
    }
}

BOOST_AUTO_TEST_CASE(wrong_number_of_fields) {
    BOOST_TEST(parseError("") ==
               "cron expression \"\" needs 5 fields (minute hour day-of-month month day-of-week), "
               "found 0");
    BOOST_TEST(parseError("0 2 * *").find("needs 5 fields") != std::string::npos);
    BOOST_TEST(parseError("0 2 * *").find("found 4") != std::string::npos);
    BOOST_TEST(parseError("0 0 2 * * *").find("found 6") != std::string::npos);
    BOOST_TEST(
        parseError("@reboot") ==
        "unknown shorthand \"@reboot\" (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, "
        "@hourly)");
}

BOOST_AUTO_TEST_CASE(values_out_of_range) {
    BOOST_TEST(parseError("61 * * * *") == "minute field \"61\": value 61 out of range 0-59");
    BOOST_TEST(parseError("0,61 * * * *") == "minute field \"0,61\": value 61 out of range 0-59");
    BOOST_TEST(parseError("0 24 * * *") == "hour field \"24\": value 24 out of range 0-23");
    BOOST_TEST(parseError("0 0 0 * *") == "day-of-month field \"0\": value 0 out of range 1-31");
    BOOST_TEST(parseError("0 0 32 * *") == "day-of-month field \"32\": value 32 out of range 1-31");
    BOOST_TEST(parseError("0 0 * 13 *") == "month field \"13\": value 13 out of range 1-12");
    BOOST_TEST(parseError("0 0 * 0 *") == "month field \"0\": value 0 out of range 1-12");
    BOOST_TEST(parseError("0 0 * * 8") == "day-of-week field \"8\": value 8 out of range 0-7");
    BOOST_TEST(parseError("0 1-99999999999999 * * *") ==
               "hour field \"1-99999999999999\": value 99999999999999 out of range 0-23");
}

BOOST_AUTO_TEST_CASE(values_that_are_not_numbers) {
    BOOST_TEST(parseError("x * * * *") == "minute field \"x\": \"x\" is not a number in 0-59");
    BOOST_TEST(parseError("? * * * *") == "minute field \"?\": \"?\" is not a number in 0-59");
    BOOST_TEST(parseError("0 0 L * *") == "day-of-month field \"L\": \"L\" is not a number in 1-31");
    BOOST_TEST(parseError("0 0 * FOO *") ==
               "month field \"FOO\": \"FOO\" is neither a number in 1-12 nor a name (JAN..DEC)");
    BOOST_TEST(parseError("0 0 * * FUNDAY") ==
               "day-of-week field \"FUNDAY\": \"FUNDAY\" is neither a number in 0-7 nor a name (SUN..SAT)");
    BOOST_TEST(parseError("0 MON * * *") == "hour field \"MON\": \"MON\" is not a number in 0-23");
    BOOST_TEST(parseError("+5 * * * *") == "minute field \"+5\": \"+5\" is not a number in 0-59");
}

BOOST_AUTO_TEST_CASE(malformed_ranges_lists_and_steps) {
    BOOST_TEST(parseError("5-1 * * * *") ==
               "minute field \"5-1\": range 5-1 runs backwards (write the lower value first, or use a list)");
    BOOST_TEST(parseError("0 0 * * FRI-MON").find("range FRI-MON runs backwards") != std::string::npos);
    BOOST_TEST(parseError("-5 * * * *") == "minute field \"-5\": a value is missing");
    BOOST_TEST(parseError("5- * * * *") == "minute field \"5-\": a value is missing");
    BOOST_TEST(parseError("1-2-3 * * * *") == "minute field \"1-2-3\": more than one '-' in \"1-2-3\"");
    BOOST_TEST(parseError("1,,2 * * * *") == "minute field \"1,,2\": an empty item in the list");
    BOOST_TEST(parseError("1, * * * *") == "minute field \"1,\": an empty item in the list");
    BOOST_TEST(parseError("*/0 * * * *") == "minute field \"*/0\": step 0 out of range 1-60");
    BOOST_TEST(parseError("0 */25 * * *") == "hour field \"*/25\": step 25 out of range 1-24");
    BOOST_TEST(parseError("*/x * * * *") == "minute field \"*/x\": step \"x\" is not a number");
    BOOST_TEST(parseError("*/ * * * *") == "minute field \"*/\": step \"\" is not a number");
    BOOST_TEST(parseError("*/2/3 * * * *") == "minute field \"*/2/3\": more than one '/' in \"*/2/3\"");
    BOOST_TEST(parseError("** * * * *") == "minute field \"**\": \"**\" is not a number in 0-59");
}

BOOST_AUTO_TEST_CASE(expressions_that_never_fire) {
    BOOST_TEST(parseError("0 0 30 2 *") ==
               "day-of-month field \"30\": no such day in the months of month field "
               "\"2\", so \"0 0 30 2 *\" never fires");
    BOOST_TEST(parseError("0 0 31 4,6,9,11 *").find("never fires") != std::string::npos);
    BOOST_TEST(parseError("0 0 30-31 FEB *").find("never fires") != std::string::npos);
    // With a weekday as well, the weekday alone picks days (Vixie's either-or): Mondays in February, the
    // first being 1 February 2027.
    BOOST_TEST(nextFire("0 0 30 2 MON", "2026-11-25T00:00") == "2027-01-31T16:00:00.000Z");
    BOOST_TEST(nextFire("0 0 29 2 *", "2026-11-25T00:00") == "2028-02-28T16:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()
