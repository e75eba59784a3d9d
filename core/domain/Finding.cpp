#include "domain/Finding.h"

namespace registry::domain {

FieldErrors validateStatusChange(FindingStatus to, const std::string& note) {
    Validator v;
    v.text("note", "说明", note, 2000, to == FindingStatus::Waived);
    if (to == FindingStatus::Waived && v.has("note")) {
        FieldErrors errors = v.take();
        for (auto& e : errors)
            if (e.code == "required") {
                e.messageZh = "豁免须填写说明(为何不需整改)";
                e.messageEn = "a note is required to waive a finding (why it needs no correction)";
            }
        return errors;
    }
    return v.take();
}

} // namespace registry::domain
