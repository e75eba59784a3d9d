#include "domain/Money.h"

#include <string>

namespace registry::domain {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool allDigits(const std::string& text) {
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

std::optional<std::int64_t> parseYuan(std::string_view typed) {
    std::string text;
    for (char c : typed)
        if (c != ',' && !isSpace(c)) text += c;
    for (const std::string_view sign : {std::string_view("¥"), std::string_view("￥")})
        if (text.compare(0, sign.size(), sign) == 0) {
            text.erase(0, sign.size());
            break;
        }
    if (text.empty() || text.size() > 15) return std::nullopt;
    const auto dot = text.find('.');
    const std::string whole = text.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (whole.empty() || frac.size() > 2 || !allDigits(whole) || !allDigits(frac)) return std::nullopt;
    while (frac.size() < 2) frac += '0';
    return std::stoll(whole) * 100 + std::stoll(frac);
}

} // namespace registry::domain
