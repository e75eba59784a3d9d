#include "domain/Attachment.h"

#include "domain/FieldError.h"

namespace registry::domain {

std::string toString(AttachmentPurpose purpose) {
    switch (purpose) {
    case AttachmentPurpose::NoticeResponse: return "notice_response";
    case AttachmentPurpose::NoticeVerification: return "notice_verification";
    case AttachmentPurpose::Inspection: return "inspection";
    case AttachmentPurpose::Progress: return "progress";
    }
    return "notice_response";
}

std::optional<AttachmentPurpose> parseAttachmentPurpose(std::string_view text) {
    if (text == "notice_response") return AttachmentPurpose::NoticeResponse;
    if (text == "notice_verification") return AttachmentPurpose::NoticeVerification;
    if (text == "inspection") return AttachmentPurpose::Inspection;
    if (text == "progress") return AttachmentPurpose::Progress;
    return std::nullopt;
}

void checkAttachmentIds(Validator& v, const std::vector<std::int64_t>& ids) {
    if (ids.size() > 20) v.add("attachment_ids", "too_many", "一次最多附 20 个附件", "at most 20 attachments at a time");
    for (const auto id : ids)
        if (id <= 0) {
            v.add("attachment_ids", "invalid", "附件编号须为正整数", "attachment ids are positive integers");
            break;
        }
}

std::optional<std::string> sniffContentType(std::string_view c) {
    // JPEG: SOI and the first marker; PNG: its eight-byte signature and IHDR first; PDF: the %PDF- header
    // (which may follow up to 1 KiB of junk in readers, but scanners and phones write it first).
    if (c.size() >= 4 && c.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return "image/jpeg";
    if (c.size() >= 16 && c.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8) && c.substr(12, 4) == "IHDR")
        return "image/png";
    if (c.size() >= 8 && c.substr(0, 5) == "%PDF-") return "application/pdf";
    return std::nullopt;
}

const std::vector<std::string>& attachmentTypes() {
    static const std::vector<std::string> types{"image/jpeg", "image/png", "application/pdf"};
    return types;
}

std::string extensionOf(const std::string& contentType) {
    if (contentType == "image/png") return "png";
    if (contentType == "application/pdf") return "pdf";
    return "jpg";
}

std::string cleanFileName(const std::string& name, const std::string& contentType) {
    // Only the last path segment, and only if it is valid UTF-8 without control characters.
    std::string base = name.substr(name.find_last_of("/\\") == std::string::npos ? 0 : name.find_last_of("/\\") + 1);
    std::string out;
    if (utf8Length(base)) {
        for (const char c : base) {
            const auto b = static_cast<unsigned char>(c);
            if (b < 0x20 || c == '"' || c == ';' || c == 0x7F) continue;
            out += c;
        }
    }
    while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
    // At most 120 characters, cut on a code point boundary.
    std::size_t chars = 0, cut = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if ((static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue;
        if (chars == 120) break;
        ++chars;
        cut = i + 1;
        while (cut < out.size() && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) ++cut;
    }
    out.resize(std::min(out.size(), cut));
    if (out.empty()) out = "attachment." + extensionOf(contentType);
    return out;
}

} // namespace registry::domain
