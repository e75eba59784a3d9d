#include "api/ApiSupport.h"

#include "app/RunProgram.h"
#include "support/TestDatabase.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace registry::apitest {

using Poco::Dynamic::Var;
using Poco::JSON::Object;

// ---------------------------------------------------------------------------------------------- JSON

JsonObject object(std::initializer_list<std::pair<std::string, Var>> members) {
    JsonObject o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, value] : members) o->set(key, value);
    return o;
}

JsonArray array(std::initializer_list<Var> values) {
    JsonArray a = new Poco::JSON::Array;
    for (const auto& v : values) a->add(v);
    return a;
}

std::string stringify(const Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    return out.str();
}

namespace {
JsonObject copyOf(const JsonObject& o) { return Poco::JSON::Parser().parse(stringify(o)).extract<JsonObject>(); }
} // namespace

JsonObject with(const JsonObject& o, std::initializer_list<std::pair<std::string, Var>> members) {
    JsonObject copy = copyOf(o);
    for (const auto& [key, value] : members) copy->set(key, value);
    return copy;
}

JsonObject without(const JsonObject& o, std::initializer_list<std::string> names) {
    JsonObject copy = copyOf(o);
    for (const auto& name : names) copy->remove(name);
    return copy;
}

// ------------------------------------------------------------------------------------------ Response

JsonObject Response::obj() const {
    if (!json.isEmpty() && json.type() == typeid(JsonObject)) return json.extract<JsonObject>();
    BOOST_ERROR("expected a JSON object, got: " << describe());
    return new Object;
}

JsonArray Response::items() const {
    const auto o = obj();
    if (o->has("items") && o->get("items").type() == typeid(JsonArray)) return o->getArray("items");
    BOOST_ERROR("expected a list with items, got: " << describe());
    return new Poco::JSON::Array;
}

std::string Response::str(const std::string& key) const {
    const auto o = obj();
    if (!o->has(key) || o->isNull(key)) return "";
    return o->get(key).convert<std::string>();
}

long long Response::num(const std::string& key) const {
    const auto o = obj();
    try {
        if (o->has(key) && !o->isNull(key)) return o->get(key).convert<Poco::Int64>();
    } catch (const Poco::Exception&) {
    }
    BOOST_ERROR("no number '" << key << "' in " << describe());
    return 0;
}

bool Response::isNull(const std::string& key) const {
    const auto o = obj();
    return !o->has(key) || o->isNull(key);
}

std::set<std::pair<std::string, std::string>> Response::errors() const {
    std::set<std::pair<std::string, std::string>> out;
    if (json.isEmpty() || json.type() != typeid(JsonObject)) return out;
    const auto o = json.extract<JsonObject>();
    if (!o->has("errors") || o->get("errors").type() != typeid(JsonArray)) return out;
    for (const auto& e : *o->getArray("errors")) {
        const auto entry = e.extract<JsonObject>();
        out.emplace(entry->getValue<std::string>("field"), entry->getValue<std::string>("code"));
    }
    return out;
}

bool Response::hasError(const std::string& field, const std::string& code) const {
    return errors().count({field, code}) > 0;
}

std::set<std::string> Response::errorFields() const {
    std::set<std::string> out;
    for (const auto& [field, code] : errors()) out.insert(field);
    return out;
}

std::string Response::message(const std::string& field) const {
    if (json.isEmpty() || json.type() != typeid(JsonObject)) return "";
    const auto o = json.extract<JsonObject>();
    if (!o->has("errors") || o->get("errors").type() != typeid(JsonArray)) return "";
    for (const auto& e : *o->getArray("errors")) {
        const auto entry = e.extract<JsonObject>();
        if (entry->getValue<std::string>("field") == field) return entry->getValue<std::string>("message");
    }
    return "";
}

std::string Response::record() const {
    auto o = Poco::JSON::Parser().parse(stringify(obj())).extract<JsonObject>();
    o->remove("checks");
    return stringify(o);
}

std::string Response::describe() const {
    return std::to_string(status) + " " + (body.size() > 2000 ? body.substr(0, 2000) + "…" : body);
}

// ------------------------------------------------------------------------------------------ Requests

namespace {
void parseJsonBody(Response& a);
} // namespace

