#pragma once
// An evidence file (API.md, Attachments): a photo or a scan, uploaded first and then named by the write it
// supports (a notice's answer or verification). Its type is what its bytes are, not what the client said.

#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry::domain {

/// What an attachment supports once a write has named it.
enum class AttachmentPurpose { NoticeResponse, NoticeVerification, Inspection, Progress };
std::string toString(AttachmentPurpose purpose);
std::optional<AttachmentPurpose> parseAttachmentPurpose(std::string_view text);

struct Attachment {
    std::int64_t id = 0;
    std::string sha256; // hex, of the bytes
    std::string contentType; // image/jpeg, image/png or application/pdf: as sniffed
    std::int64_t bytes = 0;
    std::string fileName; // as the client named it (shown, never used as a path)
    std::string uploadedBy, uploadedAt;
    /// The record it is attached to; none until a write names it.
    std::optional<std::string> ownerType; // "notice", "inspection" or "progress" (a burial site's entry)
    std::int64_t ownerId = 0;
    std::optional<AttachmentPurpose> purpose;
    std::optional<std::string> district; // the owner's, once attached
};

/// The type the content is, by its first bytes: "image/jpeg", "image/png", "application/pdf", or nullopt.
std::optional<std::string> sniffContentType(std::string_view content);

/// The ids a write names in `attachment_ids` (at most 20, positive). Which uploads exist and are the
/// writer's is the store's to say (store::AttachmentRepository::attachIn).
void checkAttachmentIds(Validator& v, const std::vector<std::int64_t>& ids);

/// The allowed types, as Content-Type values.
const std::vector<std::string>& attachmentTypes();

/// A file name fit to show and to put in Content-Disposition: no path, no control or quote characters,
/// at most 120 characters; "" becomes a name from the type ("attachment.jpg").
std::string cleanFileName(const std::string& name, const std::string& contentType);

/// The extension of a type: "jpg", "png", "pdf".
std::string extensionOf(const std::string& contentType);

} // namespace registry::domain
