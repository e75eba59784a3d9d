#pragma once
// The server's mail sender (mail.smtp_url): a thread that works through the outbox (store::MailOutbox) and
// records the overdue notices' alerts (Alerts::recordOverdue). Requests never wait for it: they only record
// rows. Each due row is claimed first (so that of several instances exactly one sends it), sent over SMTP
// with Poco's SMTPClientSession, and marked sent; a failure is retried with exponential backoff
// (mail.retry_seconds, doubling, at most an hour apart) until mail.max_attempts, then given up and logged.

#include "service/Alerts.h"
#include "store/Database.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace registry::service {

struct MailSettings {
    std::string smtpUrl;  ///< mail.smtp_url, smtp://[user:password@]host[:port]; "" turns mail off
    std::string host;     ///< from the URL
    int port = 25;        ///< from the URL
    std::string username, password; ///< from the URL; with a username the sender signs in (AUTH LOGIN)
    std::string from = "registry@localhost";
    int pollSeconds = 5;          ///< how often the outbox is looked at (and at once when a mail is recorded here)
    int overdueCheckSeconds = 60; ///< how often overdue notices are looked for
    int retrySeconds = 30;        ///< the wait after a first failure; doubled after each, at most maxRetrySeconds
    int maxRetrySeconds = 3600;
    int maxAttempts = 10;
    int timeoutSeconds = 5;       ///< connecting to and talking with the SMTP server

    bool enabled() const { return !smtpUrl.empty(); }
    /// Reads host, port and credentials from `url`; throws std::invalid_argument saying what is wrong.
    void parseUrl(const std::string& url);
};

class MailSender {
public:
    /// `today` is the date overdue is judged on (clock.today, or the real date in audit.timezone).
    MailSender(store::Database& db, MailSettings settings, const Alerts& alerts, std::function<std::string()> today);
    ~MailSender();
    MailSender(const MailSender&) = delete;
    MailSender& operator=(const MailSender&) = delete;

    void start();
    /// Wakes the thread and joins it (a send in progress finishes first, bounded by mail.timeout_s).
    void stop();
    /// Looks at the outbox now rather than at the next poll.
    void wake();

    /// One pass: the overdue look when it is due, then every due mail. Returns how many were sent.
    int runOnce();

private:
    void loop();
    /// Sends one mail; throws Poco::Exception or std::exception on failure.
    void send(const store::OutboxMail& mail);

    store::Database& _db;
    MailSettings _settings;
    const Alerts& _alerts;
    std::function<std::string()> _today;
    std::chrono::steady_clock::time_point _nextOverdueCheck{};

    std::mutex _mutex;
    std::condition_variable _wakeUp;
    bool _woken = false;
    bool _stopping = false;
    std::thread _thread;
};

} // namespace registry::service
