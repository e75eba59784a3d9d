#include "store/LeaseRepository.h"

#include "domain/Dates.h"

#include <stdexcept>

namespace registry::store {

namespace {

std::string timestamp(LeaseRepository::TimePoint instant) {
    return domain::formatTimestamp(
        std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch()).count());
}

void check(const std::string& name, const std::string& holder) {
    if (name.empty() || name.size() > 64)
        throw std::invalid_argument("a lease name must have 1 to 64 characters (got \"" + name + "\")");
    if (holder.empty() || holder.size() > 200)
        throw std::invalid_argument("a lease holder must have 1 to 200 characters (got \"" + holder + "\")");
}

void check(const std::string& name, const std::string& holder, std::chrono::milliseconds ttl) {
    check(name, holder);
    if (ttl.count() <= 0) throw std::invalid_argument("a lease's time to live must be positive");
}

bool changedOneRow(soci::statement& st) {
    st.execute(true);
    return st.get_affected_rows() == 1;
}

/// Takes or extends the lease when `holder` has it or (with `orExpiredAt`) it has expired at that time. One
/// statement, so that of several instances racing for an expired lease the first one's write makes the
/// condition false for the rest (MySQL evaluates an UPDATE's WHERE on the locked row's latest version).
bool takeOrExtend(soci::session& sql, const std::string& name, const std::string& holder,
                  const std::string& expires, const std::optional<std::string>& orExpiredAt) {
    const std::string set =
        "UPDATE scheduler_lease SET holder = :holder, expires_at = :expires, version = version + 1 ";
    if (orExpiredAt) {
        soci::statement st =
            (sql.prepare << set + "WHERE name = :name AND (holder = :same OR expires_at <= :now)",
             soci::use(holder), soci::use(expires), soci::use(name), soci::use(holder),
             soci::use(*orExpiredAt));
        return changedOneRow(st);
    }
    soci::statement st = (sql.prepare << set + "WHERE name = :name AND holder = :same", soci::use(holder),
                          soci::use(expires), soci::use(name), soci::use(holder));
    return changedOneRow(st);
}

} // namespace

bool LeaseRepository::tryAcquire(const std::string& name, const std::string& holder,
                                 std::chrono::milliseconds ttl, TimePoint now) {
    check(name, holder, ttl);
    const std::string nowText = timestamp(now), expires = timestamp(now + ttl);
    Database::Session session(_db);
    auto& sql = session.sql();
    if (takeOrExtend(sql, name, holder, expires, nowText)) return true;
    // No row yet, or another holder's live one: of racing inserts the primary key lets exactly one through.
    const std::string insert = session.backend() == Backend::Sqlite ? "INSERT OR IGNORE" : "INSERT IGNORE";
    soci::statement st = (sql.prepare << insert + " INTO scheduler_lease (name, holder, expires_at, version) "
                                                  "VALUES (:name, :holder, :expires, 1)",
                          soci::use(name), soci::use(holder), soci::use(expires));
    return changedOneRow(st);
}

bool LeaseRepository::renew(const std::string& name, const std::string& holder, std::chrono::milliseconds ttl,
                            TimePoint now) {
    check(name, holder, ttl);
    Database::Session session(_db);
    return takeOrExtend(session.sql(), name, holder, timestamp(now + ttl), std::nullopt);
}

bool LeaseRepository::release(const std::string& name, const std::string& holder) {
    check(name, holder);
    Database::Session session(_db);
    soci::statement st =
        (session.sql().prepare << "DELETE FROM scheduler_lease WHERE name = :name AND holder = :holder",
         soci::use(name), soci::use(holder));
    return changedOneRow(st);
}

std::optional<Lease> LeaseRepository::get(const std::string& name) {
    Database::Session session(_db);
    Lease lease;
    session.sql() << "SELECT name, holder, expires_at, version FROM scheduler_lease WHERE name = :name",
        soci::use(name), soci::into(lease.name), soci::into(lease.holder), soci::into(lease.expiresAt),
        soci::into(lease.version);
    if (!session.sql().got_data()) return std::nullopt;
    return lease;
}

std::optional<std::string> LeaseRepository::latestScheduledSlot() {
    Database::Session session(_db);
    std::string slot;
    soci::indicator ind = soci::i_null;
    session.sql() << "SELECT MAX(scheduled_for) FROM audit_runs", soci::into(slot, ind);
    if (ind != soci::i_ok) return std::nullopt;
    return slot;
}

} // namespace registry::store
