#include "auth/Base64.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <sstream>

namespace registry::auth {
namespace {

int options(Base64Alphabet alphabet) {
    return alphabet == Base64Alphabet::UrlSafe ? Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING : 0;
}

} // namespace

std::string encodeBase64(std::string_view bytes, Base64Alphabet alphabet) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, options(alphabet));
    encoder.rdbuf()->setLineLength(0); // one line: the default wraps at 72 characters
    encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
}

std::optional<std::string> decodeBase64(std::string_view text, Base64Alphabet alphabet) noexcept {
    try {
        std::istringstream in{std::string(text)};
        Poco::Base64Decoder decoder(in, options(alphabet));
        std::string bytes{std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>()};
        if (decoder.bad()) return std::nullopt;
        // Poco's decoder skips whitespace and ignores spare bits; re-encoding and comparing admits only the
        // one spelling encodeBase64 writes.
        if (encodeBase64(bytes, alphabet) != text) return std::nullopt;
        return bytes;
    } catch (const std::exception&) { // Poco::DataFormatException for a character outside the alphabet
        return std::nullopt;
    }
}

} // namespace registry::auth
