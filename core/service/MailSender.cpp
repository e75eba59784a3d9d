#include "service/MailSender.h"

#include "domain/Dates.h"
#include "domain/LogText.h"
#include "store/MailOutbox.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <stdexcept>

namespace registry::service {

void MailSettings::parseUrl(const std::string& url) {
    smtpUrl = url;
    if (url.empty()) return;
    const std::string example = " (write smtp://host:port, or smtp://user:password@host:port)";
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::SyntaxException& e) {
        throw std::invalid_argument("not a URL: " + e.message() + example);
    }
    if (uri.getScheme() != "smtp") throw std::invalid_argument("the scheme must be smtp" + example);
    if (uri.getHost().empty()) throw std::invalid_argument("no host" + example);
    if ((!uri.getPath().empty() && uri.getPath() != "/") || !uri.getRawQuery().empty() || !uri.getFragment().empty())
        throw std::invalid_argument("only a host, a port and credentials go into it" + example);
    host = uri.getHost();
    port = uri.getPort() == 0 ? 25 : uri.getPort();
    const std::string info = uri.getUserInfo();
    username.clear();
    password.clear();
    if (!info.empty()) {
        const auto colon = info.find(':');
        Poco::URI::decode(info.substr(0, colon), username);
        if (colon != std::string::npos) Poco::URI::decode(info.substr(colon + 1), password);
    }
}

MailSender::MailSender(store::Database& db, MailSettings settings, const Alerts& alerts,
                       std::function<std::string()> today)
    : _db(db), _settings(std::move(settings)), _alerts(alerts), _today(std::move(today)) {}

MailSender::~MailSender() { stop(); }

void MailSender::start() {
    std::lock_guard<std::mutex> lock(_mutex);
    if (_thread.joinable()) return;
    _stopping = false;
    _thread = std::thread([this] { loop(); });
}

void MailSender::stop() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stopping = true;
    }
    _wakeUp.notify_all();
    if (_thread.joinable()) _thread.join();
}

void MailSender::wake() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _woken = true;
    }
    _wakeUp.notify_all();
}

void MailSender::loop() {
    auto& log = Poco::Logger::get("registry.mail");
    log.information("mail: sending through %s:%d as %s", _settings.host, _settings.port, _settings.from);
    for (;;) {
        try {
            runOnce();
        } catch (const std::exception& e) {
            // The database away, most likely: the outbox keeps everything for the next pass.
            log.warning("mail: %s", domain::logSafe(e.what()));
        }
        std::unique_lock<std::mutex> lock(_mutex);
        _wakeUp.wait_for(lock, std::chrono::seconds(_settings.pollSeconds), [this] { return _stopping || _woken; });
        if (_stopping) return;
        _woken = false;
    }
}

int MailSender::runOnce() {
    auto& log = Poco::Logger::get("registry.mail");
    const auto steadyNow = std::chrono::steady_clock::now();
    if (steadyNow >= _nextOverdueCheck) {
        _nextOverdueCheck = steadyNow + std::chrono::seconds(_settings.overdueCheckSeconds);
        if (const int recorded = _alerts.recordOverdue(_db, _today()); recorded > 0)
            log.information("mail: %d overdue notices to tell", recorded);
    }
    store::MailOutbox outbox(_db);
    int sent = 0;
    const auto nowMs = domain::nowEpochMs();
    for (const auto& mail : outbox.due(domain::formatTimestamp(nowMs), 50)) {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            if (_stopping) break;
        }
        // Long enough for any one send to finish: another instance takes it over only after that.
        const auto until = domain::formatTimestamp(domain::nowEpochMs() + std::max(300, 4 * _settings.timeoutSeconds) * 1000LL);
        if (!outbox.claim(mail.id, mail.nextAttemptAt, until)) continue; // another instance has it
        try {
            send(mail);
            outbox.markSent(mail.id, domain::nowTimestamp());
            ++sent;
            log.information("mail: sent %s to %z recipients", mail.eventKey, mail.recipients.size());
        } catch (const std::exception& e) {
            const std::string error = dynamic_cast<const Poco::Exception*>(&e)
                                          ? dynamic_cast<const Poco::Exception&>(e).displayText()
                                          : std::string(e.what());
            const int attempts = mail.attempts + 1;
            if (attempts >= _settings.maxAttempts) {
                outbox.markFailed(mail.id, error, std::nullopt);
                log.error("mail: gave up on %s after %d attempts: %s", mail.eventKey, attempts, domain::logSafe(error));
                continue;
            }
            long long wait = _settings.retrySeconds;
            for (int i = 1; i < attempts && wait < _settings.maxRetrySeconds; ++i) wait *= 2;
            wait = std::min<long long>(wait, _settings.maxRetrySeconds);
            outbox.markFailed(mail.id, error, domain::formatTimestamp(domain::nowEpochMs() + wait * 1000));
            log.warning("mail: %s not sent (attempt %d), again in %s s: %s", mail.eventKey, attempts,
                        std::to_string(wait), domain::logSafe(error));
        }
    }
    return sent;
}

void MailSender::send(const store::OutboxMail& mail) {
    using namespace Poco::Net;
    const Poco::Timespan timeout(_settings.timeoutSeconds, 0);
    StreamSocket socket;
    socket.connect(SocketAddress(_settings.host, static_cast<Poco::UInt16>(_settings.port)), timeout);
    socket.setReceiveTimeout(timeout);
    socket.setSendTimeout(timeout);
    SMTPClientSession session(socket);
    session.setTimeout(timeout);
    if (_settings.username.empty())
        session.login();
    else
        session.login(SMTPClientSession::AUTH_LOGIN, _settings.username, _settings.password);
    MailMessage message;
    message.setSender(_settings.from);
    // Blind copies: no recipient learns the others' addresses (an operator never sees the inspectors').
    for (const auto& to : mail.recipients) message.addRecipient(MailRecipient(MailRecipient::BCC_RECIPIENT, to));
    message.setSubject(MailMessage::encodeWord(mail.subject, "UTF-8"));
    message.set("X-Registry-Event", mail.eventKey);
    message.setContentType("text/plain; charset=UTF-8");
    message.setContent(mail.body, MailMessage::ENCODING_QUOTED_PRINTABLE);
    session.sendMessage(message);
    session.close();
}

} // namespace registry::service
