#pragma once
// The append-only change log: who, when, action, entity, id, and the record before and after as JSON.
// Repositories append inside the transaction of the write they describe; nothing else writes here.

#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>

namespace registry::store {

struct ChangeEntry {
    long long id = 0;
    std::string at;
    std::string actor;
    std::string action; // create, update, supersede, append, ...
    std::string entity; // facility, burial_site, price, ...
    long long entityId = 0;
    std::optional<std::string> beforeJson;
    std::optional<std::string> afterJson;
};

struct ChangeFilter {
    std::optional<std::string> entity;
    std::optional<long long> entityId;
};

class ChangeLog {
public:
    explicit ChangeLog(Database& db) : _db(db) {}

    /// For repositories: appends within the caller's open transaction on `sql`.
    static void append(soci::session& sql, const std::string& actor, const std::string& action,
                       const std::string& entity, long long entityId, const std::optional<std::string>& before,
                       const std::optional<std::string>& after);

    Page<ChangeEntry> list(const ChangeFilter& filter, const PageRequest& page);

private:
    Database& _db;
};

} // namespace registry::store
