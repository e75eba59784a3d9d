#pragma once
// The mail outbox: one row per event that is to be mailed (a notice answered or overdue, an audit's new
// violations in a district). The event key is unique, so recording an event twice (another instance, a
// restart, a second look at the same overdue notice) records it once. The recipients are fixed when the
// event is recorded: the active users of the district with an address (never another district's). The
// server's sender (service::MailSender) claims due rows, sends them and marks them sent or failed.

#include "store/Database.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::store {

/// A mail to record, as the service composed it.
struct MailDraft {
    std::string eventKey; ///< unique per event, e.g. "notice-overdue:17:2026-12-20"
    std::string district; ///< whose users get it
    std::string subject;
    std::string body;
    /// Also the operators of this facility with an address (an overdue notice to a facility).
    std::optional<long long> facilityId;
};

/// A recorded mail waiting to be sent.
struct OutboxMail {
    long long id = 0;
    std::string eventKey, district, subject, body;
    std::vector<std::string> recipients;
    int attempts = 0;
    std::string nextAttemptAt;
};

/// A recorded mail as the tests and operators look at it.
struct OutboxRow {
    long long id = 0;
    std::string eventKey, district, recipients;
    int attempts = 0;
    std::optional<std::string> nextAttemptAt, sentAt, lastError;
};

class MailOutbox {
public:
    explicit MailOutbox(Database& db) : _db(db) {}

    /// Records `mail` in the caller's transaction, with its recipients: the active users whose district is
    /// the mail's (operators only those of `facilityId`) and who have an address. A mail with no recipient
    /// is recorded as done at once (sent_at set, last_error "no recipients"), so the event counts as told.
    /// Returns false, changing nothing, when the event key is recorded already.
    static bool enqueueIn(soci::session& sql, const MailDraft& mail);
    /// The same in a transaction of its own.
    bool enqueue(const MailDraft& mail);

    /// Unsent mails due at `now` (next_attempt_at not after it), oldest first, at most `limit`.
    std::vector<OutboxMail> due(const std::string& now, int limit);
    /// Takes a due mail for sending until `until`: true for exactly one of the instances that try, the one
    /// whose update still saw next_attempt_at as `seenNextAttempt`.
    bool claim(long long id, const std::string& seenNextAttempt, const std::string& until);
    void markSent(long long id, const std::string& now);
    /// One failed attempt: attempts + 1, the error kept, and the next attempt at `nextAttemptAt` (nullopt:
    /// given up, never tried again).
    void markFailed(long long id, const std::string& error, const std::optional<std::string>& nextAttemptAt);

    /// Every recorded mail, oldest first (at most `limit`).
    std::vector<OutboxRow> list(int limit = 1000);

private:
    Database& _db;
};

} // namespace registry::store
