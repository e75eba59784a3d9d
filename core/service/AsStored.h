#pragma once
// Internal to core/service: a facility or burial site as its repository will store it, for the plugins'
// checks that run before the write's transaction (service::RecordChecks): what the store sets itself (version,
// timestamps, the code an update keeps) filled in the way it will be.

#include "domain/Dates.h"

namespace registry::service {

/// A new record: version 1, created and updated now.
template <class Record> Record asCreated(Record record) {
    record.version = 1;
    record.createdAt = record.updatedAt = domain::nowTimestamp();
    return record;
}

/// `changed` stored over `current` at `expectedVersion`: its code and creation kept, the next version.
template <class Record> Record asUpdated(Record changed, const Record& current, long long expectedVersion) {
    changed.code = current.code;
    changed.createdAt = current.createdAt;
    changed.updatedAt = domain::nowTimestamp();
    changed.version = expectedVersion + 1;
    return changed;
}

} // namespace registry::service
