#include "domain/User.h"

namespace registry::domain {

FieldErrors validate(const User& u) {
    Validator v;
    bool ok = u.username.size() >= 2 && u.username.size() <= 64;
    for (char c : u.username)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) ok = false;
    if (u.username.empty())
        v.add("username", "required", "用户名不能为空", "username is required");
    else if (!ok)
        v.add("username", "format", "用户名须为 2–64 位小写字母、数字、点、下划线或连字符",
              "username must be 2 to 64 characters of a-z, 0-9, '.', '_' or '-'");
    v.text("display_name", "显示名称", u.displayName, 100, false);
    // Given at all, it must be a district: "" is not "citywide" (that is null).
    if (u.district) v.district("district", *u.district, true);
    if (u.role == Role::Operator && !u.facilityId)
        v.add("facility_id", "required", "经营单位人员必须指定所属单位 facility_id",
              "an operator needs facility_id, the facility it works for");
    else if (u.role != Role::Operator && u.facilityId)
        v.add("facility_id", "not_allowed", "只有经营单位人员(operator)属于某个单位",
              "only an operator belongs to a facility");
    else if (u.facilityId && *u.facilityId <= 0)
        v.add("facility_id", "range", "facility_id 必须为正整数", "facility_id must be a positive integer");
    if (u.email && !plausibleEmail(*u.email))
        v.add("email", "format", "电子邮箱格式不正确(如 name@example.cn,不含空格)",
              "email must be an address such as name@example.cn, without spaces");
    return v.take();
}

bool plausibleEmail(const std::string& email) {
    if (email.empty() || email.size() > 254) return false;
    for (unsigned char c : email)
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
            c == ';' || c == ':' || c == '[' || c == ']' || c == '\\')
            return false;
    const auto at = email.find('@');
    if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) return false;
    const std::string domain = email.substr(at + 1);
    const auto dot = domain.find('.');
    return dot != std::string::npos && dot > 0 && domain.back() != '.' && domain.find("..") == std::string::npos;
}

std::optional<FieldError> checkPassword(const std::string& password) {
    const auto length = utf8Length(password);
    if (!length)
        return FieldError{"password", "encoding", "密码包含无效字符(须为 UTF-8 文本,不含控制字符)",
                          "password contains invalid characters (must be UTF-8 text without control characters)"};
    if (*length < 10)
        return FieldError{"password", "too_short", "密码至少 10 个字符", "password must be at least 10 characters"};
    if (*length > 200)
        return FieldError{"password", "too_long", "密码不能超过 200 个字符", "password must be at most 200 characters"};
    return std::nullopt;
}

} // namespace registry::domain
