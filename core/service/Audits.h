#pragma once
// Price-compliance audits: start one (a district's or the city's), follow it, cancel it, read its report.
// A citywide audit is started and cancelled only by those who may run citywide audits.

#include "domain/Audit.h"
#include "service/Context.h"
#include "store/AuditRunRepository.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <optional>
#include <string>

namespace registry::service {

using AuditRunFilter = store::AuditRunFilter;

class Audits {
public:
    explicit Audits(Context context) : _c(std::move(context)) {}

    /// Queues an audit of `district`, or of the principal's own scope when not given (their district, or the
    /// city). Throws NotAllowed, Invalid (no such district) or Unavailable (this server runs no audits).
    domain::AuditRun start(const Principal& who, const DraftSource<std::optional<std::string>>& district);
    /// Runs one in the calling thread (the command line), with progress reports.
    domain::AuditRun runHere(const Principal& who, service::AuditService& service, const std::optional<std::string>& district,
                             const std::function<void(long long done, long long total)>& progress);

    Page<domain::AuditRun> list(const Principal& who, AuditRunFilter filter, const PageRequest& page);
    domain::AuditRun get(const Principal& who, long long id);
    /// The latest succeeded audit (the command line's default report); NotFound when none has.
    domain::AuditRun latestSucceeded(const Principal& who);

    /// Asks the run to stop: at once when queued, at its next batch when running. Returns the run as it
    /// then is; Conflict<AuditRun> when it has finished already.
    domain::AuditRun cancel(const Principal& who, long long id);
    /// May `who` cancel `run` (for offering the button)?
    bool mayCancel(const Principal& who, const domain::AuditRun& run) const;
    /// May `who` start an audit of their own scope (for offering the form)?
    bool mayStart(const Principal& who) const;

    /// A succeeded audit's report (audit::reportJson), a district principal's district only. Conflict when
    /// the audit has not succeeded.
    Poco::JSON::Object::Ptr report(const Principal& who, long long id);
    Poco::JSON::Object::Ptr report(const Principal& who, const domain::AuditRun& run);

private:
    service::AuditService& service();
    Context _c;
};

} // namespace registry::service
