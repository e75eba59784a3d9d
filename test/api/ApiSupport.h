#pragma once
// The API tests talk to a real `funeral-registry serve` over HTTP, as a client that knows only API.md.
// One server per test run (started on first use, stopped by a global fixture at the end) on a fresh
// database of the test backend (REGISTRY_TEST_BACKEND), with these users, added by the CLI before it starts:
//
//   admin      admin        citywide
//   insp       inspector    110108 (Haidian)
//   insp105    inspector    110105 (Chaoyang)
//   inspcity   inspector    citywide
//   it         district_it  110108
//   aud        auditor      citywide
//   adminh     admin        110108 (an admin with a district)
//
// plus a few users kept for tests that spoil them (lockout, revocation, deactivation).

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/NameValueCollection.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace Poco {
class ProcessHandle;
}
namespace registry::test {
class TempDir;
}

namespace registry::apitest {

constexpr const char* kOwn = "110108";   // Haidian: the district of `insp` and `it`
constexpr const char* kOther = "110105"; // Chaoyang
/// The password every test user gets (the CLI's minimum is 10 characters).
constexpr const char* kPassword = "correct-horse-42";

using JsonObject = Poco::JSON::Object::Ptr;
using JsonArray = Poco::JSON::Array::Ptr;

/// {"key": value, ...} in the given order.
JsonObject object(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> members);
JsonArray array(std::initializer_list<Poco::Dynamic::Var> values);
std::string stringify(const Poco::Dynamic::Var& value);
/// A copy of `o` (shallow values) with the given members set (or removed, for an empty Var with remove=true).
JsonObject with(const JsonObject& o, std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> members);
JsonObject without(const JsonObject& o, std::initializer_list<std::string> names);

/// What a client saw.
struct Response {
    int status = 0;
    Poco::Net::NameValueCollection headers;
    std::string contentType;
    std::string body;
    Poco::Dynamic::Var json; // empty unless the body parsed as JSON

    bool isProblem() const { return contentType.rfind("application/problem+json", 0) == 0; }
    std::string header(const std::string& name) const { return headers.get(name, ""); }
    bool hasHeader(const std::string& name) const { return headers.has(name); }
    /// The body as an object (a failed check and an empty object otherwise).
    JsonObject obj() const;
    /// body.items of a list answer.
    JsonArray items() const;
    std::string str(const std::string& key) const;
    long long num(const std::string& key) const;
    bool isNull(const std::string& key) const;
    long long id() const { return num("id"); }
    /// "<version>" as a quoted ETag.
    std::string etag() const { return header("ETag"); }
    /// (field, code) of each entry of a problem's `errors`.
    std::set<std::pair<std::string, std::string>> errors() const;
    bool hasError(const std::string& field, const std::string& code) const;
    std::set<std::string> errorFields() const;
    /// The message of the (first) error about `field`; "" when there is none.
    std::string message(const std::string& field) const;
    /// The record of a record answer, without what only a write's answer carries (the plugins' "checks"),
    /// as canonical JSON text: equal for the same stored record.
    std::string record() const;
    /// "<status> <body>" for failure messages.
    std::string describe() const;
};

/// One HTTP request on a new connection to the test server.
struct Request {
    std::string method = "GET";
    std::string path;
    std::optional<std::string> body; // sent with Content-Length unless chunked
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    bool chunked = false;
    /// Sends a Content-Length of this many bytes but only `body` (for answers that come before the body).
    std::optional<long long> claimedLength;
    /// Connects from this loopback address ("127.0.0.3") instead of 127.0.0.1: another client, to the
    /// server's per-address limits.
    std::string sourceAddress;
};
Response send(const Request& request);
/// The same over a plain socket that keeps reading after a failed send (a server that answers 413 before
/// reading the body may reset the connection while the body is still going out). Content-Length framing.
Response sendOverSocket(const Request& request);

/// A signed-in (or anonymous) client.
class Client {
public:
    explicit Client(std::string token = "", std::string language = "");

    Client english() const { return Client(_token, "en"); }
    const std::string& token() const { return _token; }

    Response get(const std::string& path) const;
    Response post(const std::string& path, const JsonObject& body) const;
    Response postRaw(const std::string& path, const std::string& body,
                     const std::string& contentType = "application/json") const;
    /// PUT with If-Match: the given ETag (as sent; "" sends no If-Match).
    Response put(const std::string& path, const JsonObject& body, const std::string& ifMatch) const;
    Response putRaw(const std::string& path, const std::string& body, const std::string& ifMatch) const;
    Response del(const std::string& path) const;
    Response send(Request request) const;

    /// Every item of a list, following next_cursor (limit 500 per page).
    std::vector<JsonObject> all(const std::string& path) const;
    long long count(const std::string& path) const;

private:
    std::string _token;
    std::string _language;
};

/// The shared server.
class Server {
public:
    static Server& instance();
    static void stopIfStarted();

