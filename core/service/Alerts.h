#pragma once
// Mail alerts (API.md, Rectification notices, "Alerts"): what the district's users are told, and when. Each
// event is one row of the outbox (store::MailOutbox), recorded with the event where there is a transaction
// for it (a notice answered, an audit's merge) and by the sender's periodic look for a notice gone overdue.
// Present in the Context only when mail.smtp_url is set: without it no mail is composed or recorded.
//
// Who gets them: the active users whose district is the event's and who have an address; operators only
// for an overdue notice to their own facility (they are the ones who must act). Citywide users get none.

#include "domain/Notice.h"
#include "store/Database.h"
#include "store/MailOutbox.h"

#include <functional>
#include <string>

namespace registry::service {

class Alerts {
public:
    /// `wake` tells this server's sender that a mail was recorded (it would find it at its next poll anyway).
    explicit Alerts(std::function<void()> wake = {}) : _wake(std::move(wake)) {}

    /// A notice answered by its unit. The store ends the event key with the notice's new version.
    store::MailDraft noticeAnswered(const domain::Notice& notice, const domain::NoticeResponse& response,
                                    const std::string& answeredBy) const;
    /// A notice past its deadline on `today` and not verified: one mail per deadline.
    store::MailDraft noticeOverdue(const domain::Notice& notice, const std::string& today) const;
    /// An audit that opened `count` violations in `district`.
    store::MailDraft auditViolations(long long auditId, const std::string& district, long long count) const;

    /// Records the overdue mail of every notice overdue on `today` that has none yet; how many it recorded.
    int recordOverdue(store::Database& db, const std::string& today) const;

    void wake() const {
        if (_wake) _wake();
    }

private:
    std::function<void()> _wake;
};

} // namespace registry::service
