#include "auth/PasswordHasher.h"

#include "auth/Base64.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace registry::auth {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;

using Salt = std::array<unsigned char, kSaltBytes>;
using Key = std::array<unsigned char, kKeyBytes>;

struct StoredHash {
    int iterations = 0;
    Salt salt{};
    Key key{};
};

std::string base64(const unsigned char* data, std::size_t size) {
    return encodeBase64(std::string_view(reinterpret_cast<const char*>(data), size));
}

// Exactly N bytes from their canonical base64 spelling, padding included; nullopt for anything else.
template <std::size_t N> std::optional<std::array<unsigned char, N>> decodeBytes(std::string_view text) noexcept {
    const auto bytes = decodeBase64(text);
    if (!bytes || bytes->size() != N) return std::nullopt;
    std::array<unsigned char, N> out{};
    std::copy_n(bytes->begin(), N, out.begin());
    return out;
}

// Digits only, no sign, no leading zero, within [1, kMaxIterations].
std::optional<int> parseIterations(std::string_view text) noexcept {
    if (text.empty() || text.size() > 8 || text.front() == '0') return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    if (value < 1 || value > PasswordHasher::kMaxIterations) return std::nullopt;
    return value;
}

// "pbkdf2-sha256$<iterations>$<salt>$<key>" with exactly four fields; nullopt for anything else.
std::optional<StoredHash> parseStored(std::string_view stored) noexcept {
    std::array<std::string_view, 4> fields;
    std::size_t start = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        std::size_t end = stored.find('$', start);
        bool last = i + 1 == fields.size();
        if (last != (end == std::string_view::npos)) return std::nullopt; // too few or too many fields
        fields[i] = stored.substr(start, last ? std::string_view::npos : end - start);
        start = end + 1;
    }
    if (fields[0] != kScheme) return std::nullopt;

    auto iterations = parseIterations(fields[1]);
    auto salt = decodeBytes<kSaltBytes>(fields[2]);
    auto key = decodeBytes<kKeyBytes>(fields[3]);
    if (!iterations || !salt || !key) return std::nullopt;
    return StoredHash{*iterations, *salt, *key};
}

bool deriveKey(std::string_view password, const Salt& salt, int iterations, Key& key) noexcept {
    if (password.size() > static_cast<std::size_t>(INT_MAX)) return false;
    return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                             static_cast<int>(salt.size()), iterations, EVP_sha256(),
                             static_cast<int>(key.size()), key.data()) == 1;
}

std::string format(int iterations, const Salt& salt, const Key& key) {
    std::string out(kScheme);
    out += '$';
    out += std::to_string(iterations);
    out += '$';
    out += base64(salt.data(), salt.size());
    out += '$';
    out += base64(key.data(), key.size());
    return out;
}

} // namespace

PasswordHasher::PasswordHasher(int iterations) : _iterations(iterations) {
    if (iterations < 1 || iterations > kMaxIterations)
        throw std::invalid_argument("password hash iterations must be between 1 and " +
                                    std::to_string(kMaxIterations));
    // An all-zero key: no password derives to it (short of a 2^-256 accident), so burn() always fails,
    // after doing exactly the work of a real verify().
    _burnTarget = format(_iterations, Salt{}, Key{});
}

std::string PasswordHasher::hash(const std::string& password) const {
    if (password.size() > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("password too long");
    Salt salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        throw std::runtime_error("no randomness available for a password salt");
    Key key{};
    if (!deriveKey(password, salt, _iterations, key))
        throw std::runtime_error("PBKDF2 key derivation failed");
    std::string stored = format(_iterations, salt, key);
    OPENSSL_cleanse(key.data(), key.size());
    return stored;
}

bool PasswordHasher::verify(const std::string& password, const std::string& stored) const noexcept {
    auto parsed = parseStored(stored);
    if (!parsed) return false;
    Key candidate{};
    bool derived = deriveKey(password, parsed->salt, parsed->iterations, candidate);
    bool equal = CRYPTO_memcmp(candidate.data(), parsed->key.data(), candidate.size()) == 0;
    OPENSSL_cleanse(candidate.data(), candidate.size());
    return derived && equal;
}

bool PasswordHasher::needsRehash(const std::string& stored) const noexcept {
    auto parsed = parseStored(stored);
    return !parsed || parsed->iterations != _iterations;
}

void PasswordHasher::burn(const std::string& password) const noexcept {
    // The outcome is meaningless; only the time spent matters.
    (void)verify(password, _burnTarget);
}

} // namespace registry::auth
