#pragma once
// The people who sign in: admins manage them. An admin with a district manages only users of that
// district: it never creates, reads, changes or promotes a user outside it, or a user without a district.
// Changing a password or deactivating a user ends every token and web session of that user at once.

#include "domain/User.h"
#include "service/Context.h"
#include "store/UserRepository.h"

#include <optional>
#include <string>

namespace registry::service {

struct UserDraft {
    domain::User user;
    std::optional<std::string> password; // required on create; a change when given on update
};

/// A bearer token issued outside sign-in (`user token`): the secret, shown once.
struct IssuedToken {
    std::string secret;
    std::string expiresAt;
};

class Users {
public:
    explicit Users(Context context) : _c(std::move(context)) {}

    /// The principal's own user record (GET /api/v1/me); NotFound when it is gone.
    domain::User me(const Principal& who);

    Page<domain::User> list(const Principal& who, const PageRequest& page);
    domain::User get(const Principal& who, long long id);
    domain::User create(const Principal& who, const DraftSource<UserDraft>& draft);
    domain::User update(const Principal& who, long long id, const DraftSource<UserDraft>& draft);

    // The command line's verbs (an operator with a shell: the `cli` principal).
    std::optional<domain::User> findByUsername(const Principal& who, const std::string& username);
    void setPassword(const Principal& who, const std::string& username, const std::string& password);
    IssuedToken issueToken(const Principal& who, const std::string& username, int hours);

private:
    std::string hash(const std::string& password);
    Context _c;
};

/// The principal of the command line: a citywide admin named "cli" (whoever has a shell on the server
/// and its configuration already has the database).
Principal commandLinePrincipal();

} // namespace registry::service
