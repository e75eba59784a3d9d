#pragma once
// Field errors: what is wrong with one field of a record, said for people in Chinese and English.

#include <optional>
#include <string>
#include <vector>

namespace registry::domain {

struct FieldError {
    std::string field;     // API field name, e.g. "amount_fen"
    std::string code;      // stable machine code, e.g. "required", "min", "enum"
    std::string messageZh; // "金额不能小于 0"
    std::string messageEn; // "amount_fen must be at least 0"
};

using FieldErrors = std::vector<FieldError>;

/// Collects every error of a record at once; the checks below add to it and never stop early.
class Validator {
public:
    void add(std::string field, std::string code, std::string zh, std::string en);
    void add(FieldError error) { _errors.push_back(std::move(error)); }
    bool ok() const { return _errors.empty(); }
    bool has(const std::string& field) const;
    const FieldErrors& errors() const { return _errors; }
    FieldErrors take() { return std::move(_errors); }

    // Text: `label` is the field's Chinese name. Length is counted in characters (UTF-8 code points);
    // text that is not valid UTF-8 is an error of its own.
    void text(const std::string& field, const std::string& label, const std::string& value, std::size_t maxChars,
              bool required);
    void intRange(const std::string& field, const std::string& label, long long value, long long min,
                  long long max);
    void realRange(const std::string& field, const std::string& label, double value, double min, double max);
    void date(const std::string& field, const std::string& label, const std::string& value, bool required);
    void district(const std::string& field, const std::string& value, bool required);
    /// Both or neither of lat/lon, inside Beijing (lat 39.4–41.1, lon 115.4–117.6).
    void location(const std::optional<double>& lat, const std::optional<double>& lon);

private:
    FieldErrors _errors;
};

/// Number of code points in valid UTF-8; nullopt if `text` is not valid UTF-8 or holds a control character
/// other than tab, line feed and carriage return (C0, DEL, C1).
std::optional<std::size_t> utf8Length(const std::string& text);

} // namespace registry::domain
