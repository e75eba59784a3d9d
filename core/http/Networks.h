#pragma once
// A list of networks ("127.0.0.0/8, ::1, 10.1.2.0/24"), for settings that say who may reach a route
// (http.metrics_from).

#include <Poco/Net/IPAddress.h>

#include <string>
#include <vector>

namespace registry::http {

class NetworkList {
public:
    /// Comma-separated addresses and CIDR networks. Throws std::invalid_argument naming the entry that is
    /// neither.
    static NetworkList parse(const std::string& text);
    /// Whether `address` (as clientAddress gives it; an IPv4-mapped IPv6 address counts as IPv4) is in one.
    bool contains(const std::string& address) const;
    bool empty() const { return _networks.empty(); }

private:
    struct Network {
        Poco::Net::IPAddress address;
        unsigned prefix = 0;
    };
    std::vector<Network> _networks;
};

} // namespace registry::http
