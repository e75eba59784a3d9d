#include "domain/Inspection.h"

#include "domain/Dates.h"

namespace registry::domain {

FieldErrors validate(const Inspection& i) {
    Validator v;
    if (i.subjectType == SubjectType::Price)
        v.add("subject_type", "enum", "检查对象类型须为 facility 或 burial_site",
              "subject_type must be facility or burial_site");
    if (i.subjectId <= 0) v.add("subject_id", "required", "检查对象不能为空", "subject_id is required");
    v.date("date", "检查日期", i.date, true);
    if (!v.has("date") && i.date > addDays(todayUtc(), 1))
        v.add("date", "future", "检查日期不能晚于今天", "date must not be in the future");
    v.text("notes", "检查记录", i.notes, 4000, false);
    if (i.checklistJson.size() > 64 * 1024)
        v.add("checklist", "too_long", "检查清单过大(不超过 64 KiB)", "checklist must be at most 64 KiB");
    checkAttachmentIds(v, i.attachmentIds);
    return v.take();
}

} // namespace registry::domain
