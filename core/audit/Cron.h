#pragma once
// Standard 5-field cron expressions (minute hour day-of-month month day-of-week) and their fire times in an
// IANA time zone, as Vixie cron reads them: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n`, `a-b/n`
// and `a/n` (a to the field's end), month names JAN..DEC and weekday names SUN..SAT (any case), 0 and 7
// both Sunday, and the shorthands @yearly @annually @monthly @weekly @daily @midnight @hourly. When both
// day-of-month and day-of-week are restricted (neither starts with `*`), a day matching either fires.

#include <bitset>
#include <chrono>
#include <stdexcept>
#include <string>

namespace date {
class time_zone;
}

namespace registry::audit {

/// An expression that is not valid cron, or one that never fires. The message names the field and why:
/// `minute field "61": value 61 out of range 0-59`.
class CronError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// A time zone of the system's tz database (Debian's tzdata), by IANA name such as "Asia/Shanghai".
class TimeZone {
public:
    /// Throws std::invalid_argument naming `name` when the database does not know it.
    explicit TimeZone(const std::string& name);
    const std::string& name() const { return _name; }
    const date::time_zone& zone() const { return *_zone; }
    /// The calendar date ("YYYY-MM-DD") in this zone at `instant`.
    std::string localDate(std::chrono::system_clock::time_point instant) const;
    /// The wall-clock time to the minute ("YYYY-MM-DD HH:MM") in this zone at `instant`.
    std::string localMinute(std::chrono::system_clock::time_point instant) const;

private:
    std::string _name;
    const date::time_zone* _zone;
};

class CronExpression {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// Throws CronError for anything but a valid expression that fires at least once a leap cycle (so
    /// `0 0 30 2 *` is refused here, not searched for).
    static CronExpression parse(const std::string& text);

    /// The first fire instant strictly after `after`, with the wall-clock fields read in `zone`. A wall-clock
    /// time that a daylight-saving change skips fires at the first instant after the gap; one that it
    /// repeats fires once, at its first occurrence. Throws CronError when there is none within
    /// `searchYears` years.
    TimePoint next(TimePoint after, const TimeZone& zone) const;

    /// The last fire instant at or before `atOrBefore` (same rules as next), or TimePoint::min() when there
    /// is none within `searchYears` years before it.
    TimePoint previous(TimePoint atOrBefore, const TimeZone& zone) const;

    const std::string& text() const { return _text; }

    static constexpr int searchYears = 5;

private:
    CronExpression() = default;
    bool dayMatches(int dayOfMonth, int weekday) const;
    std::chrono::minutes nextLocalMatch(std::chrono::minutes local, std::chrono::minutes limit) const;
    std::chrono::minutes previousLocalMatch(std::chrono::minutes local, std::chrono::minutes limit) const;

    std::string _text;
    std::bitset<60> _minutes;
    std::bitset<24> _hours;
    std::bitset<32> _days;    // 1..31
    std::bitset<13> _months;  // 1..12
    std::bitset<7> _weekdays; // 0 = Sunday
    bool _dayStar = false;
    bool _weekdayStar = false;
};

} // namespace registry::audit
