#include "audit/Cron.h"

#include "domain/Dates.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <vector>

namespace registry::audit {

namespace {

using std::chrono::minutes;

struct FieldSpec {
    const char* name;
    int min;
    int max;
    const char* const* names; // three-letter names for min, min+1, ..., or nullptr
    int nameCount;
};

const char* const monthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const weekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

const FieldSpec minuteSpec{"minute", 0, 59, nullptr, 0};
const FieldSpec hourSpec{"hour", 0, 23, nullptr, 0};
const FieldSpec daySpec{"day-of-month", 1, 31, nullptr, 0};
const FieldSpec monthSpec{"month", 1, 12, monthNames, 12};
const FieldSpec weekdaySpec{"day-of-week", 0, 7, weekdayNames, 7}; // 7 is Sunday again

[[noreturn]] void fail(const FieldSpec& spec, const std::string& field, const std::string& reason) {
    throw CronError(std::string(spec.name) + " field \"" + field + "\": " + reason);
}

std::string rangeText(const FieldSpec& spec) {
    return std::to_string(spec.min) + "-" + std::to_string(spec.max);
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string::size_type start = 0;
    for (;;) {
        const auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

bool allDigits(const std::string& text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// A number (or, where the field has them, a name) within the field's range.
int parseValue(const FieldSpec& spec, const std::string& field, const std::string& token) {
    if (token.empty()) fail(spec, field, "a value is missing");
    if (allDigits(token)) {
        // More digits than any field needs is out of range, not an integer overflow.
        const int value = token.size() > 4 ? spec.max + 1 : std::stoi(token);
        if (value < spec.min || value > spec.max)
            fail(spec, field, "value " + token + " out of range " + rangeText(spec));
        return value;
    }
    if (spec.names) {
        std::string upper = token;
        std::transform(upper.begin(), upper.end(), upper.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        for (int i = 0; i < spec.nameCount; ++i)
            if (upper == spec.names[i]) return spec.min + i;
        fail(spec, field,
             "\"" + token + "\" is neither a number in " + rangeText(spec) + " nor a name (" + spec.names[0] +
                 ".." + spec.names[spec.nameCount - 1] + ")");
    }
    fail(spec, field, "\"" + token + "\" is not a number in " + rangeText(spec));
}

/// One comma-separated field as a bit mask of the values it names.
std::uint64_t parseField(const FieldSpec& spec, const std::string& field) {
    std::uint64_t mask = 0;
    for (const auto& item : split(field, ',')) {
        if (item.empty()) fail(spec, field, "an empty item in the list");
        const auto slash = split(item, '/');
        if (slash.size() > 2) fail(spec, field, "more than one '/' in \"" + item + "\"");
        int step = 1;
        if (slash.size() == 2) {
            const std::string& stepText = slash[1];
            const int maxStep = spec.max - spec.min + 1;
            if (!allDigits(stepText)) fail(spec, field, "step \"" + stepText + "\" is not a number");
            step = stepText.size() > 4 ? maxStep + 1 : std::stoi(stepText);
            if (step < 1 || step > maxStep)
                fail(spec, field, "step " + stepText + " out of range 1-" + std::to_string(maxStep));
        }
        const std::string& range = slash[0];
        int low = spec.min, high = spec.max;
        if (range != "*") {
            const auto dash = split(range, '-');
            if (dash.size() > 2) fail(spec, field, "more than one '-' in \"" + range + "\"");
            low = parseValue(spec, field, dash[0]);
            if (dash.size() == 2) {
                high = parseValue(spec, field, dash[1]);
                if (low > high)
                    fail(spec, field,
                         "range " + range + " runs backwards (write the lower value first, or use a list)");
            } else if (slash.size() == 1) {
                high = low; // a single value; "a/n" runs from a to the field's end
            }
        }
        for (int v = low; v <= high; v += step)
            mask |= std::uint64_t{1} << v;
    }
    return mask;
}

template <std::size_t N> std::bitset<N> toBits(std::uint64_t mask) {
    return std::bitset<N>(mask);
}

/// The shorthands Vixie cron knows (except @reboot, which names no time).
std::string expandShorthand(const std::string& text) {
    static const std::array<std::pair<const char*, const char*>, 7> shorthands{{{"@yearly", "0 0 1 1 *"},
                                                                                {"@annually", "0 0 1 1 *"},
                                                                                {"@monthly", "0 0 1 * *"},
                                                                                {"@weekly", "0 0 * * 0"},
                                                                                {"@daily", "0 0 * * *"},
                                                                                {"@midnight", "0 0 * * *"},
                                                                                {"@hourly", "0 * * * *"}}};
    for (const auto& [name, expansion] : shorthands)
        if (text == name) return expansion;
    throw CronError("unknown shorthand \"" + text +
                    "\" (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)");
}

constexpr int daysInMonthAtMost[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/// The instant a local wall-clock minute stands for in `zone`: a skipped one is the end of the gap, a
/// repeated one its first occurrence.
std::chrono::system_clock::time_point instantOf(const date::time_zone& zone, minutes local) {
    const date::local_seconds wall{local};
    const auto info = zone.get_info(wall);
    if (info.result == date::local_info::nonexistent) return info.first.end;
    return date::sys_seconds{wall.time_since_epoch()} - info.first.offset;
}

minutes localMinute(const date::time_zone& zone, std::chrono::system_clock::time_point instant) {
    return std::chrono::floor<minutes>(zone.to_local(instant)).time_since_epoch();
}

constexpr minutes searchSpan{CronExpression::searchYears * 366 * 24 * 60};

std::string timestampOf(std::chrono::system_clock::time_point instant) {
    return domain::formatTimestamp(
        std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch()).count());
}

} // namespace

TimeZone::TimeZone(const std::string& name) : _name(name) {
    try {
        _zone = date::locate_zone(name);
    } catch (const std::exception& e) {
        throw std::invalid_argument("unknown time zone \"" + name +
                                    "\": not an IANA name in the system's time zone database (" + e.what() +
                                    "); write one such as Asia/Shanghai");
    }
}

std::string TimeZone::localDate(std::chrono::system_clock::time_point instant) const {
    const date::year_month_day ymd{std::chrono::floor<date::days>(_zone->to_local(instant))};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

std::string TimeZone::localMinute(std::chrono::system_clock::time_point instant) const {
    const auto local = std::chrono::floor<std::chrono::minutes>(_zone->to_local(instant));
    const auto day = std::chrono::floor<date::days>(local);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<std::chrono::minutes> time{local - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()));
    return text;
}

CronExpression CronExpression::parse(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> fields;
    for (std::string field; in >> field;)
        fields.push_back(field);
    if (fields.size() == 1 && fields[0].front() == '@') return parse(expandShorthand(fields[0]));
    if (fields.size() != 5)
        throw CronError("cron expression \"" + text +
                        "\" needs 5 fields (minute hour day-of-month month day-of-week), found " +
                        std::to_string(fields.size()));
    CronExpression cron;
    cron._text = fields[0] + " " + fields[1] + " " + fields[2] + " " + fields[3] + " " + fields[4];
    cron._minutes = toBits<60>(parseField(minuteSpec, fields[0]));
    cron._hours = toBits<24>(parseField(hourSpec, fields[1]));
    cron._days = toBits<32>(parseField(daySpec, fields[2]));
    cron._months = toBits<13>(parseField(monthSpec, fields[3]));
    std::uint64_t weekdays = parseField(weekdaySpec, fields[4]);
    if (weekdays & (std::uint64_t{1} << 7)) weekdays = (weekdays | 1) & ~(std::uint64_t{1} << 7);
    cron._weekdays = toBits<7>(weekdays);
    // Vixie cron: a field that starts with '*' does not restrict the day, even with a step.
    cron._dayStar = fields[2].front() == '*';
    cron._weekdayStar = fields[4].front() == '*';

    // Either day field alone picks days: with a restricted weekday, some day always fires. Without one, some
    // named month must have a named day (February counting its 29th).
    const bool weekdaysDecide = !cron._dayStar && !cron._weekdayStar;
    if (!weekdaysDecide) {
        bool possible = false;
        for (int month = 1; month <= 12 && !possible; ++month)
            for (int day = 1; day <= daysInMonthAtMost[month] && !possible; ++day)
                possible = cron._months[month] && cron._days[day];
        if (!possible)
            throw CronError("day-of-month field \"" + fields[2] +
                            "\": no such day in the months of month field \"" + fields[3] + "\", so \"" +
                            cron._text + "\" never fires");
    }
    return cron;
}

bool CronExpression::dayMatches(int dayOfMonth, int weekday) const {
    if (_dayStar || _weekdayStar) return _days[dayOfMonth] && _weekdays[weekday];
    return _days[dayOfMonth] || _weekdays[weekday];
}

minutes CronExpression::nextLocalMatch(minutes local, minutes limit) const {
    using namespace date;
    while (local <= limit) {
        const local_days day{std::chrono::floor<days>(local)};
        const year_month_day ymd{day};
        const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        if (!_months[month]) {
            local = local_days{year_month_day{ymd.year() / ymd.month() / 1} + months{1}}.time_since_epoch();
            continue;
        }
        if (!dayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                        static_cast<int>(weekday{day}.c_encoding()))) {
            local = (day + days{1}).time_since_epoch();
            continue;
        }
        const auto sinceMidnight = local - day.time_since_epoch();
        const int hour = static_cast<int>(sinceMidnight.count() / 60),
                  minute = static_cast<int>(sinceMidnight.count() % 60);
        if (!_hours[hour]) {
            local = day.time_since_epoch() + std::chrono::hours{hour + 1};
            continue;
        }
        if (!_minutes[minute]) {
            local += minutes{1};
            continue;
        }
        return local;
    }
    return limit + minutes{1};
}

minutes CronExpression::previousLocalMatch(minutes local, minutes limit) const {
    using namespace date;
    while (local >= limit) {
        const local_days day{std::chrono::floor<days>(local)};
        const year_month_day ymd{day};
        const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        if (!_months[month]) {
            local = local_days{ymd.year() / ymd.month() / 1}.time_since_epoch() - minutes{1};
            continue;
        }
        if (!dayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                        static_cast<int>(weekday{day}.c_encoding()))) {
            local = day.time_since_epoch() - minutes{1};
            continue;
        }
        const auto sinceMidnight = local - day.time_since_epoch();
        const int hour = static_cast<int>(sinceMidnight.count() / 60),
                  minute = static_cast<int>(sinceMidnight.count() % 60);
        if (!_hours[hour]) {
            local = day.time_since_epoch() + std::chrono::hours{hour} - minutes{1};
            continue;
        }
        if (!_minutes[minute]) {
            local -= minutes{1};
            continue;
        }
        return local;
    }
    return limit - minutes{1};
}

CronExpression::TimePoint CronExpression::next(TimePoint after, const TimeZone& zone) const {
    // Local wall-clock minutes map to instants monotonically (skipped ones to the gap's end, repeated ones to
    // their first occurrence), so the first local match whose instant is after `after` is the answer.
    minutes local = localMinute(zone.zone(), after) + minutes{1};
    const minutes limit = local + searchSpan;
    for (;;) {
        local = nextLocalMatch(local, limit);
        if (local > limit) break;
        const auto instant = instantOf(zone.zone(), local);
        if (instant > after) return instant;
        local += minutes{1};
    }
    throw CronError("cron expression \"" + _text + "\" does not fire within " + std::to_string(searchYears) +
                    " years after " + timestampOf(after) + " in " + zone.name());
}

CronExpression::TimePoint CronExpression::previous(TimePoint atOrBefore, const TimeZone& zone) const {
    // Start a few hours later in wall-clock time: inside a repeated hour, later wall-clock minutes can still
    // stand for earlier instants.
    minutes local = localMinute(zone.zone(), atOrBefore) + std::chrono::hours{3};
    const minutes limit = local - searchSpan;
    for (;;) {
        local = previousLocalMatch(local, limit);
        if (local < limit) return TimePoint::min();
        const auto instant = instantOf(zone.zone(), local);
        if (instant <= atOrBefore) return instant;
        local -= minutes{1};
    }
}

} // namespace registry::audit
