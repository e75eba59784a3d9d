#pragma once
// Inspections of facilities and burial sites. Recorded, never edited: a later inspection is a new record.

#include "domain/Inspection.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>

namespace registry::store {

struct InspectionFilter {
    std::optional<domain::SubjectType> subjectType;
    std::optional<long long> subjectId;
    std::optional<std::string> district;
};

class InspectionRepository {
public:
    explicit InspectionRepository(Database& db) : _db(db) {}

    /// The district is taken from the subject. Throws ValidationFailed (also when the subject does not exist).
    domain::Inspection create(const domain::Inspection& inspection, const std::string& actor);
    std::optional<domain::Inspection> get(long long id);
    Page<domain::Inspection> list(const InspectionFilter& filter, const PageRequest& page);

private:
    Database& _db;
};

} // namespace registry::store
