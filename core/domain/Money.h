#pragma once
// Amounts of money: stored and sent as integer fen; people type and import them in yuan.

#include <cstdint>
#include <optional>
#include <string_view>

namespace registry::domain {

/// Yuan as a person writes them, in a form or a price list's amount_yuan column ("1234.5", "1,234.50",
/// "¥80", "￥80.05", " 12 "), to fen, exactly (no floating point): digits with at most two decimals, commas
/// and spaces between them ignored, one leading ¥ or ￥, at most 15 digits and point. nullopt for anything
/// else (a sign, an exponent, a third decimal, an empty text).
std::optional<std::int64_t> parseYuan(std::string_view text);

} // namespace registry::domain
