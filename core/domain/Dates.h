#pragma once
// Calendar dates as the API writes them ("YYYY-MM-DD") and UTC timestamps (RFC 3339). Plain arithmetic on
// the proleptic Gregorian calendar, so the domain needs no date library.

#include <cstdint>
#include <optional>
#include <string>

namespace registry::domain {

/// Days since 1970-01-01 for a valid "YYYY-MM-DD" (years 1900–2999), nullopt otherwise.
std::optional<std::int64_t> parseDate(const std::string& text);

/// "YYYY-MM-DD" for days since 1970-01-01.
std::string formatDate(std::int64_t days);

/// The date `delta` days from a valid date string; the input must be valid.
std::string addDays(const std::string& date, std::int64_t delta);

/// Today's date in UTC.
std::string todayUtc();

/// Milliseconds since the Unix epoch as RFC 3339 UTC, in the fixed-width form of nowTimestamp.
std::string formatTimestamp(std::int64_t epochMs);

/// Milliseconds since the Unix epoch of an RFC 3339 UTC timestamp as formatTimestamp writes it
/// ("2026-11-29T01:18:56.123Z", or without the milliseconds); nullopt for anything else.
std::optional<std::int64_t> parseTimestamp(const std::string& text);

/// Milliseconds since the Unix epoch, now.
std::int64_t nowEpochMs();

/// Now as RFC 3339 UTC with milliseconds, fixed width so that text order is time order:
/// "2026-11-29T01:18:56.123Z".
std::string nowTimestamp();

} // namespace registry::domain
