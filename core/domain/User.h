#pragma once
// A person who signs in: role and, optionally, the one district they work in; an operator also the one
// facility it works for (and then its district is the facility's).

#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>

namespace registry::domain {

struct User {
    std::int64_t id = 0;
    std::string username;
    std::string displayName;
    Role role = Role::Inspector;
    std::optional<std::string> district; // nullopt: citywide
    std::optional<std::int64_t> facilityId; // operators only, and required for them
    std::optional<std::string> email;       // where alerts go (mail.smtp_url); nullopt: none
    bool active = true;
    std::int64_t version = 0;
    std::string createdAt;
    std::string updatedAt;
};

FieldErrors validate(const User& user);

/// An address alerts can be sent to: at most 254 characters, one '@' with a local part before it and a
/// dotted domain after it, printable ASCII without spaces, quotes, brackets, commas or semicolons (it goes
/// into a mail header as it is: no CR/LF, nothing that could start another address or header).
bool plausibleEmail(const std::string& email);

/// Passwords: at least 10 characters, at most 200; nullopt when acceptable.
std::optional<FieldError> checkPassword(const std::string& password);

} // namespace registry::domain
