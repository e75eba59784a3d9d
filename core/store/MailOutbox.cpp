#include "store/MailOutbox.h"

#include "domain/Dates.h"
#include "store/SqlQuery.h"

#include <Poco/StringTokenizer.h>

#include <algorithm>

namespace registry::store {

namespace {

// The district's users with an address: every active user of the district but operators, and the
// operators of the facility when one is named.
std::vector<std::string> recipientsOf(soci::session& sql, const MailDraft& mail) {
    std::vector<std::string> out;
    std::string email;
    const long long facility = mail.facilityId.value_or(0);
    soci::statement st =
        (sql.prepare << "SELECT email FROM users WHERE district = :district AND active = 1 AND email IS NOT NULL "
                        "AND email <> '' AND (role <> 'operator' OR facility_id = :facility) ORDER BY id",
         soci::use(mail.district), soci::use(facility), soci::into(email));
    st.execute();
    while (st.fetch())
        if (std::find(out.begin(), out.end(), email) == out.end()) out.push_back(email);
    return out;
}

std::string joined(const std::vector<std::string>& addresses) {
    std::string out;
    for (const auto& a : addresses) out += (out.empty() ? "" : ", ") + a;
    return out;
}

} // namespace

bool MailOutbox::enqueueIn(soci::session& sql, const MailDraft& mail) {
    const auto recipients = recipientsOf(sql, mail);
    const std::string now = domain::nowTimestamp(), list = joined(recipients);
    // No one to tell: recorded as done, so the event is not looked at again.
    std::string sentAt = now, error = "no recipients", next = now;
    soci::indicator sentInd = recipients.empty() ? soci::i_ok : soci::i_null;
    soci::indicator errorInd = sentInd, nextInd = recipients.empty() ? soci::i_null : soci::i_ok;
    const std::string insert = sql.get_backend_name() == "mysql" ? "INSERT IGNORE" : "INSERT OR IGNORE";
    soci::statement st = (sql.prepare << insert + " INTO mail_outbox (event_key, district, subject, body, recipients, "
                                                  "created_at, attempts, next_attempt_at, sent_at, last_error) VALUES "
                                                  "(:key, :district, :subject, :body, :recipients, :created, 0, :next, "
                                                  ":sent, :error)",
                          soci::use(mail.eventKey), soci::use(mail.district), soci::use(mail.subject),
                          soci::use(mail.body), soci::use(list), soci::use(now), soci::use(next, nextInd),
                          soci::use(sentAt, sentInd), soci::use(error, errorInd));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

bool MailOutbox::enqueue(const MailDraft& mail) {
    return retryConflicts([&]() -> bool {
        Database::Session session(_db);
        Transaction tx(session);
        const bool added = enqueueIn(session.sql(), mail);
        tx.commit();
        return added;
    });
}

std::vector<OutboxMail> MailOutbox::due(const std::string& now, int limit) {
    Database::Session session(_db);
    auto& sql = session.sql();
    std::vector<OutboxMail> out;
    OutboxMail m;
    std::string recipients;
    soci::indicator districtInd{};
    soci::statement st = (sql.prepare << "SELECT id, event_key, district, subject, body, recipients, attempts, "
                                         "next_attempt_at FROM mail_outbox WHERE sent_at IS NULL AND "
                                         "next_attempt_at IS NOT NULL AND next_attempt_at <= :now ORDER BY id LIMIT " +
                                             std::to_string(limit),
                          soci::use(now), soci::into(m.id), soci::into(m.eventKey), soci::into(m.district, districtInd),
                          soci::into(m.subject), soci::into(m.body), soci::into(recipients), soci::into(m.attempts),
                          soci::into(m.nextAttemptAt));
    st.execute();
    while (st.fetch()) {
        OutboxMail row = m;
        if (districtInd != soci::i_ok) row.district.clear();
        Poco::StringTokenizer addresses(recipients, ",",
                                        Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
        row.recipients.assign(addresses.begin(), addresses.end());
        out.push_back(std::move(row));
    }
    return out;
}

bool MailOutbox::claim(long long id, const std::string& seenNextAttempt, const std::string& until) {
    Database::Session session(_db);
    soci::statement st = (session.sql().prepare << "UPDATE mail_outbox SET next_attempt_at = :until WHERE id = :id "
                                                   "AND next_attempt_at = :seen AND sent_at IS NULL",
                          soci::use(until), soci::use(id), soci::use(seenNextAttempt));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

void MailOutbox::markSent(long long id, const std::string& now) {
    Database::Session session(_db);
    session.sql() << "UPDATE mail_outbox SET sent_at = :now, attempts = attempts + 1, next_attempt_at = NULL "
                     "WHERE id = :id",
        soci::use(now), soci::use(id);
}

void MailOutbox::markFailed(long long id, const std::string& error, const std::optional<std::string>& nextAttemptAt) {
    Database::Session session(_db);
    std::string next = nextAttemptAt.value_or("");
    soci::indicator nextInd = nextAttemptAt ? soci::i_ok : soci::i_null;
    const std::string kept = error.substr(0, 1000);
    session.sql() << "UPDATE mail_outbox SET attempts = attempts + 1, last_error = :error, next_attempt_at = :next "
                     "WHERE id = :id",
        soci::use(kept), soci::use(next, nextInd), soci::use(id);
}

std::vector<OutboxRow> MailOutbox::list(int limit) {
    Database::Session session(_db);
    std::vector<OutboxRow> out;
    OutboxRow r;
    std::string district, next, sent, error;
    soci::indicator districtInd{}, nextInd{}, sentInd{}, errorInd{};
    soci::statement st = (session.sql().prepare << "SELECT id, event_key, district, recipients, attempts, "
                                                   "next_attempt_at, sent_at, last_error FROM mail_outbox ORDER BY id "
                                                   "LIMIT " + std::to_string(limit),
                          soci::into(r.id), soci::into(r.eventKey), soci::into(district, districtInd),
                          soci::into(r.recipients), soci::into(r.attempts), soci::into(next, nextInd),
                          soci::into(sent, sentInd), soci::into(error, errorInd));
    st.execute();
    while (st.fetch()) {
        OutboxRow row = r;
        row.district = districtInd == soci::i_ok ? district : "";
        row.nextAttemptAt = nextInd == soci::i_ok ? std::optional<std::string>(next) : std::nullopt;
        row.sentAt = sentInd == soci::i_ok ? std::optional<std::string>(sent) : std::nullopt;
        row.lastError = errorInd == soci::i_ok ? std::optional<std::string>(error) : std::nullopt;
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace registry::store
