#pragma once
// Base64 through Poco's Base64Encoder/Decoder, for the auth module's two uses: password hashes (the standard
// alphabet with padding) and token secrets (the URL-safe alphabet without padding, for headers and cookies).

#include <optional>
#include <string>
#include <string_view>

namespace registry::auth {

enum class Base64Alphabet {
    Standard, // A–Z a–z 0–9 + /, padded with '='
    UrlSafe,  // A–Z a–z 0–9 - _, no padding
};

/// `bytes` as base64 on one line (no line breaks).
std::string encodeBase64(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::Standard);

/// The bytes `text` spells, only when `text` is exactly what encodeBase64 writes for them: no whitespace or
/// line breaks, padding only where it belongs (and only in the standard alphabet), zero spare bits. So one
/// byte string has one accepted spelling. nullopt for anything else; never throws.
std::optional<std::string> decodeBase64(std::string_view text,
                                        Base64Alphabet alphabet = Base64Alphabet::Standard) noexcept;

} // namespace registry::auth
