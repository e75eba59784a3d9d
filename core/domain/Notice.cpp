#include "domain/Notice.h"

#include "domain/Dates.h"

namespace registry::domain {

std::string noticeNumber(const std::string& year, const std::string& district, long long sequence) {
    std::string digits = std::to_string(sequence);
    if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
    return "京民殡整〔" + year + "〕" + district + "-" + digits + "号";
}

namespace {
/// A deadline given at all must be a date from `today` on, within two years.
void deadlineFrom(Validator& v, const std::optional<std::string>& deadline, const std::string& today, bool required) {
    v.date("deadline", "整改期限", deadline.value_or(""), required);
    if (!deadline || v.has("deadline")) return;
    if (*deadline < today)
        v.add("deadline", "past", "整改期限不能早于今天(" + today + ")", "deadline must not be before today (" + today + ")");
    else if (*deadline > addDays(today, 730))
        v.add("deadline", "too_far", "整改期限不能超过两年", "deadline must be within two years");
}

} // namespace

FieldErrors validateNew(const Notice& n, const std::string& today) {
    Validator v;
    if (n.subjectType == SubjectType::Price)
        v.add("subject_type", "enum", "通知对象类型须为 facility 或 burial_site", "subject_type must be facility or burial_site");
    if (n.subjectId <= 0) v.add("subject_id", "required", "通知对象不能为空", "subject_id is required");
    if (n.findingIds.empty())
        v.add("finding_ids", "required", "整改通知须列明至少一个问题", "a notice names at least one finding");
    if (n.findingIds.size() > 200)
        v.add("finding_ids", "too_many", "一份通知最多列 200 个问题", "a notice names at most 200 findings");
    v.text("requirements", "整改要求", n.requirements, 4000, true);
    deadlineFrom(v, n.deadline.empty() ? std::nullopt : std::optional<std::string>(n.deadline), today, true);
    return v.take();
}

FieldErrors validate(const NoticeResponse& r) {
    Validator v;
    v.text("text", "整改情况", r.text, 4000, true);
    checkAttachmentIds(v, r.attachmentIds);
    return v.take();
}

FieldErrors validate(const NoticeVerification& r, const std::string& today) {
    Validator v;
    if (!r.result) v.add("result", "required", "必须填写验收结果 result", "result is required");
    const bool again = r.result == VerificationResult::NotRectified;
    v.text("note", "验收意见", r.note, 4000, again);
    if (again) {
        deadlineFrom(v, r.deadline, today, true);
    } else if (r.deadline) {
        v.add("deadline", "not_allowed", "已整改的通知不再设整改期限", "a rectified notice takes no new deadline");
    }
    checkAttachmentIds(v, r.attachmentIds);
    return v.take();
}

} // namespace registry::domain
