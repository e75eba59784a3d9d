#include "auth/Tokens.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>
#include <string>

using namespace registry::auth;

namespace {
bool isBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
bool isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}
} // namespace

BOOST_AUTO_TEST_SUITE(TokensTest)

BOOST_AUTO_TEST_CASE(newSecretIs43Base64UrlCharacters) {
    for (int i = 0; i < 100; ++i) {
        std::string secret = newSecret();
        BOOST_TEST(secret.size() == 43u);
        BOOST_TEST(std::all_of(secret.begin(), secret.end(), isBase64UrlChar), secret);
    }
}

BOOST_AUTO_TEST_CASE(newSecretsAreDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i)
        seen.insert(newSecret());
    BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(newSecretsUseTheWholeAlphabet) {
    // 32 random bytes per secret: over 1000 secrets every one of the 64 symbols shows up, including the
    // two that differ from standard base64, which a wrong alphabet option would miss.
    std::set<char> symbols;
    for (int i = 0; i < 1000; ++i) {
        std::string secret = newSecret();
        symbols.insert(secret.begin(), secret.end());
    }
    BOOST_TEST(symbols.size() == 64u);
    BOOST_TEST(symbols.count('-') == 1u);
    BOOST_TEST(symbols.count('_') == 1u);
}

BOOST_AUTO_TEST_CASE(hashSecretIsKnownSha256Hex) {
    BOOST_TEST(hashSecret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(hashSecret("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(hashSecretIs64LowercaseHexAndDeterministic) {
    std::string secret = newSecret();
    std::string hashed = hashSecret(secret);
    BOOST_TEST(hashed.size() == 64u);
    BOOST_TEST(std::all_of(hashed.begin(), hashed.end(), isLowerHex), hashed);
    BOOST_TEST(hashSecret(secret) == hashed);
    BOOST_TEST(hashed != secret);
    BOOST_TEST(hashSecret(newSecret()) != hashed);
}

BOOST_AUTO_TEST_CASE(constantTimeEqualsComparesContent) {
    BOOST_TEST(constantTimeEquals("", ""));
    BOOST_TEST(constantTimeEquals("abc", "abc"));
    BOOST_TEST(!constantTimeEquals("abc", "abd"));
    BOOST_TEST(!constantTimeEquals("abc", "xbc"));
    BOOST_TEST(!constantTimeEquals("abc", "abcd"));
    BOOST_TEST(!constantTimeEquals("abc", ""));
    BOOST_TEST(!constantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
    std::string hashed = hashSecret(newSecret());
    BOOST_TEST(constantTimeEquals(hashed, std::string(hashed)));
    BOOST_TEST(!constantTimeEquals(hashed, hashSecret(newSecret())));
}

BOOST_AUTO_TEST_SUITE_END()
