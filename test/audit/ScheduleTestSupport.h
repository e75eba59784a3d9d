#pragma once
// Instants written the way the tests think of them (UTC text in, RFC 3339 UTC text out), and scheduled
// audit runs recorded the way the audit runner records them.

#include "service/Scheduler.h"
#include "store/Database.h"

#include <date/date.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace registry::test {

using TimePoint = std::chrono::system_clock::time_point;

/// "2026-11-29T18:00" or "2026-11-29T18:00:30" (UTC) as an instant.
inline TimePoint utc(const std::string& text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &minute, &second) < 5)
        throw std::invalid_argument("test timestamp " + text);
    return date::sys_days{date::year{year} / month / day} + std::chrono::hours{hour} +
           std::chrono::minutes{minute} + std::chrono::seconds{second};
}

/// An instant as the scheduler hands slots to its callback: "2026-11-29T18:00:00.000Z".
inline std::string iso(TimePoint instant) {
    return service::Scheduler::slotText(instant);
}

/// An audit_runs row for schedule slot `slot` (RFC 3339), as the runner inserts it before it audits. Throws
/// when the slot has a run already (the unique index on scheduled_for).
inline void recordScheduledRun(store::Database& db, const std::string& slot) {
    store::Database::Session session(db);
    const std::string auditDate = slot.substr(0, 10);
    session.sql()
        << "INSERT INTO audit_runs (trigger_kind, status, scheduled_for, audit_date, created_at, error) "
           "VALUES ('schedule', 'succeeded', :slot, :auditDate, :createdAt, '')",
        soci::use(slot), soci::use(auditDate), soci::use(slot);
}

} // namespace registry::test
