#pragma once
// Fault-injection tests (issue #7): a real `funeral-registry serve` on a loopback port that the test kills,
// restarts, starves of its database or floods with slow clients. Each test owns its servers (started and
// stopped by PID) and its database on the test backend (REGISTRY_TEST_BACKEND).

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/Process.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace registry::faulttest {

using JsonObject = Poco::JSON::Object::Ptr;

struct Answer {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
    Poco::Dynamic::Var json;
    JsonObject obj() const; // the body as an object (throws when it is not one)
    std::string header(const std::string& name) const;
};

/// One request on a new connection; throws Poco::Exception when no answer arrives within timeoutMs.
Answer call(int port, const std::string& method, const std::string& path, const std::string& token = "",
            const std::optional<std::string>& body = std::nullopt, const std::string& ifMatch = "",
            int timeoutMs = 10000);

std::string stringify(const Poco::Dynamic::Var& value);
JsonObject parseObject(const std::string& text);
/// A JSON object of these members, in this order, as text.
std::string body(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> members);
/// The date `days` from the real today (UTC), YYYY-MM-DD.
std::string daysAhead(int days);

/// A database on the test backend with the users `admin` (citywide), `insp` (inspector of Haidian, 110108)
/// and `hd_it` (district IT of Haidian) added by the CLI, and bearer tokens for each.
class Registry {
public:
    /// `url` empty: a fresh database on the test backend, dropped at the end.
    explicit Registry(std::string url = "");
    ~Registry();
    const std::string& url() const { return _url; }
    const std::string& dir() const;
    std::string token(const std::string& user) const { return _tokens.at(user); }
    /// Runs `funeral-registry ARGS` on this database (e.g. {"demo-data"}); its output, or throws when it fails.
    std::string run(const std::vector<std::string>& args) const;

private:
    std::unique_ptr<class TempDirHolder> _dir;
    std::string _url, _cleanup;
    std::map<std::string, std::string> _tokens;
};

/// `funeral-registry serve` on a free port (kept across restarts), output appended to DIR/server-PORT.log.
class ServerProcess {
public:
    ServerProcess(const Registry& registry, std::vector<std::string> settings = {});
    ~ServerProcess(); // stops it (SIGTERM, then SIGKILL after 20 s) if still running
    /// Starts it and waits (up to 30 s) for /readyz to answer `readyStatus` (200; 0: any answer).
    void start(int readyStatus = 200);
    void kill9();
    /// SIGTERM and wait; returns the exit status.
    int stop();
    bool running() const;
    int port() const { return _port; }
    std::string logTail() const;

private:
    const Registry& _registry;
    std::vector<std::string> _settings;
    int _port;
    int reap(); // waits for it to end; its status (256 + signal when killed)

    std::unique_ptr<Poco::ProcessHandle> _process;
    mutable bool _exited = false;
    mutable int _status = -1;
};

/// A facility / price body the API accepts.
JsonObject facilityBody(const std::string& name);
JsonObject priceBody(long long facilityId, const std::string& item, long long amountFen, const std::string& from);

/// Every item of a list (admin), following next_cursor.
std::vector<JsonObject> listAll(int port, const std::string& token, const std::string& path);

} // namespace registry::faulttest