Response send(const Request& r) {
    const auto port = static_cast<Poco::UInt16>(Server::instance().port());
    std::unique_ptr<Poco::Net::HTTPClientSession> owned;
    if (r.sourceAddress.empty()) {
        owned = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port);
    } else {
        // Poco 1.11's session cannot pick its source address: connect the socket first, then hand it over.
        Poco::Net::StreamSocket socket(Poco::Net::SocketAddress::IPv4);
        socket.impl()->bind(Poco::Net::SocketAddress(r.sourceAddress, 0));
        socket.connect(Poco::Net::SocketAddress("127.0.0.1", port));
        owned = std::make_unique<Poco::Net::HTTPClientSession>(socket);
    }
    auto& session = *owned;
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(r.method, r.path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost("127.0.0.1", port);
    for (const auto& [name, value] : r.headers) request.add(name, value);
    if (r.body) {
        if (!r.contentType.empty()) request.setContentType(r.contentType);
        if (r.chunked)
            request.setChunkedTransferEncoding(true);
        else
            request.setContentLength64(r.claimedLength ? *r.claimedLength : static_cast<long long>(r.body->size()));
    }
    std::string writeError;
    try {
        auto& out = session.sendRequest(request);
        if (r.body) out << *r.body;
        out.flush();
        if (!out) writeError = "the body could not be sent";
    } catch (const Poco::Exception& e) {
        // A server may answer (413) and close before the whole body is sent: read its answer all the same,
        // as curl does.
        writeError = e.displayText();
    }

    Poco::Net::HTTPResponse response;
    std::istream* received = nullptr;
    try {
        received = &session.receiveResponse(response);
    } catch (const Poco::Exception& e) {
        if (writeError.empty()) throw;
        throw std::runtime_error(r.method + " " + r.path + ": sending failed (" + writeError +
                                 ") and no answer could be read (" + e.displayText() + ")");
    }
    auto& in = *received;
    Response a;
    a.status = response.getStatus();
    for (const auto& [name, value] : response) a.headers.add(name, value);
    a.contentType = response.getContentType();
    Poco::StreamCopier::copyToString(in, a.body);
    parseJsonBody(a);
    // API.md: never a 500 for bad input; nothing here takes the database away.
    BOOST_TEST(a.status < 500, r.method << " " << r.path << " answered " << a.describe());
    return a;
}

namespace {
void parseJsonBody(Response& a) {
    if (a.contentType.find("json") != std::string::npos && !a.body.empty()) {
        try {
            a.json = Poco::JSON::Parser().parse(a.body);
        } catch (const Poco::Exception& e) {
            BOOST_ERROR("the server sent JSON that does not parse (" << e.displayText() << "): " << a.body);
        }
    }
}
} // namespace

Response sendOverSocket(const Request& r) {
    Poco::Net::StreamSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(Server::instance().port())));
    socket.setReceiveTimeout(Poco::Timespan(30, 0));
    std::string head = r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
    const std::string body = r.body.value_or("");
    if (!r.contentType.empty()) head += "Content-Type: " + r.contentType + "\r\n";
    head += "Content-Length: " + std::to_string(r.claimedLength ? *r.claimedLength : static_cast<long long>(body.size())) +
            "\r\n\r\n";
    const std::string all = head + body;
    try {
        for (std::size_t sent = 0; sent < all.size();) {
            const int n = socket.sendBytes(all.data() + sent, static_cast<int>(std::min<std::size_t>(all.size() - sent, 65536)));
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
    } catch (const Poco::Exception&) {
        // The server answered and closed early; its answer is still there to read.
    }
    std::string raw;
    char buffer[8192];
    try {
        for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) raw.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception& e) {
        if (raw.find("\r\n\r\n") == std::string::npos) throw;
    }
    Response a;
    const auto headEnd = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || headEnd == std::string::npos)
        throw std::runtime_error("no HTTP answer over the socket: " + raw.substr(0, 200));
    a.status = std::stoi(raw.substr(9, 3));
    std::istringstream lines(raw.substr(0, headEnd));
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        a.headers.add(line.substr(0, colon), value);
    }
    a.contentType = a.headers.get("Content-Type", "");
    a.body = raw.substr(headEnd + 4);
    parseJsonBody(a);
    BOOST_TEST(a.status < 500, r.method << " " << r.path << " answered " << a.describe());
    return a;
}

Client::Client(std::string token, std::string language) : _token(std::move(token)), _language(std::move(language)) {}

Response Client::send(Request request) const {
    if (!_token.empty()) request.headers.emplace_back("Authorization", "Bearer " + _token);
    if (!_language.empty()) request.headers.emplace_back("Accept-Language", _language);
    return apitest::send(request);
}

