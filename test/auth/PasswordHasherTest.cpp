#include "auth/PasswordHasher.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

using registry::auth::PasswordHasher;

namespace {
// Few iterations keep the suite fast; the format and logic do not depend on the count.
constexpr int kFast = 1000;

std::vector<std::string> fieldsOf(const std::string& stored) {
    std::vector<std::string> fields;
    std::string::size_type start = 0;
    for (;;) {
        auto end = stored.find('$', start);
        fields.push_back(stored.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return fields;
        start = end + 1;
    }
}
} // namespace

BOOST_AUTO_TEST_SUITE(PasswordHasherTest)

BOOST_AUTO_TEST_CASE(hashThenVerifyAccepts) {
    PasswordHasher hasher(kFast);
    std::string stored = hasher.hash("correct horse battery");
    BOOST_TEST(hasher.verify("correct horse battery", stored));
}

BOOST_AUTO_TEST_CASE(verifiesAHashMadeElsewhere) {
    // Computed independently (Python's hashlib.pbkdf2_hmac, salt bytes 0..15): pins the algorithm, the
    // parameters and the encoding, not just agreement of hash() with verify().
    const std::string stored =
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=";
    PasswordHasher hasher;
    BOOST_TEST(hasher.verify("correct horse battery", stored));
    BOOST_TEST(!hasher.verify("correct horse batterY", stored));
}

BOOST_AUTO_TEST_CASE(wrongPasswordIsRejected) {
    PasswordHasher hasher(kFast);
    std::string stored = hasher.hash("correct horse battery");
    BOOST_TEST(!hasher.verify("correct horse batterx", stored));
    BOOST_TEST(!hasher.verify("", stored));
    BOOST_TEST(!hasher.verify("correct horse battery ", stored));
}

BOOST_AUTO_TEST_CASE(emptyAndNonAsciiPasswordsRoundTrip) {
    PasswordHasher hasher(kFast);
    BOOST_TEST(hasher.verify("", hasher.hash("")));
    BOOST_TEST(hasher.verify("殡葬管理密码", hasher.hash("殡葬管理密码")));
    std::string withNul("a\0b", 3);
    std::string stored = hasher.hash(withNul);
    BOOST_TEST(hasher.verify(withNul, stored));
    BOOST_TEST(!hasher.verify("a", stored)); // the NUL does not end the password
}

BOOST_AUTO_TEST_CASE(storedFormatHasFourFields) {
    PasswordHasher hasher(kFast);
    auto fields = fieldsOf(hasher.hash("secret password"));
    BOOST_TEST_REQUIRE(fields.size() == 4u);
    BOOST_TEST(fields[0] == "pbkdf2-sha256");
    BOOST_TEST(fields[1] == "1000");
    BOOST_TEST(fields[2].size() == 24u); // 16 bytes
    BOOST_TEST(fields[3].size() == 44u); // 32 bytes
}

BOOST_AUTO_TEST_CASE(defaultIterationCountIs600000) {
    PasswordHasher hasher;
    BOOST_TEST(hasher.iterations() == 600000);
    std::string stored = hasher.hash("slow but once");
    BOOST_TEST(stored.rfind("pbkdf2-sha256$600000$", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(samePasswordHashesDifferently) {
    PasswordHasher hasher(kFast);
    std::string first = hasher.hash("same password");
    std::string second = hasher.hash("same password");
    BOOST_TEST(first != second);
    BOOST_TEST(fieldsOf(first)[2] != fieldsOf(second)[2]);
    BOOST_TEST(hasher.verify("same password", first));
    BOOST_TEST(hasher.verify("same password", second));
}

BOOST_AUTO_TEST_CASE(iterationCountComesFromTheStoredString) {
    std::string old = PasswordHasher(kFast).hash("kept across upgrades");
    PasswordHasher current(600000);
    // Were the configured count used instead, this would take seconds and fail.
    BOOST_TEST(current.verify("kept across upgrades", old));
    BOOST_TEST(!current.verify("something else", old));
}

BOOST_AUTO_TEST_CASE(needsRehashWhenIterationCountDiffers) {
    PasswordHasher fast(kFast);
    PasswordHasher faster(kFast / 2);
    std::string stored = fast.hash("pw");
    BOOST_TEST(!fast.needsRehash(stored));
    BOOST_TEST(faster.needsRehash(stored));
    BOOST_TEST(PasswordHasher().needsRehash(stored));
    BOOST_TEST(fast.needsRehash("not a hash"));
}

// verify() and needsRehash() face stored data; a throw there would turn a bad row into a failed request.
static_assert(noexcept(std::declval<const PasswordHasher&>().verify(std::declval<const std::string&>(),
                                                                    std::declval<const std::string&>())));
static_assert(
    noexcept(std::declval<const PasswordHasher&>().needsRehash(std::declval<const std::string&>())));
static_assert(noexcept(std::declval<const PasswordHasher&>().burn(std::declval<const std::string&>())));

BOOST_AUTO_TEST_CASE(malformedStoredStringsAreRejectedWithoutThrowing) {
    PasswordHasher hasher(kFast);
    std::string good = hasher.hash("pw");
    auto f = fieldsOf(good);
    const std::string& salt = f[2];
    const std::string& key = f[3];
    std::string tail = "$" + salt + "$" + key;

    std::vector<std::string> bad = {
        "",
        "$",
        "$$$",
        "garbage",
        "pbkdf2-sha256",
        good.substr(0, good.size() - 1),                              // truncated key
        good.substr(0, good.size() / 2),                              // truncated mid-salt
        good + "$",                                                   // a fifth, empty field
        good + "$extra",                                              // a fifth field
        good + "A",                                                   // key too long
        "pbkdf2-sha1$1000" + tail,                                    // another scheme
        "PBKDF2-SHA256$1000" + tail,                                  // scheme is case-sensitive
        "pbkdf2-sha256$$" + salt + "$" + key,                         // no iteration count
        "pbkdf2-sha256$0" + tail,                                     // zero iterations
        "pbkdf2-sha256$-1000" + tail,                                 // negative
        "pbkdf2-sha256$+1000" + tail,                                 // sign
        "pbkdf2-sha256$01000" + tail,                                 // leading zero
        "pbkdf2-sha256$1e3" + tail,                                   // not decimal digits
        "pbkdf2-sha256$ 1000" + tail,                                 // whitespace
        "pbkdf2-sha256$10000001" + tail,                              // just above the cap
        "pbkdf2-sha256$2000000000" + tail,                            // huge: must not run
        "pbkdf2-sha256$99999999999999999999" + tail,                  // overflows int
        "pbkdf2-sha256$1000$$" + key,                                 // empty salt
        "pbkdf2-sha256$1000$" + salt + "$",                           // empty key
        "pbkdf2-sha256$1000$" + key + "$" + salt,                     // fields swapped
        "pbkdf2-sha256$1000$" + salt + "$" + key.substr(0, 43) + "!", // not base64
        "pbkdf2-sha256$1000$" + salt + "$ " + key.substr(1),          // whitespace inside
        std::string("pbkdf2-sha256$1000\0", 19) + tail,               // embedded NUL
        std::string(100000, '$'),
        std::string(100000, 'A'),
    };
    for (const auto& stored : bad) {
        BOOST_TEST_CONTEXT("stored = \"" << stored.substr(0, 80) << "\"") {
            BOOST_TEST(!hasher.verify("pw", stored));
            BOOST_TEST(hasher.needsRehash(stored));
        }
    }
}

BOOST_AUTO_TEST_CASE(hugeIterationCountIsRefusedWithoutWork) {
    // A stored string past the cap must be turned down before any key derivation: running it would take
    // seconds (10000001) to minutes (99999999) here.
    PasswordHasher hasher(kFast);
    auto f = fieldsOf(hasher.hash("pw"));
    auto start = std::chrono::steady_clock::now();
    for (const char* count : {"10000001", "99999999"}) {
        BOOST_TEST(!hasher.verify("pw", std::string("pbkdf2-sha256$") + count + "$" + f[2] + "$" + f[3]));
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(seconds < 1.0);
}

BOOST_AUTO_TEST_CASE(nonCanonicalBase64IsRejected) {
    PasswordHasher hasher(kFast);
    auto f = fieldsOf(hasher.hash("pw"));
    // The salt's last character carries 4 spare bits; setting them changes no decoded byte but makes a
    // spelling that hash() never writes.
    std::string salt = f[2];
    BOOST_TEST_REQUIRE(salt.substr(22) == "==");
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto index = alphabet.find(salt[21]);
    salt[21] = alphabet[index | 0x0f];
    if (salt == f[2]) salt[21] = alphabet[index & ~0x0f];
    BOOST_TEST(!hasher.verify("pw", "pbkdf2-sha256$1000$" + salt + "$" + f[3]));
}

BOOST_AUTO_TEST_CASE(anySingleBitFlipIsRejected) {
    PasswordHasher hasher(kFast);
    std::string good = hasher.hash("pw");
    // Flipping one bit anywhere (scheme, count, separator, salt, key) must make the hash fail.
    for (std::size_t i = 0; i < good.size(); ++i) {
        std::string corrupt = good;
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x01);
        BOOST_TEST(!hasher.verify("pw", corrupt));
    }
}

BOOST_AUTO_TEST_CASE(invalidIterationSettingThrows) {
    BOOST_CHECK_THROW(PasswordHasher(0), std::invalid_argument);
    BOOST_CHECK_THROW(PasswordHasher(-5), std::invalid_argument);
    BOOST_CHECK_THROW(PasswordHasher(PasswordHasher::kMaxIterations + 1), std::invalid_argument);
    BOOST_CHECK_NO_THROW(PasswordHasher(1));
}

BOOST_AUTO_TEST_CASE(burnDoesNotThrowAndLeavesHasherUsable) {
    PasswordHasher hasher(kFast);
    BOOST_CHECK_NO_THROW(hasher.burn("any password"));
    BOOST_CHECK_NO_THROW(hasher.burn(""));
    BOOST_TEST(hasher.verify("pw", hasher.hash("pw")));
}

BOOST_AUTO_TEST_CASE(burnTakesAsLongAsAVerify) {
    // What matters is that burn() is not a shortcut (which would be a thousand times faster); the bounds
    // are loose and each side takes its fastest of five interleaved runs, so a loaded machine still passes.
    PasswordHasher hasher(100000);
    std::string stored = hasher.hash("pw");
    auto secondsOf = [](auto&& work) {
        auto start = std::chrono::steady_clock::now();
        work();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    double verifying = 1e9;
    double burning = 1e9;
    for (int i = 0; i < 5; ++i) {
        verifying = std::min(verifying, secondsOf([&] { (void)hasher.verify("wrong", stored); }));
        burning = std::min(burning, secondsOf([&] { hasher.burn("wrong"); }));
    }
    BOOST_TEST_MESSAGE("verify " << verifying << " s, burn " << burning << " s at 100000 iterations");
    BOOST_TEST(burning > verifying / 3);
    BOOST_TEST(burning < verifying * 3);
}

BOOST_AUTO_TEST_SUITE_END()
