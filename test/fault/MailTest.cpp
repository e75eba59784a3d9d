// Mail alerts (API.md, Rectification notices, "Alerts") against a real SMTP server on loopback: Debian's
// aiosmtpd, started and stopped by the test by PID, keeping each mail it receives in a Maildir. Through the
// HTTP API of real servers: an audit that opens violations mails each district that has new ones, a notice
// answered mails its district, a notice gone overdue mails once per deadline (also across restarts and with
// two servers looking), a mail that could not be sent arrives once the SMTP server is back, and a server
// without mail.smtp_url records nothing.
#include "app/RunProgram.h"
#include "fault/FaultSupport.h"
#include "store/Database.h"
#include "store/MailOutbox.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Process.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace registry::faulttest;

namespace {

/// One received mail: its headers (names in lower case, folded lines joined).
struct Mail {
    std::map<std::string, std::string> headers;
    std::string event() const { return headers.count("x-registry-event") ? headers.at("x-registry-event") : ""; }
    /// The envelope's recipients, as aiosmtpd records them (X-RcptTo).
    std::set<std::string> recipients() const {
        std::set<std::string> out;
        std::string list = headers.count("x-rcptto") ? headers.at("x-rcptto") : "";
        std::istringstream in(list);
        std::string one;
        while (std::getline(in, one, ',')) out.insert(Poco::trim(one));
        return out;
    }
};

/// aiosmtpd on 127.0.0.1:port, keeping mails in a Maildir.
class SmtpServer {
public:
    SmtpServer(std::string dir) : _dir(std::move(dir)), _port(registry::test::freePort()) {}
    ~SmtpServer() { stop(); }
    int port() const { return _port; }

    void start() {
        // A Maildir: Python's mailbox creates its tmp/new/cur only in a folder it creates itself.
        for (const char* sub : {"/tmp", "/new", "/cur"}) Poco::File(_dir + sub).createDirectories();
        Poco::Process::Args args{"-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(_port),
                                 "-c", "aiosmtpd.handlers.Mailbox", _dir};
        _process = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch("/usr/bin/python3", args));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            try {
                Poco::Net::StreamSocket s;
                s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(_port)),
                          Poco::Timespan(1, 0));
                return;
            } catch (const Poco::Exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        BOOST_FAIL("aiosmtpd did not listen on port " << _port << " within 20 s");
    }

    void stop() {
        if (!_process) return;
        Poco::Process::kill(*_process);
        _process->wait();
        _process.reset();
    }

    /// Every mail received so far.
    std::vector<Mail> mails() const {
        std::vector<Mail> out;
        const std::string fresh = _dir + "/new";
        if (!Poco::File(fresh).exists()) return out;
        for (Poco::DirectoryIterator it(fresh), end; it != end; ++it) {
            std::ifstream in(it->path());
            Mail mail;
            std::string line, name;
            while (std::getline(in, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (line.empty()) break;
                if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {
                    mail.headers[name] += " " + Poco::trim(line);
                    continue;
                }
                const auto colon = line.find(':');
                if (colon == std::string::npos) continue;
                name = Poco::toLower(line.substr(0, colon));
                mail.headers[name] = Poco::trim(line.substr(colon + 1));
            }
            out.push_back(std::move(mail));
        }
        return out;
    }

    std::vector<Mail> mailsOf(const std::string& eventPrefix) const {
        std::vector<Mail> out;
        for (auto& m : mails())
            if (m.event().rfind(eventPrefix, 0) == 0) out.push_back(std::move(m));
        return out;
    }

    /// Waits (at most `seconds`) until `count` mails of the event prefix are in; what is in then.
    std::vector<Mail> await(const std::string& eventPrefix, std::size_t count, int seconds = 20) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        auto found = mailsOf(eventPrefix);
        while (found.size() < count && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            found = mailsOf(eventPrefix);
        }
        return found;
    }

private:
    std::string _dir;
    int _port;
    std::unique_ptr<Poco::ProcessHandle> _process;
};

long long createUser(int port, const std::string& admin, const std::string& name, const std::string& role,
                     const Poco::Dynamic::Var& district, const Poco::Dynamic::Var& email,
                     const Poco::Dynamic::Var& facility = Poco::Dynamic::Var()) {
    JsonObject u = new Poco::JSON::Object;
    u->set("username", name);
    u->set("role", role);
    u->set("district", district);
    u->set("email", email);
    if (!facility.isEmpty()) u->set("facility_id", facility);
    u->set("password", "correct-horse-battery");
    const auto created = call(port, "POST", "/api/v1/users", admin, stringify(u));
    BOOST_REQUIRE_MESSAGE(created.status == 201, created.body);
    return created.obj()->getValue<long long>("id");
}

