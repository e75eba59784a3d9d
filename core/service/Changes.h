#pragma once
// The append-only change log: the whole log (citywide admins and auditors: it spans every district), and
// the history of one record (anyone who may read the record).

#include "service/Context.h"
#include "store/ChangeLog.h"

#include <Poco/JSON/Object.h>

#include <string>

namespace registry::service {

using store::ChangeEntry;
using store::ChangeFilter;

class Changes {
public:
    explicit Changes(Context context) : _c(std::move(context)) {}

    Page<ChangeEntry> list(const Principal& who, const ChangeFilter& filter, const PageRequest& page);
    /// The history of a facility or burial site (`entity` "facility" or "burial_site"), oldest first.
    std::vector<ChangeEntry> ofRecord(const Principal& who, const std::string& entity, long long id);
    /// The record as it stood at `version` (the "before" of the entry that moved it past that version);
    /// null when the log does not hold it.
    Poco::JSON::Object::Ptr recordAtVersion(const Principal& who, const std::string& entity, long long id,
                                            long long version);

private:
    void requireReadable(const Principal& who, const std::string& entity, long long id);
    Context _c;
};

} // namespace registry::service
