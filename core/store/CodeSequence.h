#pragma once
// Server-assigned record codes such as "F-110108-0007": a counter per prefix, taken inside the caller's
// write transaction so that concurrent creations never share a number.

#include <soci/soci.h>

#include <string>

namespace registry::store {

/// The next code for `prefix` ("F-110108"), zero-padded to `width` digits: "F-110108-0007".
std::string nextCode(soci::session& sql, const std::string& prefix, int width);

/// Makes sure the counter for `prefix` is past `used` (after a bulk load that assigned codes itself).
void advanceCode(soci::session& sql, const std::string& prefix, long long used);

} // namespace registry::store