Response Client::get(const std::string& path) const {
    Request r;
    r.path = path;
    return send(r);
}

Response Client::post(const std::string& path, const JsonObject& body) const { return postRaw(path, stringify(body)); }

Response Client::postRaw(const std::string& path, const std::string& body, const std::string& contentType) const {
    Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.contentType = contentType;
    return send(r);
}

Response Client::put(const std::string& path, const JsonObject& body, const std::string& ifMatch) const {
    return putRaw(path, stringify(body), ifMatch);
}

Response Client::putRaw(const std::string& path, const std::string& body, const std::string& ifMatch) const {
    Request r;
    r.method = "PUT";
    r.path = path;
    r.body = body;
    if (!ifMatch.empty()) r.headers.emplace_back("If-Match", ifMatch);
    return send(r);
}

Response Client::del(const std::string& path) const {
    Request r;
    r.method = "DELETE";
    r.path = path;
    return send(r);
}

std::vector<JsonObject> Client::all(const std::string& path) const {
    std::vector<JsonObject> out;
    const std::string base = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=500";
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
        const auto page = get(base + (cursor.empty() ? "" : "&cursor=" + cursor));
        if (page.status != 200) {
            BOOST_ERROR("listing " << path << " failed: " << page.describe());
            return out;
        }
        for (const auto& item : *page.items()) out.push_back(item.extract<JsonObject>());
        if (page.isNull("next_cursor")) return out;
        cursor = page.str("next_cursor");
    }
    BOOST_ERROR("listing " << path << " did not end after 1000 pages");
    return out;
}

long long Client::count(const std::string& path) const { return static_cast<long long>(all(path).size()); }

// -------------------------------------------------------------------------------------------- Server

namespace {

struct TestUser {
    const char* name;
    const char* role;
    const char* district; // nullptr: citywide
};

const TestUser kUsers[] = {
    {"admin", "admin", nullptr},      {"insp", "inspector", "110108"},    {"insp105", "inspector", "110105"},
    {"inspcity", "inspector", nullptr}, {"it", "district_it", "110108"}, {"aud", "auditor", nullptr},
    {"lockme", "inspector", "110108"}, {"adminh", "admin", "110108"},
};

Server* g_server = nullptr;
std::string g_startError;

Response signInRequest(const std::string& user, const std::string& password) {
    Request r;
    r.method = "POST";
    r.path = "/api/v1/auth/token";
    r.body = stringify(object({{"username", user}, {"password", password}}));
    return send(r);
}

} // namespace

Server& Server::instance() {
    if (!g_server) {
        if (!g_startError.empty()) throw std::runtime_error(g_startError);
        try {
            g_server = new Server();
            // Sign every user in once the server is reachable through instance().
            for (const auto& u : kUsers) {
                const auto answer = signInRequest(u.name, kPassword);
                if (answer.status != 200)
                    throw std::runtime_error("cannot sign in " + std::string(u.name) + ": " + answer.describe());
                g_server->_tokens[u.name] = answer.str("token");
            }
        } catch (const std::exception& e) {
            g_startError = std::string("the API test server did not start: ") + e.what();
            if (g_server) g_startError += "\n" + g_server->logTail();
            delete g_server;
            g_server = nullptr;
            throw std::runtime_error(g_startError);
        }
    }
    return *g_server;
}

std::string Server::workDir() const { return _dir->path(); }

void Server::stopIfStarted() {
    delete g_server;
    g_server = nullptr;
}

