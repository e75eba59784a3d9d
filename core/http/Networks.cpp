#include "http/Networks.h"

#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>

#include <cstring>
#include <stdexcept>

namespace registry::http {
namespace {

// ::ffff:a.b.c.d, as a dual-stack socket shows an IPv4 client, is that IPv4 address.
Poco::Net::IPAddress unmapped(const Poco::Net::IPAddress& ip) {
    if (ip.family() != Poco::Net::IPAddress::IPv6 || !ip.isIPv4Mapped()) return ip;
    const auto* bytes = static_cast<const unsigned char*>(ip.addr());
    return Poco::Net::IPAddress(bytes + 12, 4);
}

bool samePrefix(const Poco::Net::IPAddress& a, const Poco::Net::IPAddress& b, unsigned prefix) {
    if (a.family() != b.family()) return false;
    const auto* x = static_cast<const unsigned char*>(a.addr());
    const auto* y = static_cast<const unsigned char*>(b.addr());
    const unsigned whole = prefix / 8, rest = prefix % 8;
    if (std::memcmp(x, y, whole) != 0) return false;
    if (rest == 0) return true;
    const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (x[whole] & mask) == (y[whole] & mask);
}

} // namespace

NetworkList NetworkList::parse(const std::string& text) {
    NetworkList list;
    Poco::StringTokenizer entries(text, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& entry : entries) {
        const auto slash = entry.find('/');
        Network n;
        const std::string address = entry.substr(0, slash);
        const auto bad = [&] {
            return std::invalid_argument("'" + entry + "' is neither an IP address nor a network (address/prefix)");
        };
        if (!Poco::Net::IPAddress::tryParse(address, n.address)) throw bad();
        n.address = unmapped(n.address);
        const unsigned bits = n.address.family() == Poco::Net::IPAddress::IPv4 ? 32 : 128;
        n.prefix = bits;
        if (slash != std::string::npos) {
            unsigned prefix = 0;
            if (!Poco::NumberParser::tryParseUnsigned(entry.substr(slash + 1), prefix) || prefix > bits) throw bad();
            n.prefix = prefix;
        }
        list._networks.push_back(n);
    }
    return list;
}

bool NetworkList::contains(const std::string& address) const {
    Poco::Net::IPAddress ip;
    if (!Poco::Net::IPAddress::tryParse(address, ip)) return false;
    ip = unmapped(ip);
    for (const auto& n : _networks)
        if (samePrefix(ip, n.address, n.prefix)) return true;
    return false;
}

} // namespace registry::http
