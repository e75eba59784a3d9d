#include "fault/FaultSupport.h"

#include "app/RunProgram.h"
#include "support/TestDatabase.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <sys/wait.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace registry::faulttest {

class TempDirHolder : public test::TempDir {};

JsonObject Answer::obj() const { return json.extract<JsonObject>(); }

std::string Answer::header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
}

std::string stringify(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    return out.str();
}

JsonObject parseObject(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<JsonObject>(); }

Answer call(int port, const std::string& method, const std::string& path, const std::string& token,
            const std::optional<std::string>& body, const std::string& ifMatch, int timeoutMs) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(static_cast<long>(timeoutMs) * 1000));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    if (!ifMatch.empty()) request.set("If-Match", ifMatch);
    if (body) {
        request.setContentType("application/json");
        request.setContentLength64(static_cast<long long>(body->size()));
    }
    auto& out = session.sendRequest(request);
    if (body) out << *body;
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    Answer a;
    a.status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response) a.headers[name] = value;
    Poco::StreamCopier::copyToString(in, a.body);
    if (!a.body.empty() && (a.body[0] == '{' || a.body[0] == '[')) {
        try {
            a.json = Poco::JSON::Parser().parse(a.body);
        } catch (const Poco::Exception&) {
        }
    }
    return a;
}

std::string body(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> members) {
    JsonObject o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : members) o->set(k, v);
    return stringify(o);
}

std::string daysAhead(int days) {
    Poco::DateTime day;
    day += Poco::Timespan(days, 0, 0, 0, 0);
    return Poco::DateTimeFormatter::format(day, "%Y-%m-%d");
}

Registry::Registry(std::string url) : _dir(std::make_unique<TempDirHolder>()), _url(std::move(url)) {
    if (_url.empty()) _url = test::freshDatabaseUrl(_cleanup);
    const std::map<std::string, std::string> env{{"REGISTRY_DB_URL", _url}};
    const std::vector<std::vector<std::string>> users{{"admin", "--role", "admin"},
                                                      {"insp", "--role", "inspector", "--district", "110108"},
                                                      {"hd_it", "--role", "district_it", "--district", "110108"}};
    for (const auto& u : users) {
        std::vector<std::string> args{"--set", "auth.pbkdf2_iterations=1000", "user", "add"};
        args.insert(args.end(), u.begin(), u.end());
        args.emplace_back("--password-stdin");
        const auto added = test::runProgram(args, _dir->path(), env, "correct-horse-42\n");
        if (added.exitCode != 0) throw std::runtime_error("user add " + u[0] + " failed: " + added.err);
        const auto token = test::runProgram({"user", "token", u[0]}, _dir->path(), env);
        if (token.exitCode != 0) throw std::runtime_error("user token " + u[0] + " failed: " + token.err);
        std::string t = token.out;
        while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
        _tokens[u[0]] = t;
    }
}

Registry::~Registry() {
    if (!_cleanup.empty()) test::dropDatabase(_cleanup);
}

const std::string& Registry::dir() const { return _dir->path(); }

std::string Registry::run(const std::vector<std::string>& args) const {
    const auto ran = test::runProgram(args, _dir->path(), {{"REGISTRY_DB_URL", _url}});
    if (ran.exitCode != 0) throw std::runtime_error((args.empty() ? "" : args[0]) + " failed: " + ran.err);
    return ran.out;
}

ServerProcess::ServerProcess(const Registry& registry, std::vector<std::string> settings)
    : _registry(registry), _settings(std::move(settings)), _port(test::freePort()) {}

ServerProcess::~ServerProcess() {
    if (running()) stop();
}

bool ServerProcess::running() const {
    if (!_process) return false;
    if (_exited) return false;
    // kill(pid, 0), which Poco::Process::isRunning uses, also succeeds for a zombie: reap it here instead.
    int status = 0;
    const pid_t pid = static_cast<pid_t>(_process->id());
    if (::waitpid(pid, &status, WNOHANG) == pid) {
        _exited = true;
        _status = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
        return false;
    }
    return true;
}

