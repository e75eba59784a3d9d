#pragma once
// Facilities: create (code assigned), get, list with the API's filters, update with optimistic
// concurrency. No delete: a facility is closed by its status.

#include "domain/Facility.h"
#include "domain/Finding.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::store {

struct FacilityFilter {
    std::optional<long long> id; // just this facility (an operator's list)
    std::optional<std::string> district;
    std::optional<domain::FacilityKind> kind;
    std::optional<domain::FacilityStatus> status;
    std::optional<domain::PlanAction> planAction;
    std::string q; // substring of name, code or address
    bool searchCode = true; // false: q matches name and address only (the public search: codes are internal)
};

class FacilityRepository {
public:
    explicit FacilityRepository(Database& db) : _db(db) {}

    /// Validates, assigns the code, stores with version 1 and logs the change. Throws ValidationFailed.
    /// `findings` (here and in update): the checks' findings of the record as it will be stored, written in
    /// the same transaction.
    domain::Facility create(const domain::Facility& facility, const std::string& actor,
                            const std::vector<domain::Finding>& findings = {});

    std::optional<domain::Facility> get(long long id);
    /// The facilities among `ids` that exist, in id order, read in one query (an audit batch's).
    std::vector<domain::Facility> getMany(const std::vector<long long>& ids);

    Page<domain::Facility> list(const FacilityFilter& filter, const PageRequest& page);

    /// Replaces the client-writable fields of facility `changed.id` if its version is still
    /// `expectedVersion`. Throws NotFound, ValidationFailed, or Conflict<Facility> with the current record.
    domain::Facility update(const domain::Facility& changed, long long expectedVersion, const std::string& actor,
                            const std::vector<domain::Finding>& findings = {});

private:
    Database& _db;
};

/// Internal to core/store: reads one facility inside an open session; `lockForUpdate` holds the row for the
/// rest of the transaction (MySQL; SQLite's write transaction already excludes other writers).
std::optional<domain::Facility> loadFacility(Database::Session& session, long long id, bool lockForUpdate = false);

} // namespace registry::store
