#pragma once
// Evidence files (API.md, Attachments): an upload is checked (its bytes must be a JPEG, a PNG or a PDF, and
// the type the client declared; at most attachments.max_mb), stored (AttachmentFiles, then its row), and
// then named by the write it supports, which attaches it (service::Notices). It is served only to those
// who may read that record: before it is attached, to its uploader alone.

#include "domain/Attachment.h"
#include "service/Context.h"

#include <string>

namespace registry::service {

struct StoredAttachment {
    domain::Attachment attachment;
    std::string content;
};

class Attachments {
public:
    explicit Attachments(Context context) : _c(std::move(context)) {}

    /// Whoever may answer or verify a notice may upload (an operator for its facility, inspectors, admins).
    /// Refuses (UploadRefused: TooLarge, UnsupportedMedia; Invalid for too many pending uploads) with
    /// nothing stored.
    domain::Attachment upload(const Principal& who, const std::string& declaredType, const std::string& fileName,
                              const std::string& content);
    /// Refuses as upload would for who the uploader is and what the file is (all but the pending count),
    /// storing nothing; returns the content's type. For a front end that takes several files at once and
    /// stores none of them when one is refused.
    std::string check(const Principal& who, const std::string& declaredType, const std::string& content) const;
    /// Its description and bytes; NotFound for anyone who may not read the record it is attached to.
    StoredAttachment get(const Principal& who, long long id);
    /// Its description alone, on the same terms as get.
    domain::Attachment describe(const Principal& who, long long id);

    /// Uploads no write named may wait this long (then they are forgotten) and number this many a user.
    static constexpr int kPendingHours = 24;
    static constexpr long long kMaxPendingPerUser = 50;

private:
    void forgetAbandoned();
    Context _c;
};

} // namespace registry::service