Server::Server() : _dir(std::make_unique<test::TempDir>()) {
    _backend = test::testBackend();
    _url = test::freshDatabaseUrl(_cleanup);
    const std::map<std::string, std::string> env{{"REGISTRY_DB_URL", _url}};
    for (const auto& u : kUsers) {
        std::vector<std::string> args{"--set", "auth.pbkdf2_iterations=1000", "user", "add", u.name, "--role", u.role};
        if (u.district) {
            args.emplace_back("--district");
            args.emplace_back(u.district);
        }
        args.emplace_back("--password-stdin");
        const auto result = test::runProgram(args, _dir->path(), env, std::string(kPassword) + "\n");
        if (result.exitCode != 0)
            throw std::runtime_error("user add " + std::string(u.name) + " failed: " + result.err);
    }

    _port = test::freePort();
    // Through sh only to send the server's output to a file; exec keeps the PID the server's own.
    const std::vector<std::string> args{"-c", "exec \"$0\" \"$@\" >server.log 2>&1", REGISTRY_BINARY, "--set",
                                        "auth.pbkdf2_iterations=1000", "--set",
                                        "plugins.dir=" REGISTRY_SOURCE_DIR "/test/api/plugins", "--set",
                                        // A reverse proxy's address, for the public limit's X-Forwarded-For test.
                                        "http.trusted_proxies=127.0.0.5", "--set",
                                        // Short, so that PublicTest sees a kept answer replaced.
                                        "public.cache_seconds=2", "--set",
                                        // MetricsTest: refused from 127.0.0.3, allowed through the proxy.
                                        "http.metrics_from=127.0.0.1, 10.0.0.0/8, ::1", "--set",
                                        "metrics.cache_seconds=0", "--set",
                                        // Small, so that AttachmentTest sends a file over it cheaply.
                                        "attachments.max_mb=1", "serve"};
    Poco::Process::Env serverEnv{{"REGISTRY_DB_URL", _url}, {"REGISTRY_HTTP_PORT", std::to_string(_port)}};
    _process = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch("/bin/sh", args, _dir->path(), nullptr, nullptr, nullptr, serverEnv));

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!Poco::Process::isRunning(*_process)) throw std::runtime_error("the server exited at start\n" + logTail());
        try {
            Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(_port));
            session.setTimeout(Poco::Timespan(2, 0));
            Poco::Net::HTTPRequest request("GET", "/readyz", Poco::Net::HTTPMessage::HTTP_1_1);
            session.sendRequest(request);
            Poco::Net::HTTPResponse response;
            session.receiveResponse(response);
            if (response.getStatus() == 200) return;
        } catch (const Poco::Exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the server did not answer /readyz within 30 s\n" + logTail());
}

int Server::pid() const { return _process ? _process->id() : 0; }

Server::~Server() {
    stop();
    test::dropDatabase(_cleanup);
}

void Server::stop() {
    if (_process) {
        if (Poco::Process::isRunning(*_process)) Poco::Process::requestTermination(_process->id());
        const int status = _process->wait();
        _process.reset();
        // In the sanitizer build a report (a leak found at exit, say) makes the server abort.
        std::ifstream in(_dir->path() + "/server.log");
        const std::string log{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        test::checkNoSanitizerReport("funeral-registry serve (the API tests' server)", status, log);
        BOOST_TEST(status == 0, "the API tests' server exited with status " << status << " after SIGTERM");
    }
}

std::string Server::logTail() const {
    std::ifstream in(_dir->path() + "/server.log");
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    return "server log (tail):\n" + (all.size() > 4000 ? all.substr(all.size() - 4000) : all);
}

Client Server::as(const std::string& user) const {
    const auto found = _tokens.find(user);
    if (found == _tokens.end()) throw std::invalid_argument("no test user " + user);
    return Client(found->second);
}

std::string Server::signIn(const std::string& user, const std::string& password) const {
    const auto answer = signInRequest(user, password);
    return answer.status == 200 ? answer.str("token") : "";
}

// A global fixture: the server (if a test started it) stops when the run ends.
struct StopServerAtEnd {
    ~StopServerAtEnd() { Server::stopIfStarted(); }
};
BOOST_TEST_GLOBAL_FIXTURE(StopServerAtEnd);

// ------------------------------------------------------------------------------------------- Records

JsonObject facilityBody(const std::string& district, const std::string& name) {
    return object({{"name", name},
                   {"kind", "funeral_home"},
                   {"district", district},
                   {"address", "北京市测试路 1 号"},
                   {"operator", "测试运营单位"},
                   {"approval_no", "京民殡〔2020〕1号"},
                   {"status", "operating"},
                   {"plan_action", "retain"},
                   {"plan_phase", "2021-2025"},
                   {"capacity_total", 1000},
                   {"capacity_used", 100},
                   {"area_m2", 2500.5},
                   {"lat", 39.96},
                   {"lon", 116.30},
                   {"notes", ""}});
}

JsonObject burialSiteBody(const std::string& district, long long graveCount) {
    return object({{"kind", "historical_burial_point"},
                   {"district", district},
                   {"township", "温泉镇"},
                   {"village", "白家疃村"},
                   {"location", "村北山坡"},
                   {"lat", 40.02},
                   {"lon", 116.18},
                   {"grave_count", graveCount},
                   {"zones", array({"forest"})},
                   {"protected_relic", false},
                   {"measure", "relocate"},
                   {"status", "surveyed"},
                   {"target_date", "2024-06-30"},
                   {"responsible_unit", "温泉镇人民政府"}});
}

JsonObject priceBody(long long facilityId, const std::string& item, long long amountFen, const std::string& from) {
    return object({{"facility_id", facilityId},
                   {"item", item},
                   {"amount_fen", amountFen},
                   {"effective_from", from},
                   {"displayed", true},
                   {"bundled", false},
                   {"source", "inspection"}});
}

JsonObject referencePriceBody(const std::string& item, long long capFen) {
    return object({{"item", item},
                   {"district", Var()},
                   {"cap_fen", capFen},
                   {"effective_from", "2024-01-01"},
                   {"effective_to", Var()},
                   {"basis", "京发改〔2024〕测试号"}});
}

std::string jpeg(std::size_t size, char fill) {
    std::string bytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11);
    bytes.resize(size, fill);
    return bytes;
}

