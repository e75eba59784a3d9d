#include "auth/Tokens.h"

#include "auth/Base64.h"

#include <Poco/SHA2Engine.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace registry::auth {

namespace {
constexpr std::size_t kSecretBytes = 32;
}

std::string newSecret() {
    std::array<unsigned char, kSecretBytes> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("no randomness available for a token secret");

    std::string secret = encodeBase64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                      Base64Alphabet::UrlSafe);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return secret;
}

std::string hashSecret(const std::string& secret) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(secret);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

bool constantTimeEquals(const std::string& a, const std::string& b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace registry::auth
