#pragma once
// Rectification notices (整改通知书): issued by an inspector from a facility's or a burial site's findings,
// answered by the unit (its operator, or an inspector on its behalf), verified after re-inspection. Every
// read says whether the notice is overdue on `today` (the date in audit.timezone, given by the front end).

#include "domain/Notice.h"
#include "service/Context.h"
#include "service/Permissions.h"
#include "store/NoticeRepository.h"

#include <string>

namespace registry::service {

using NoticeFilter = store::NoticeFilter;

class Notices {
public:
    Notices(Context context, std::string today) : _c(std::move(context)), _today(std::move(today)) {}

    /// The subject decides the district: another district's subject is refused before any field talk.
    domain::Notice issue(const Principal& who, const DraftSource<domain::Notice>& draft);
    domain::Notice get(const Principal& who, long long id);
    /// `overdue`: only those past their deadline today and not verified.
    Page<domain::Notice> list(const Principal& who, NoticeFilter filter, bool overdue, const PageRequest& page);
    /// Conflict when the notice is not waiting for an answer (responded or verified).
    domain::Notice respond(const Principal& who, long long id, const DraftSource<domain::NoticeResponse>& draft);
    /// Conflict when the notice is verified already.
    domain::Notice verify(const Principal& who, long long id, const DraftSource<domain::NoticeVerification>& draft);

private:
    domain::Notice dated(domain::Notice notice) const;
    /// The notice, for `action` by `who`: an operator reaches only its own facility's notices.
    domain::Notice load(const Principal& who, long long id, Action action);
    Context _c;
    std::string _today;
};

} // namespace registry::service