int ServerProcess::reap() {
    if (!_process) return -1;
    if (!_exited) {
        int status = 0;
        ::waitpid(static_cast<pid_t>(_process->id()), &status, 0);
        _status = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
    }
    _process.reset();
    _exited = false;
    return _status;
}

void ServerProcess::start(int readyStatus) {
    if (running()) throw std::logic_error("the server is running already");
    if (_process) reap();
    // Through sh only to send the output to a file; exec keeps the PID the server's own.
    std::vector<std::string> args{"-c", "exec \"$0\" \"$@\" >>server-" + std::to_string(_port) + ".log 2>&1",
                                  REGISTRY_BINARY, "--set", "auth.pbkdf2_iterations=1000"};
    for (const auto& s : _settings) {
        args.emplace_back("--set");
        args.push_back(s);
    }
    args.emplace_back("serve");
    Poco::Process::Env env{{"REGISTRY_DB_URL", _registry.url()}, {"REGISTRY_HTTP_PORT", std::to_string(_port)}};
    _process = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch("/bin/sh", args, _registry.dir(), nullptr, nullptr, nullptr, env));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) throw std::runtime_error("the server exited at start\n" + logTail());
        try {
            const auto ready = call(_port, "GET", "/readyz", "", std::nullopt, "", 2000);
            if (readyStatus == 0 || ready.status == readyStatus) return;
        } catch (const Poco::Exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the server did not answer /readyz within 30 s\n" + logTail());
}

void ServerProcess::kill9() {
    if (!_process) return;
    if (running()) ::kill(static_cast<pid_t>(_process->id()), SIGKILL);
    reap();
}

int ServerProcess::stop() {
    if (!_process) return -1;
    const auto pid = static_cast<pid_t>(_process->id());
    if (running()) ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (running()) {
        BOOST_ERROR("the server did not stop within 20 s of SIGTERM; killing it\n" << logTail());
        ::kill(pid, SIGKILL);
    }
    return reap();
}

std::string ServerProcess::logTail() const {
    std::ifstream in(_registry.dir() + "/server-" + std::to_string(_port) + ".log");
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    return "server log (tail):\n" + (all.size() > 3000 ? all.substr(all.size() - 3000) : all);
}

JsonObject facilityBody(const std::string& name) {
    JsonObject o = new Poco::JSON::Object;
    o->set("name", name);
    o->set("kind", "funeral_home");
    o->set("district", "110108");
    o->set("address", "北京市测试路 1 号");
    o->set("operator", "测试运营单位");
    o->set("approval_no", "京民殡〔2020〕1号");
    o->set("status", "operating");
    o->set("plan_action", "retain");
    o->set("plan_phase", "2021-2025");
    o->set("capacity_total", 1000);
    o->set("capacity_used", 100);
    o->set("area_m2", 2500.5);
    o->set("lat", 39.96);
    o->set("lon", 116.30);
    o->set("notes", "");
    return o;
}

JsonObject priceBody(long long facilityId, const std::string& item, long long amountFen, const std::string& from) {
    JsonObject o = new Poco::JSON::Object;
    o->set("facility_id", facilityId);
    o->set("item", item);
    o->set("amount_fen", amountFen);
    o->set("effective_from", from);
    o->set("displayed", true);
    o->set("bundled", false);
    o->set("source", "inspection");
    return o;
}

std::vector<JsonObject> listAll(int port, const std::string& token, const std::string& path) {
    std::vector<JsonObject> out;
    const std::string base = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=500";
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
        const auto page = call(port, "GET", base + (cursor.empty() ? "" : "&cursor=" + cursor), token);
        if (page.status != 200) throw std::runtime_error("listing " + path + ": " + std::to_string(page.status) + " " + page.body);
        const auto o = page.obj();
        for (const auto& item : *o->getArray("items")) out.push_back(item.extract<JsonObject>());
        if (!o->has("next_cursor") || o->isNull("next_cursor")) return out;
        cursor = o->getValue<std::string>("next_cursor");
    }
    throw std::runtime_error("listing " + path + " did not end");
}

} // namespace registry::faulttest
