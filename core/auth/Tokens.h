#pragma once
// Bearer-token secrets. The secret itself is shown to the client once; the server keeps only its hash,
// so a leaked table of tokens cannot be replayed.

#include <string>

namespace registry::auth {

/// A new secret: 32 random bytes from OpenSSL, base64url without padding (43 characters of
/// [A-Za-z0-9_-]), safe in a header or URL as is. Throws std::runtime_error if OpenSSL cannot supply
/// randomness.
std::string newSecret();

/// The form a secret is stored and looked up by: lowercase hex SHA-256 (64 characters). A plain hash
/// suffices because secrets carry 256 bits of entropy; nothing is gained from a slow hash here.
std::string hashSecret(const std::string& secret);

/// Whether `a` and `b` are equal, in time that depends only on their lengths (which are not secret:
/// every hash and secret of one kind has the same length).
bool constantTimeEquals(const std::string& a, const std::string& b) noexcept;

} // namespace registry::auth
