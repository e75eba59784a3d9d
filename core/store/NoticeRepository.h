#pragma once
// Rectification notices and the findings they name. Each step (issue, response, verification) is one
// transaction with its change-log entry; a verification that finds the notice rectified resolves its
// findings in the same transaction.

#include "domain/Notice.h"
#include "store/Database.h"
#include "store/MailOutbox.h"
#include "store/Page.h"

#include <optional>
#include <string>

namespace registry::store {

struct NoticeFilter {
    std::optional<std::string> district;
    std::optional<domain::NoticeStatus> status;
    std::optional<domain::SubjectType> subjectType;
    std::optional<long long> subjectId;
    /// Only those past their deadline on this day and not verified.
    std::optional<std::string> overdueOn;
    /// Only those not verified (issued or responded).
    bool openOnly = false;
    /// Only those not verified whose deadline is from `dueFrom` on and before `dueBefore` (YYYY-MM-DD).
    std::optional<std::string> dueFrom, dueBefore;
};

class NoticeRepository {
public:
    explicit NoticeRepository(Database& db) : _db(db) {}

    /// Issues a notice on `today` (its year numbers it): the subject must exist (its district is the
    /// notice's), every finding must be an open or acknowledged finding about the subject (a facility's
    /// own, or one of its prices'). Throws ValidationFailed, nothing stored.
    domain::Notice issue(const domain::Notice& notice, const std::string& today, const std::string& actor);
    std::optional<domain::Notice> get(long long id);
    Page<domain::Notice> list(const NoticeFilter& filter, const PageRequest& page);

    /// The unit's answer: issued → responded. Throws NotFound, or Conflict<Notice> when the notice is not
    /// waiting for an answer. With `alert`, that mail is recorded in the same transaction, its event key
    /// ending in ":" and the notice's new version (each answer is its own event).
    domain::Notice respond(long long id, const domain::NoticeResponse& response, const std::string& actor,
                           const std::optional<MailDraft>& alert = std::nullopt);
    /// The verdict: rectified → verified (its findings resolved); not rectified → issued again with the new
    /// deadline. Throws NotFound, or Conflict<Notice> when the notice is verified already.
    domain::Notice verify(long long id, const domain::NoticeVerification& verification, const std::string& actor);

    /// Notices overdue on `today` (past their deadline, not verified) for which no mail
    /// "notice-overdue:<id>:<deadline>" is recorded yet, oldest first, at most `limit`.
    std::vector<domain::Notice> overdueWithoutAlert(const std::string& today, int limit);

private:
    Database& _db;
};

} // namespace registry::store
