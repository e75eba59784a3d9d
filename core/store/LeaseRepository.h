#pragma once
// Leases over scheduler_lease: one row per scheduled job naming the server instance that holds it and until
// when. Several instances share one database; a lease makes exactly one of them do the job, and lets
// another take over once the holder stops renewing. Every change is one conditional statement whose
// affected-row count says who won, so concurrent instances never both hold a lease (SQLite and MariaDB).
// Instances compare times they pass in, so their clocks should agree to well within the lease's time to live.

#include "store/Database.h"

#include <chrono>
#include <optional>
#include <string>

namespace registry::store {

struct Lease {
    std::string name;
    std::string holder;
    std::string expiresAt; // RFC 3339 UTC with milliseconds
    long long version = 0;
};

class LeaseRepository {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    explicit LeaseRepository(Database& db) : _db(db) {}

    /// True when `holder` holds lease `name` from `now` until `now + ttl` after the call: it was free (no
    /// row, or expired at `now`) and is now taken, or it was `holder`'s already and is extended. False when
    /// another holder has it. Throws std::invalid_argument for an empty or over-long name (64) or holder
    /// (200) or a ttl that is not positive.
    bool tryAcquire(const std::string& name, const std::string& holder, std::chrono::milliseconds ttl,
                    TimePoint now);

    /// Extends `holder`'s lease to `now + ttl`. False when `holder` no longer holds it (another took it over
    /// after it expired, or it was released).
    bool renew(const std::string& name, const std::string& holder, std::chrono::milliseconds ttl,
               TimePoint now);

    /// Gives the lease up so another instance need not wait for it to expire. False when `holder` did not
    /// hold it.
    bool release(const std::string& name, const std::string& holder);

    /// The lease as stored, expired or not; nullopt when nobody ever took it (or it was released).
    std::optional<Lease> get(const std::string& name);

    /// The latest audit_runs.scheduled_for (the newest schedule slot any instance ran), nullopt when no
    /// scheduled audit ever ran.
    std::optional<std::string> latestScheduledSlot();

private:
    Database& _db;
};

} // namespace registry::store