/// A facility with an undisplayed price (common.price-display's violation) in `district`.
long long facilityWithViolation(int port, const std::string& admin, const std::string& name,
                                const std::string& district) {
    auto f = facilityBody(name);
    f->set("district", district);
    const auto facility = call(port, "POST", "/api/v1/facilities", admin, stringify(f));
    BOOST_REQUIRE_MESSAGE(facility.status == 201, facility.body);
    const long long id = facility.obj()->getValue<long long>("id");
    auto price = priceBody(id, "goods.urn", 80000, "2024-01-01");
    price->set("displayed", false);
    const auto priced = call(port, "POST", "/api/v1/prices", admin, stringify(price));
    BOOST_REQUIRE_MESSAGE(priced.status == 201, priced.body);
    return id;
}

std::size_t outboxRows(const Registry& registry) {
    registry::store::DatabaseOptions options;
    options.poolSize = 1;
    registry::store::Database db(registry.url(), options);
    return registry::store::MailOutbox(db).list().size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(Mail)

BOOST_AUTO_TEST_CASE(one_mail_per_event_to_the_districts_users_with_an_address) {
    Registry registry;
    SmtpServer smtp(registry.dir() + "/maildir");
    smtp.start();
    const std::string plugins = "plugins.dir=" REGISTRY_SOURCE_DIR "/plugins";
    const std::vector<std::string> mail{"plugins.watch_interval_ms=0", "mail.smtp_url=smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                        "mail.from=registry@example.cn", "mail.poll_seconds=1",
                                        "mail.overdue_check_seconds=1", "mail.retry_seconds=1"};
    // Without plugins: records that break the rules with no finding yet, for the audit to find.
    ServerProcess bare(registry, {"plugins.dir=" + registry.dir() + "/none", "plugins.watch_interval_ms=0"});
    // With plugins, without mail: its events record nothing.
    ServerProcess quiet(registry, {plugins, "plugins.watch_interval_ms=0"});
    auto mailing = mail;
    mailing.push_back(plugins);
    ServerProcess mailer(registry, mailing);
    bare.start();
    quiet.start();
    mailer.start();
    const auto admin = registry.token("admin"), insp = registry.token("insp");

    const long long haidian = facilityWithViolation(bare.port(), admin, "海淀通知殡仪馆", "110108");
    facilityWithViolation(bare.port(), admin, "朝阳通知殡仪馆", "110105");
    createUser(mailer.port(), admin, "hd_mail", "inspector", "110108", "hd@example.cn");
    createUser(mailer.port(), admin, "hd_none", "inspector", "110108", Poco::Dynamic::Var());
    createUser(mailer.port(), admin, "cy_mail", "inspector", "110105", "cy@example.cn");
    createUser(mailer.port(), admin, "city_mail", "admin", Poco::Dynamic::Var(), "city@example.cn");
    createUser(mailer.port(), admin, "hd_op", "operator", "110108", "op@example.cn", haidian);
    // A bad address is a field error, not a stored header.
    JsonObject bad = new Poco::JSON::Object;
    bad->set("username", "bad_mail");
    bad->set("role", "inspector");
    bad->set("district", "110108");
    bad->set("email", "a@example.cn\r\nBcc: x@evil.example");
    bad->set("password", "correct-horse-battery");
    const auto refused = call(mailer.port(), "POST", "/api/v1/users", admin, stringify(bad));
    BOOST_TEST(refused.status == 422, refused.body);
    BOOST_TEST(refused.body.find("email") != std::string::npos);

    // An audit that opens violations in two districts: one mail each, to that district's users only.
    const auto audit = call(mailer.port(), "POST", "/api/v1/audits", admin, std::string("{}"));
    BOOST_REQUIRE_MESSAGE(audit.status == 202, audit.body);
    const auto audits = smtp.await("audit-violations:", 2);
    BOOST_REQUIRE_EQUAL(audits.size(), 2u);
    std::map<std::string, std::set<std::string>> byDistrict;
    for (const auto& m : audits) byDistrict[m.event().substr(m.event().rfind(':') + 1)] = m.recipients();
    BOOST_TEST((byDistrict["110108"] == std::set<std::string>{"hd@example.cn"}));
    BOOST_TEST((byDistrict["110105"] == std::set<std::string>{"cy@example.cn"}));
    const auto rowsAfterAudit = outboxRows(registry);

    // The Haidian notice, from the finding the audit opened.
    const auto findings = listAll(mailer.port(), admin, "/api/v1/findings?district=110108&status=open");
    BOOST_REQUIRE(!findings.empty());
    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    ids->add(findings.front()->getValue<long long>("id"));
    const auto notice = body({{"subject_type", "facility"}, {"subject_id", haidian}, {"finding_ids", ids},
                              {"requirements", "公示全部收费项目"}, {"deadline", daysAhead(30)}});

    // Answered through the server without mail: nothing recorded.
    const auto first = call(quiet.port(), "POST", "/api/v1/notices", insp, notice);
    BOOST_REQUIRE_MESSAGE(first.status == 201, first.body);
    const std::string firstPath = "/api/v1/notices/" + std::to_string(first.obj()->getValue<long long>("id"));
    BOOST_REQUIRE_EQUAL(call(quiet.port(), "POST", firstPath + "/response", insp, body({{"text", "已整改"}})).status, 200);
    BOOST_TEST(outboxRows(registry) == rowsAfterAudit);

    // Answered through the mailing server: one mail, to Haidian's users with an address but its operator.
    const auto second = call(mailer.port(), "POST", "/api/v1/notices", insp, notice);
    BOOST_REQUIRE_MESSAGE(second.status == 201, second.body);
    const long long secondId = second.obj()->getValue<long long>("id");
    const std::string secondPath = "/api/v1/notices/" + std::to_string(secondId);
    const auto answered = call(mailer.port(), "POST", secondPath + "/response", insp, body({{"text", "已公示价格"}}));
    BOOST_REQUIRE_MESSAGE(answered.status == 200, answered.body);
    const auto answers = smtp.await("notice-answered:", 1);
    BOOST_REQUIRE_EQUAL(answers.size(), 1u);
    BOOST_TEST(answers.front().event() == "notice-answered:" + std::to_string(secondId) + ":2");
    BOOST_TEST((answers.front().recipients() == std::set<std::string>{"hd@example.cn"}));
    BOOST_TEST(answers.front().headers.at("subject").find("=?UTF-8?") != std::string::npos);
    BOOST_TEST(answers.front().headers.count("to") == 0u); // blind copies only
    BOOST_TEST(answers.front().headers.count("bcc") == 0u);

    // Past the deadline: two servers looking, restarted, and the mailing one too: one mail per notice, to
    // Haidian's users and the facility's operator.
    auto later = mailing;
    later.push_back("clock.today=" + daysAhead(45));
    {
        ServerProcess overdueA(registry, later), overdueB(registry, later);
        overdueA.start();
        overdueB.start();
        const auto overdue = smtp.await("notice-overdue:", 2);
        BOOST_REQUIRE_EQUAL(overdue.size(), 2u);
        for (const auto& m : overdue)
            BOOST_TEST((m.recipients() == std::set<std::string>{"hd@example.cn", "op@example.cn"}), m.event());
        std::this_thread::sleep_for(std::chrono::milliseconds(2500)); // a couple of checks
        overdueA.stop();
        overdueA.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        BOOST_TEST(smtp.mailsOf("notice-overdue:").size() == 2u);

        // Sent back with a new deadline that passes too, while the SMTP server is down: the mail is
        // retried and arrives once when it is back.
        smtp.stop();
        const auto sentBack = call(mailer.port(), "POST", secondPath + "/verify", insp,
                                   body({{"result", "not_rectified"}, {"note", "仍未公示"}, {"deadline", daysAhead(40)}}));
        BOOST_REQUIRE_MESSAGE(sentBack.status == 200, sentBack.body);
        const std::string key = "notice-overdue:" + std::to_string(secondId) + ":" + daysAhead(40);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        bool failedOnce = false;
        while (!failedOnce && std::chrono::steady_clock::now() < deadline) {
            registry::store::DatabaseOptions options;
            options.poolSize = 1;
            registry::store::Database db(registry.url(), options);
            for (const auto& row : registry::store::MailOutbox(db).list())
                if (row.eventKey == key && row.attempts >= 1 && !row.sentAt && row.lastError) failedOnce = true;
            if (!failedOnce) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        BOOST_REQUIRE_MESSAGE(failedOnce, "no failed attempt of " << key << " recorded");
        smtp.start();
        const auto retried = smtp.await(key, 1);
        BOOST_TEST(retried.size() == 1u);
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        BOOST_TEST(smtp.mailsOf(key).size() == 1u);
    }
    BOOST_TEST(smtp.mailsOf("notice-overdue:").size() == 3u);
    BOOST_TEST(smtp.mailsOf("notice-answered:").size() == 1u);
    BOOST_TEST(smtp.mailsOf("audit-violations:").size() == 2u);
    BOOST_TEST(smtp.mails().size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_bad_smtp_url_is_refused_at_start) {
    Registry registry;
    const auto out = [&] {
        try {
            registry.run({"--set", "mail.smtp_url=http://mail.example.cn", "migrate"});
            return std::string();
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
    }();
    BOOST_TEST(out.find("mail.smtp_url") != std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()
