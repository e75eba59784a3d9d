#pragma once
// A rectification notice (整改通知书, DOMAIN.md "Added 2026-12"): an inspector's written order to a facility
// or a burial site's responsible unit, naming findings, what must be done and by when. Numbered per district
// and year; the unit answers (responded); the inspector verifies it (its findings resolved) or sets a new
// deadline (back to issued). Past its deadline and not verified it is overdue.

#include "domain/Attachment.h"
#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace registry::domain {

struct Notice {
    std::int64_t id = 0;
    std::string number; // 京民殡整〔2026〕110108-0007号
    std::string district; // the subject's
    SubjectType subjectType = SubjectType::Facility; // facility or burial_site
    std::int64_t subjectId = 0;
    std::vector<std::int64_t> findingIds;
    std::string requirements;
    std::string deadline; // YYYY-MM-DD, the last day to rectify
    NoticeStatus status = NoticeStatus::Issued;
    std::string issuedBy, issuedOn; // who, and the day (audit.timezone)
    std::string responseText, respondedBy;
    std::optional<std::string> respondedAt;
    std::optional<VerificationResult> result;
    std::string verificationNote, verifiedBy;
    std::optional<std::string> verifiedAt;
    std::int64_t version = 1;
    std::string createdAt, updatedAt;
    /// The evidence of its answers and verifications, in upload order.
    std::vector<Attachment> attachments;
    bool isOverdue = false; // as of the reader's today: set by the use cases (service::Notices), not stored
};

/// Past its deadline on `today` and not verified.
inline bool overdue(const Notice& n, const std::string& today) {
    return n.status != NoticeStatus::Verified && n.deadline < today;
}

/// "京民殡整〔2026〕110108-0007号": the number of the `sequence`-th notice of `district` in `year`.
std::string noticeNumber(const std::string& year, const std::string& district, long long sequence);

/// A new notice as issued on `today`: subject, at least one finding, requirements, a deadline from today on.
FieldErrors validateNew(const Notice& notice, const std::string& today);

/// The unit's answer.
struct NoticeResponse {
    std::string text;
    std::vector<std::int64_t> attachmentIds;
};
FieldErrors validate(const NoticeResponse& response);

/// The inspector's verdict after re-inspection; not rectified needs a note and a new deadline.
struct NoticeVerification {
    std::optional<VerificationResult> result;
    std::string note;
    std::optional<std::string> deadline;
    std::vector<std::int64_t> attachmentIds;
};
FieldErrors validate(const NoticeVerification& verification, const std::string& today);

} // namespace registry::domain
