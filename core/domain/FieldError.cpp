#include "domain/FieldError.h"

#include "domain/Dates.h"
#include "domain/District.h"

#include <cmath>

namespace registry::domain {

void Validator::add(std::string field, std::string code, std::string zh, std::string en) {
    _errors.push_back({std::move(field), std::move(code), std::move(zh), std::move(en)});
}

bool Validator::has(const std::string& field) const {
    for (const auto& e : _errors)
        if (e.field == field) return true;
    return false;
}

std::optional<std::size_t> utf8Length(const std::string& text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len;
        std::uint32_t cp;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + len > text.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static const std::uint32_t minForLen[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < minForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        // Control characters other than tab and newlines have no place in a record: C0 (U+0000–U+001F),
        // DEL (U+007F) and C1 (U+0080–U+009F).
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return std::nullopt;
        if (cp >= 0x7F && cp <= 0x9F) return std::nullopt;
        i += len;
        ++count;
    }
    return count;
}

void Validator::text(const std::string& field, const std::string& label, const std::string& value,
                     std::size_t maxChars, bool required) {
    const auto length = utf8Length(value);
    if (!length) {
        add(field, "encoding", label + "包含无效字符(须为 UTF-8 文本,不含控制字符)",
            field + " contains invalid characters (must be UTF-8 text without control characters)");
        return;
    }
    // Blank means only spaces: ASCII whitespace and the full-width space U+3000 that Chinese input adds.
    bool blank = true;
    for (std::size_t i = 0; i < value.size() && blank; ++i) {
        const char c = value[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (value.compare(i, 3, "\xE3\x80\x80") == 0) {
            i += 2;
            continue;
        }
        blank = false;
    }
    if (required && blank) {
        add(field, "required", label + "不能为空", field + " is required");
        return;
    }
    if (*length > maxChars)
        add(field, "too_long", label + "不能超过 " + std::to_string(maxChars) + " 个字符",
            field + " must be at most " + std::to_string(maxChars) + " characters");
}

void Validator::intRange(const std::string& field, const std::string& label, long long value, long long min,
                         long long max) {
    if (value < min)
        add(field, "min", label + "不能小于 " + std::to_string(min),
            field + " must be at least " + std::to_string(min));
    else if (value > max)
        add(field, "max", label + "不能大于 " + std::to_string(max),
            field + " must be at most " + std::to_string(max));
}

namespace {
std::string shortNumber(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}
} // namespace

void Validator::realRange(const std::string& field, const std::string& label, double value, double min,
                          double max) {
    if (!std::isfinite(value)) {
        add(field, "type", label + "必须是有限的数值", field + " must be a finite number");
    } else if (value < min) {
        add(field, "min", label + "不能小于 " + shortNumber(min), field + " must be at least " + shortNumber(min));
    } else if (value > max) {
        add(field, "max", label + "不能大于 " + shortNumber(max), field + " must be at most " + shortNumber(max));
    }
}

void Validator::date(const std::string& field, const std::string& label, const std::string& value,
                     bool required) {
    if (value.empty()) {
        if (required) add(field, "required", label + "不能为空", field + " is required");
        return;
    }
    if (!parseDate(value))
        add(field, "date", label + "须为有效日期,格式 YYYY-MM-DD", field + " must be a valid date as YYYY-MM-DD");
}

void Validator::district(const std::string& field, const std::string& value, bool required) {
    if (value.empty()) {
        if (required) add(field, "required", "所属区不能为空", field + " is required");
        return;
    }
    if (!findDistrict(value))
        add(field, "enum", "所属区代码无效:须为北京市 16 个区的行政区划代码(如 110108)",
            field + " must be one of Beijing's 16 district codes (e.g. 110108)");
}

void Validator::location(const std::optional<double>& lat, const std::optional<double>& lon) {
    if (lat.has_value() != lon.has_value()) {
        const std::string missing = lat ? "lon" : "lat";
        add(missing, "required", "经纬度须同时填写", "lat and lon must be given together");
        return;
    }
    if (!lat) return;
    if (!std::isfinite(*lat) || *lat < 39.4 || *lat > 41.1)
        add("lat", "outside_beijing", "纬度须在北京市范围内(39.4–41.1)",
            "lat must lie within Beijing (39.4 to 41.1)");
    if (!std::isfinite(*lon) || *lon < 115.4 || *lon > 117.6)
        add("lon", "outside_beijing", "经度须在北京市范围内(115.4–117.6)",
            "lon must lie within Beijing (115.4 to 117.6)");
}

} // namespace registry::domain
