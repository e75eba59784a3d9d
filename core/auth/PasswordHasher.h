#pragma once
// Password storage: PBKDF2-HMAC-SHA256 with a random salt per password, in a self-describing string so
// that raising the work factor later leaves existing hashes verifiable (and flags them for rehashing).

#include <string>

namespace registry::auth {

class PasswordHasher {
  public:
    /// The iteration count new hashes get; 600000 follows the OWASP recommendation for PBKDF2-SHA256.
    static constexpr int kDefaultIterations = 600000;
    /// The most iterations verify() will run: a stored string is data, and a forged or corrupted one
    /// must not be able to pin a CPU for minutes.
    static constexpr int kMaxIterations = 10000000;

    /// `iterations` is the work factor for new hashes. Throws std::invalid_argument unless it lies in
    /// [1, kMaxIterations].
    explicit PasswordHasher(int iterations = kDefaultIterations);

    int iterations() const { return _iterations; }

    /// A new stored form, "pbkdf2-sha256$<iterations>$<salt base64>$<key base64>", with a fresh 16-byte
    /// salt, so two hashes of one password differ. Throws std::runtime_error if OpenSSL cannot supply
    /// randomness or derive the key, and std::invalid_argument for a password longer than INT_MAX bytes.
    std::string hash(const std::string& password) const;

    /// Whether `password` matches `stored`, using the iteration count written in `stored` (not this
    /// hasher's). Anything malformed, including an iteration count outside [1, kMaxIterations], is
    /// simply false. Never throws; the comparison takes constant time.
    bool verify(const std::string& password, const std::string& stored) const noexcept;

    /// True when `stored` should be replaced by hash(password) after a successful verify: it was made
    /// with another iteration count, or it is not a well-formed hash at all.
    bool needsRehash(const std::string& stored) const noexcept;

    /// Spends the time of one verify() at this hasher's iteration count and discards the outcome. Call it
    /// when the user is unknown, so that the answer's timing does not tell unknown users from wrong
    /// passwords.
    void burn(const std::string& password) const noexcept;

  private:
    int _iterations;
    // A well-formed stored string whose key matches no password: burn() verifies against it, which
    // costs the same as a real verify. It needs no key derivation of its own, so it is built up front.
    std::string _burnTarget;
};

} // namespace registry::auth
