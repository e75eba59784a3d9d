// The `user` verbs: add a user, set a password, print a bearer token. For operators and scripts, so that
// nobody needs the web UI to get started.

#include "app/RegistryApp.h"

#include "service/Authenticator.h"
#include "auth/Tokens.h"
#include "service/Refusal.h"
#include "service/Users.h"
#include "store/Database.h"

#include <Poco/NumberParser.h>

#include <cstdlib>
#include <iostream>

namespace registry::app {
namespace {

struct UserArgs {
    std::string name;
    std::map<std::string, std::string> options;
    bool passwordStdin = false;
    bool ifAbsent = false;
};

UserArgs parseUserArgs(const std::vector<std::string>& args, const std::vector<std::string>& allowed) {
    UserArgs out;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--password-stdin") {
            out.passwordStdin = true;
        } else if (a == "--if-absent" && args[0] == "add") {
            out.ifAbsent = true;
        } else if (a.rfind("--", 0) == 0) {
            bool known = false;
            for (const auto& name : allowed) known = known || name == a;
            if (!known) throw std::invalid_argument("user " + args[0] + ": unknown option " + a + " (see user --help)");
            if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
            out.options[a] = args[++i];
        } else if (out.name.empty()) {
            out.name = a;
        } else {
            throw std::invalid_argument("user " + args[0] + ": unexpected argument '" + a + "'");
        }
    }
    if (out.name.empty()) throw std::invalid_argument("user " + args[0] + " needs a user NAME (see user --help)");
    return out;
}

std::string readPassword() {
    std::string password;
    std::getline(std::cin, password);
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    return password;
}

// 20 characters of base64url from 120 random bits: strong, and easy to copy from a terminal.
std::string generatedPassword() { return auth::newSecret().substr(0, 20); }

std::string fieldErrorsText(const domain::FieldErrors& errors) {
    std::string text;
    for (const auto& e : errors) text += (text.empty() ? "" : "; ") + e.messageEn + " (" + e.messageZh + ")";
    return text;
}

} // namespace

int RegistryApp::user(const std::vector<std::string>& args) {
    if (args.empty()) throw std::invalid_argument("user needs add, passwd or token (see user --help)");
    const std::string& action = args[0];
    service::AuthSettings authSettings = settings().auth;
    auto db = openDatabase(settings().autoMigrate);
    service::Authenticator authenticator(*db, authSettings);
    service::Context context{*db, settings().planWindow};
    context.authenticator = &authenticator;
    service::Users users(context);
    const auto who = service::commandLinePrincipal();

    if (action == "add") {
        const auto a = parseUserArgs(args, {"--role", "--district", "--facility", "--display-name", "--email"});
        if (a.ifAbsent && users.findByUsername(who, a.name)) {
            std::cout << "user " << a.name << " exists already; left as it is\n";
            return EXIT_OK;
        }
        domain::User u;
        u.username = a.name;
        const auto roleText = a.options.count("--role") ? a.options.at("--role") : "";
        const auto role = domain::parseEnum<domain::Role>(roleText);
        if (!role)
            throw std::invalid_argument("--role must be one of " + domain::allowedValues<domain::Role>() +
                                        (roleText.empty() ? "" : " (got '" + roleText + "')"));
        u.role = *role;
        if (a.options.count("--district")) u.district = a.options.at("--district");
        if (a.options.count("--facility")) {
            const auto& text = a.options.at("--facility");
            char* end = nullptr;
            const long long id = std::strtoll(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || id <= 0)
                throw std::invalid_argument("--facility must be a facility id, a positive number (got '" + text + "')");
            u.facilityId = id;
        }
        u.displayName = a.options.count("--display-name") ? a.options.at("--display-name") : a.name;
        if (a.options.count("--email") && !a.options.at("--email").empty()) u.email = a.options.at("--email");
        const bool generated = !a.passwordStdin;
        const std::string password = generated ? generatedPassword() : readPassword();
        // Every problem at once: the user's fields and the password.
        try {
            u = users.create(who, [&] { return service::Draft<service::UserDraft>{{u, password}, {}}; });
        } catch (const service::Invalid& e) {
            throw std::invalid_argument("cannot add user " + a.name + ": " + fieldErrorsText(e.errors()));
        }
        std::cout << "user " << a.name << " added (role " << domain::toString(u.role)
                  << (u.district ? ", district " + *u.district : std::string(", citywide"))
                  << (u.facilityId ? ", facility " + std::to_string(*u.facilityId) : std::string())
                  << (u.email ? ", email " + *u.email : std::string()) << ")\n";
        if (generated) std::cout << "password: " << password << "\n";
        return EXIT_OK;
    }
    if (action == "passwd") {
        const auto a = parseUserArgs(args, {});
        if (!users.findByUsername(who, a.name)) throw std::invalid_argument("no user named " + a.name);
        const bool generated = !a.passwordStdin;
        const std::string password = generated ? generatedPassword() : readPassword();
        try {
            users.setPassword(who, a.name, password);
        } catch (const service::Invalid& e) {
            throw std::invalid_argument(e.errors().empty() ? e.messageEn() : e.errors().front().messageEn);
        }
        std::cout << "password of " << a.name << " changed\n";
        if (generated) std::cout << "password: " << password << "\n";
        return EXIT_OK;
    }
    if (action == "token") {
        const auto a = parseUserArgs(args, {"--ttl-hours"});
        int hours = settings().auth.tokenTtlHours;
        if (a.options.count("--ttl-hours") &&
            (!Poco::NumberParser::tryParse(a.options.at("--ttl-hours"), hours) || hours < 1 || hours > 24 * 366))
            throw std::invalid_argument("--ttl-hours must be a whole number from 1 to 8784");
        const auto found = users.findByUsername(who, a.name);
        if (!found) throw std::invalid_argument("no user named " + a.name);
        if (!found->active) throw std::invalid_argument("user " + a.name + " is deactivated");
        std::cout << users.issueToken(who, a.name, hours).secret << "\n";
        return EXIT_OK;
    }
    throw std::invalid_argument("user: unknown action '" + action + "' (see user --help)");
}

} // namespace registry::app