    int port() const { return _port; }
    /// A client signed in as `user` (one token per user, taken at start).
    Client as(const std::string& user) const;
    Client anonymous() const { return Client(); }
    /// A new sign-in over HTTP; "" when it did not answer 200.
    std::string signIn(const std::string& user, const std::string& password = kPassword) const;
    std::string backend() const { return _backend; }
    /// The folder the server runs in (its attachments are under data/attachments).
    std::string workDir() const;
    /// The server's process id (its sandbox processes are its children).
    int pid() const;
    /// The last lines of the server's log (for failure messages).
    std::string logTail() const;

    ~Server();

private:
    Server();
    void stop();

    std::unique_ptr<test::TempDir> _dir;
    std::unique_ptr<Poco::ProcessHandle> _process;
    std::string _cleanup;
    std::string _url;
    std::string _backend;
    int _port = 0;
    std::map<std::string, std::string> _tokens;
};

inline Client as(const std::string& user) { return Server::instance().as(user); }

// Bodies of valid records, for tests to change.
JsonObject facilityBody(const std::string& district, const std::string& name = "测试殡仪馆");
JsonObject burialSiteBody(const std::string& district, long long graveCount = 10);
JsonObject priceBody(long long facilityId, const std::string& item, long long amountFen, const std::string& from);
JsonObject referencePriceBody(const std::string& item, long long capFen);
/// A small JPEG's first bytes and then anything (`fill`): an upload's type is told by its start. Files are
/// stored once per content, so a test that counts stored files uses a size or `fill` no other test uses.
std::string jpeg(std::size_t size = 2000, char fill = 'j');
JsonObject inspectionBody(const std::string& subjectType, long long subjectId);

/// Creates a record as `user` and returns its answer (checked to be 201).
Response createFacility(const std::string& user, const std::string& district, const std::string& name = "测试殡仪馆");
Response createBurialSite(const std::string& user, const std::string& district, long long graveCount = 10);

/// Counts of everything a rejected write must leave as it was, as the admin sees them.
struct DbState {
    long long changes = 0, facilities = 0, burialSites = 0, prices = 0, inspections = 0, users = 0,
              referencePrices = 0;
    bool operator==(const DbState& o) const;
    bool operator!=(const DbState& o) const { return !(*this == o); }
};
DbState dbState();
std::ostream& operator<<(std::ostream& out, const DbState& s);

/// The audit (or dry run) `id` once it has finished, as `client` reads it (a failed check after a minute).
Response finishedAudit(const Client& client, long long id);

/// A browser's session on the web forms: signs in through the form, keeps the cookie, sends the session's
/// CSRF token with every form post.
class WebSession {
public:
    explicit WebSession(const std::string& user);
    Response get(const std::string& path);
    /// A form post; `fields` already URL-encoded ("a=1&b=2"), the CSRF token added.
    Response post(const std::string& path, const std::string& fields);
    /// A multipart form post (what a form with a file input sends): `fields` as name → value, `files` as
    /// field → (file name, content); the CSRF token added.
    Response postMultipart(const std::string& path, const std::map<std::string, std::string>& fields,
                           const std::map<std::string, std::pair<std::string, std::string>>& files);
    /// One file of a multipart post, with the type a browser declares for it (by its name's extension).
    struct File {
        std::string field, name, type, content;
    };
    /// The same with several files per field (an <input type="file" multiple>) and their declared types;
    /// `fields` may repeat a name (ticked boxes).
    Response postFiles(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields,
                       const std::vector<File>& files);
    /// A form field's value, URL-encoded.
    static std::string encode(const std::string& text);
    /// The session cookie's value, for requests the helpers do not make.
    const std::string& sessionCookie() const { return _session; }

private:
    Response raw(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& contentType = "application/x-www-form-urlencoded");
    std::string _loginCookie, _session, _csrf;
};

/// "/api/v1/facilities/7" for a record answer.
std::string pathOf(const std::string& collection, long long id);
/// A day `days` from today (UTC; the server's today in audit.timezone is at most a day apart), YYYY-MM-DD.
std::string daysAhead(int days);

/// The web UI as a browser uses it (test/api/WebSessionTest.cpp, the dashboard's test).
std::string formEncode(const std::string& value);
/// The value of cookie `name` set by a response ("" when it sets none).
std::string setCookie(const Response& r, const std::string& name);
struct WebSignIn {
    Response answer;
    std::string session; // the session cookie's value
};
/// What a browser does: opens /login (a cookie-bound CSRF token), then posts the form with `next`.
WebSignIn webSignIn(const std::string& user, const std::string& password, const std::string& next = "/");
/// GET `path` with a session cookie.
Response webGet(const std::string& session, const std::string& path = "/");

} // namespace registry::apitest