JsonObject inspectionBody(const std::string& subjectType, long long subjectId) {
    return object({{"subject_type", subjectType},
                   {"subject_id", subjectId},
                   {"date", "2024-05-01"},
                   {"result", "issues_found"},
                   {"checklist", object({{"price_displayed", false}, {"fire_safety", "ok"}})},
                   {"notes", "价格未公示"}});
}

Response createFacility(const std::string& user, const std::string& district, const std::string& name) {
    auto r = as(user).post("/api/v1/facilities", facilityBody(district, name));
    BOOST_REQUIRE_MESSAGE(r.status == 201, "creating a facility as " << user << ": " << r.describe());
    return r;
}

Response createBurialSite(const std::string& user, const std::string& district, long long graveCount) {
    auto r = as(user).post("/api/v1/burial-sites", burialSiteBody(district, graveCount));
    BOOST_REQUIRE_MESSAGE(r.status == 201, "creating a burial site as " << user << ": " << r.describe());
    return r;
}

bool DbState::operator==(const DbState& o) const {
    return changes == o.changes && facilities == o.facilities && burialSites == o.burialSites && prices == o.prices &&
           inspections == o.inspections && users == o.users && referencePrices == o.referencePrices;
}

std::ostream& operator<<(std::ostream& out, const DbState& s) {
    return out << "{changes " << s.changes << ", facilities " << s.facilities << ", burial sites " << s.burialSites
               << ", prices " << s.prices << ", inspections " << s.inspections << ", users " << s.users
               << ", reference prices " << s.referencePrices << "}";
}

DbState dbState() {
    const auto admin = as("admin");
    DbState s;
    s.changes = admin.count("/api/v1/changes");
    s.facilities = admin.count("/api/v1/facilities");
    s.burialSites = admin.count("/api/v1/burial-sites");
    s.prices = admin.count("/api/v1/prices");
    s.inspections = admin.count("/api/v1/inspections");
    s.users = admin.count("/api/v1/users");
    s.referencePrices = admin.count("/api/v1/reference-prices");
    return s;
}

// ---------------------------------------------------------------------------------------------- web

