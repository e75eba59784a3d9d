// libFuzzer target: audit.schedule as an operator may write it, parsed and asked for its fire times in a
// zone without daylight saving (Asia/Shanghai, the default) and one with it. A bad expression must be a
// CronError naming the field; a good one must fire after the instant asked about (next) and at or before
// it (previous), and its next fire time is also its previous one at that instant.

#include "audit/Cron.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

using registry::audit::CronError;
using registry::audit::CronExpression;
using registry::audit::TimeZone;

namespace {

[[noreturn]] void fail(const std::string& expression, const std::string& why) {
    std::cerr << "cron \"" << expression << "\": " << why << "\n";
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const TimeZone zones[] = {TimeZone("Asia/Shanghai"), TimeZone("America/New_York")};
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::optional<CronExpression> cron;
    try {
        cron = CronExpression::parse(text);
    } catch (const CronError&) {
        return 0; // refused at start-up with the field and the reason
    }
    // 2024-03-10 06:59:30 UTC: a minute before New York springs forward; the seconds are not a whole minute.
    const CronExpression::TimePoint at{std::chrono::seconds(1710053970)};
    for (const auto& zone : zones) {
        CronExpression::TimePoint next;
        try {
            next = cron->next(at, zone);
        } catch (const CronError&) {
            continue; // does not fire within searchYears (e.g. 29 February on a Monday only)
        }
        if (next <= at) fail(text, "next() is not after the instant asked about in " + zone.name());
        if (cron->previous(next, zone) != next) fail(text, "previous(next(t)) != next(t) in " + zone.name());
        const auto previous = cron->previous(at, zone);
        if (previous != CronExpression::TimePoint::min() && previous > at)
            fail(text, "previous() is after the instant asked about in " + zone.name());
    }
    return 0;
}
