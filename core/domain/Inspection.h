#pragma once
// An inspection (监督检查) of a facility or a burial site.

#include "domain/Attachment.h"
#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <string>
#include <vector>

namespace registry::domain {

struct Inspection {
    std::int64_t id = 0;
    SubjectType subjectType = SubjectType::Facility; // facility or burial_site
    std::int64_t subjectId = 0;
    std::string district; // the subject's, filled in by the store
    std::string date;
    InspectionResult result = InspectionResult::Pass;
    std::string checklistJson = "{}"; // a JSON object of check → answer, kept as the client sent it
    std::string notes;
    std::string inspector;
    std::string createdAt;
    std::int64_t version = 1;
    /// Photos and scans taken at the inspection: named by id when it is recorded, listed when it is read.
    std::vector<std::int64_t> attachmentIds;
    std::vector<Attachment> attachments;
};

FieldErrors validate(const Inspection& inspection);

} // namespace registry::domain