namespace {

std::string cookieIn(const Response& r, const std::string& cookieName) {
    for (const auto& [header, value] : r.headers)
        if (Poco::icompare(header, "Set-Cookie") == 0 && value.rfind(cookieName + "=", 0) == 0)
            return value.substr(cookieName.size() + 1, value.find(';') - cookieName.size() - 1);
    return "";
}

std::string csrfIn(const std::string& html) {
    static const std::regex field(R"(name="_csrf" value="([^"]+)\")");
    std::smatch m;
    return std::regex_search(html, m, field) ? m[1].str() : "";
}

} // namespace

WebSession::WebSession(const std::string& user) {
    const auto form = raw("GET", "/login", "");
    _loginCookie = cookieIn(form, "registry_login");
    const auto signedIn = raw("POST", "/login",
                              "_csrf=" + encode(csrfIn(form.body)) + "&next=%2F&username=" + encode(user) +
                                  "&password=" + encode(kPassword));
    BOOST_REQUIRE_MESSAGE(signedIn.status == 303 || signedIn.status == 302, user << " web sign-in: " << signedIn.describe());
    _session = cookieIn(signedIn, "registry_session");
    BOOST_REQUIRE(!_session.empty());
    auto home = get("/");
    if (home.status == 303) home = get(home.header("Location")); // an operator's home is its facility
    _csrf = csrfIn(home.body);
}

Response WebSession::get(const std::string& path) { return raw("GET", path, ""); }

Response WebSession::post(const std::string& path, const std::string& fields) {
    return raw("POST", path, "_csrf=" + encode(_csrf) + (fields.empty() ? "" : "&" + fields));
}

std::string WebSession::encode(const std::string& text) {
    std::string out;
    Poco::URI::encode(text, "&=+?#%/", out);
    return out;
}

Response WebSession::postMultipart(const std::string& path, const std::map<std::string, std::string>& fields,
                                   const std::map<std::string, std::pair<std::string, std::string>>& files) {
    std::vector<File> parts;
    for (const auto& [name, file] : files) parts.push_back({name, file.first, "application/octet-stream", file.second});
    return postFiles(path, {fields.begin(), fields.end()}, parts);
}

Response WebSession::postFiles(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields,
                               const std::vector<File>& files) {
    const std::string boundary = "----registry-test-boundary-7f3a";
    std::string body;
    auto part = [&](const std::string& disposition, const std::string& content) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; " + disposition + "\r\n\r\n" + content + "\r\n";
    };
    part("name=\"_csrf\"", _csrf);
    for (const auto& [name, value] : fields) part("name=\"" + name + "\"", value);
    for (const auto& f : files)
        part("name=\"" + f.field + "\"; filename=\"" + f.name + "\"\r\nContent-Type: " + f.type, f.content);
    body += "--" + boundary + "--\r\n";
    return raw("POST", path, body, "multipart/form-data; boundary=" + boundary);
}

Response WebSession::raw(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& contentType) {
    Request r;
    r.method = method;
    r.path = path;
    std::string cookies;
    if (!_session.empty()) cookies = "registry_session=" + _session;
    if (!_loginCookie.empty()) cookies += std::string(cookies.empty() ? "" : "; ") + "registry_login=" + _loginCookie;
    if (!cookies.empty()) r.headers.emplace_back("Cookie", cookies);
    if (method == "POST") {
        r.body = body;
        r.contentType = contentType;
    }
    return send(r);
}

Response finishedAudit(const Client& client, long long id) {
    Response r;
    for (int i = 0; i < 600; ++i) {
        r = client.get("/api/v1/audits/" + std::to_string(id));
        const std::string status = r.str("status");
        if (status != "queued" && status != "running") return r;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_FAIL("audit " << id << " did not finish within a minute: " << r.describe());
    return r;
}

std::string pathOf(const std::string& collection, long long id) {
    return "/api/v1/" + collection + "/" + std::to_string(id);
}

std::string daysAhead(int days) {
    Poco::DateTime day;
    day += Poco::Timespan(days, 0, 0, 0, 0);
    return Poco::DateTimeFormatter::format(day, "%Y-%m-%d");
}

std::string formEncode(const std::string& value) {
    std::string out;
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]%", out);
    return out;
}

std::string setCookie(const Response& r, const std::string& name) {
    for (const auto& [header, value] : r.headers) {
        if (Poco::icompare(header, "Set-Cookie") != 0 || value.rfind(name + "=", 0) != 0) continue;
        return value.substr(name.size() + 1, value.find(';') - name.size() - 1);
    }
    return "";
}

WebSignIn webSignIn(const std::string& user, const std::string& password, const std::string& next) {
    Request page;
    page.path = "/login";
    const auto login = send(page);
    BOOST_REQUIRE_EQUAL(login.status, 200);
    const std::string loginCookie = setCookie(login, "registry_login");
    const std::string marker = "name=\"_csrf\" value=\"";
    const auto at = login.body.find(marker);
    BOOST_REQUIRE(!loginCookie.empty());
    BOOST_REQUIRE(at != std::string::npos);
    const std::string csrf = login.body.substr(at + marker.size(), login.body.find('"', at + marker.size()) -
                                                                        at - marker.size());
    Request post;
    post.method = "POST";
    post.path = "/login";
    post.contentType = "application/x-www-form-urlencoded";
    post.headers.emplace_back("Cookie", "registry_login=" + loginCookie);
    post.body = "_csrf=" + formEncode(csrf) + "&username=" + formEncode(user) + "&password=" + formEncode(password) +
                "&next=" + formEncode(next);
    WebSignIn out;
    out.answer = send(post);
    out.session = setCookie(out.answer, "registry_session");
    return out;
}

Response webGet(const std::string& session, const std::string& path) {
    Request r;
    r.path = path;
    r.headers.emplace_back("Cookie", "registry_session=" + session);
    return send(r);
}

} // namespace registry::apitest
