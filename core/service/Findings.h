#pragma once
// What the plugins found, and inspectors working through it: acknowledge, resolve, waive (with a note).

#include "domain/Finding.h"
#include "service/Context.h"
#include "store/FindingRepository.h"

namespace registry::service {

using FindingFilter = store::FindingFilter;

struct StatusChange {
    std::optional<domain::FindingStatus> status; // nullopt: not given (an error)
    std::string note;
};

class Findings {
public:
    explicit Findings(Context context) : _c(std::move(context)) {}

    Page<domain::Finding> list(const Principal& who, FindingFilter filter, const PageRequest& page);
    domain::Finding get(const Principal& who, long long id);
    /// Findings of one record (the first `limit`), for its detail page.
    std::vector<domain::Finding> ofSubject(const Principal& who, domain::SubjectType type, long long id, int limit = 100);

    domain::Finding setStatus(const Principal& who, long long id, const DraftSource<StatusChange>& draft);
    /// The same change for several findings: all of them or none (each must exist and be the
    /// principal's to change). Returns how many changed.
    std::size_t setStatuses(const Principal& who, const std::vector<long long>& ids, const StatusChange& change);

private:
    Context _c;
};

} // namespace registry::service
