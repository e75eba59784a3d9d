#include "store/DatabaseUrl.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace registry::store {

DatabaseUrl DatabaseUrl::parse(const std::string& url) {
    DatabaseUrl out;
    const std::string sqlitePrefix = "sqlite3:";
    if (url.rfind(sqlitePrefix, 0) == 0) {
        out.backend = Backend::Sqlite;
        out.path = url.substr(sqlitePrefix.size());
        if (out.path.rfind("//", 0) == 0) out.path = out.path.substr(2); // sqlite3://path
        if (out.path.empty()) throw std::invalid_argument("db.url 'sqlite3:' names no database file");
        return out;
    }
    if (url.rfind("mysql://", 0) == 0 || url.rfind("mariadb://", 0) == 0) {
        Poco::URI uri;
        try {
            uri = Poco::URI(url);
        } catch (const Poco::Exception&) {
            throw std::invalid_argument("db.url is not a valid mysql://user:password@host:port/database URL");
        }
        out.backend = Backend::MySql;
        const std::string info = uri.getUserInfo();
        const auto colon = info.find(':');
        std::string user = colon == std::string::npos ? info : info.substr(0, colon);
        std::string password = colon == std::string::npos ? "" : info.substr(colon + 1);
        try {
            Poco::URI::decode(user, out.user);
            Poco::URI::decode(password, out.password);
        } catch (const Poco::Exception&) {
            // Poco's message quotes the text it could not decode, which may be the password.
            throw std::invalid_argument("db.url has an invalid %-escape in its user or password");
        }
        out.host = uri.getHost().empty() ? "127.0.0.1" : uri.getHost();
        out.port = uri.getPort() == 0 ? 3306 : uri.getPort();
        out.database = uri.getPath();
        if (!out.database.empty() && out.database.front() == '/') out.database.erase(0, 1);
        if (out.database.empty()) throw std::invalid_argument("db.url names no database: mysql://user:pass@host:port/DATABASE");
        if (out.user.empty()) throw std::invalid_argument("db.url names no user: mysql://USER:pass@host:port/database");
        return out;
    }
    throw std::invalid_argument("db.url must start with sqlite3: or mysql:// (got '" +
                                url.substr(0, std::min<std::size_t>(url.find(':') == std::string::npos ? 20 : url.find(':'), 20)) +
                                "...')");
}

std::string DatabaseUrl::redacted() const {
    if (backend == Backend::Sqlite) return "sqlite3:" + path;
    return "mysql://" + user + (password.empty() ? "" : ":***") + "@" + host + ":" + std::to_string(port) + "/" +
           database;
}

namespace {
// SOCI connection-string values are quoted when they contain spaces or quotes.
std::string quoted(const std::string& value) {
    if (value.find_first_of(" '\"\\") == std::string::npos && !value.empty()) return value;
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}
} // namespace

std::string DatabaseUrl::sociConnectString() const {
    if (backend == Backend::Sqlite) return "db=" + quoted(path) + " timeout=10";
    std::string s = "db=" + quoted(database) + " user=" + quoted(user) + " host=" + quoted(host) +
                    " port=" + std::to_string(port) + " charset=utf8mb4";
    if (!password.empty()) s += " password=" + quoted(password);
    return s;
}

} // namespace registry::store
