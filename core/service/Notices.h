#pragma once
// Rectification notices (整改通知书): issued by an inspector from a facility's or a burial site's findings,
// answered by the unit (its operator, or an inspector on its behalf), verified after re-inspection. Every
// read says whether the notice is overdue on `today` (the date in audit.timezone, given by the front end).

#include "domain/Notice.h"
#include "service/Context.h"
#include "service/Permissions.h"
#include "store/NoticeRepository.h"

#include <optional>
#include <string>

namespace registry::service {

using NoticeFilter = store::NoticeFilter;

/// What a list asks for relative to the reader's today. Both leave verified notices out.
struct NoticeTiming {
    /// Past the deadline.
    bool overdue = false;
    /// Deadline from today through today + N - 1 (7: this week's); 1 to maxDueWithinDays.
    std::optional<int> dueWithinDays;
};
constexpr int maxDueWithinDays = 366;

class Notices {
public:
    Notices(Context context, std::string today) : _c(std::move(context)), _today(std::move(today)) {}

    /// The subject decides the district: another district's subject is refused before any field talk.
    domain::Notice issue(const Principal& who, const DraftSource<domain::Notice>& draft);
    /// May `who` issue a notice to this subject (NotAllowed otherwise, another district's subject too)? For
    /// the form before the notice; a subject that does not exist is left to the fields' validation of
    /// issue().
    void requireIssuer(const Principal& who, domain::SubjectType type, long long subjectId) const;
    domain::Notice get(const Principal& who, long long id);
    /// The filter as `who` may list it, with `timing` turned into dates: an operator's is its own
    /// facility's (another facility or district is NotFound), a district user's its district (another is
    /// NotAllowed). The one scoping of notice lists: the list and the export both go through it.
    NoticeFilter scope(const Principal& who, NoticeFilter filter, const NoticeTiming& timing) const;
    /// One page of a filter that `scope` returned, each notice dated on today.
    Page<domain::Notice> listScoped(const NoticeFilter& scoped, const PageRequest& page);
    Page<domain::Notice> list(const Principal& who, NoticeFilter filter, const NoticeTiming& timing,
                              const PageRequest& page);
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
