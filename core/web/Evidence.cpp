#include "web/Evidence.h"

#include "http/Responses.h"
#include "service/Attachments.h"
#include "service/Refusal.h"

#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>

namespace registry::web {

FieldSpec evidenceField(const std::string& name, const std::string& labelKey) {
    std::vector<std::pair<std::string, std::string>> types;
    for (const auto& type : domain::attachmentTypes()) types.emplace_back(type, "");
    return {name, labelKey, FieldKind::Files, false, types, "hint_evidence_files"};
}

Evidence::Evidence(WebUi& ui, const Request& req, std::string field) : _ui(ui), _req(req), _field(std::move(field)) {
    service::Attachments attachments(ui.services());
    for (const auto& text : req.fieldValues("attachment_ids")) {
        Poco::Int64 id = 0;
        if (!Poco::NumberParser::tryParse64(text, id)) continue;
        _ids.push_back(id);
        try {
            if (auto a = attachments.describe(req.principal(), id); !a.ownerType) _kept.push_back(std::move(a));
        } catch (const service::NotFound&) {
            // Forgotten after a day, or never this user's: the write says so.
        }
    }
}

std::vector<std::int64_t> Evidence::upload() {
    service::Attachments attachments(_ui.services());
    const auto chosen = _req.filesOf(_field);
    // One error for the field, naming every refused file (a form shows one error beside a field).
    std::optional<domain::FieldError> refused;
    for (const auto* file : chosen) {
        try {
            attachments.check(_req.principal(), file->contentType, file->content);
        } catch (const service::UploadRefused& e) {
            const auto& error = e.errors().front();
            if (!refused) refused = domain::FieldError{_field, error.code, "", ""};
            refused->messageZh += (refused->messageZh.empty() ? "" : ";") + file->fileName + ":" + error.messageZh;
            refused->messageEn += (refused->messageEn.empty() ? "" : "; ") + file->fileName + ": " + error.messageEn;
        }
    }
    if (refused) throw service::Invalid({*refused});
    for (const auto* file : chosen) {
        auto stored = attachments.upload(_req.principal(), file->contentType, file->fileName, file->content);
        _ids.push_back(stored.id);
        _kept.push_back(std::move(stored));
    }
    return _ids;
}

mstch::array Evidence::keptField() const {
    if (_kept.empty()) return {};
    mstch::array options;
    for (const auto& a : _kept)
        options.push_back(mstch::map{{"value", std::to_string(a.id)},
                                     {"label", a.fileName + "(" + sizeText(a.bytes) + ")"},
                                     {"option_id", "f-attachment_ids-" + std::to_string(a.id)},
                                     {"selected", true}});
    return {mstch::map{{"name", std::string("attachment_ids")},
                       {"label", _req.t("evidence_kept")},
                       {"is_multi", true},
                       {"options", options},
                       {"hint", _req.t("hint_evidence_kept")},
                       {"described_by", std::string("h-attachment_ids")}}};
}

mstch::array attachmentsView(const std::vector<domain::Attachment>& all, domain::AttachmentPurpose purpose) {
    mstch::array out;
    for (const auto& a : all) {
        if (a.purpose != purpose) continue;
        const bool image = a.contentType != "application/pdf";
        out.push_back(mstch::map{{"id", std::to_string(a.id)},
                                 {"name", a.fileName},
                                 {"size", sizeText(a.bytes)},
                                 {"is_image", image}});
    }
    return out;
}

std::map<std::string, std::string> evidenceErrors(const std::string& field) {
    return {{"attachment_ids", field}, {"content", field}};
}

std::string sizeText(std::int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    if (bytes < 1024 * 1024) return std::to_string((bytes + 512) / 1024) + " KB";
    return Poco::NumberFormatter::format(static_cast<double>(bytes) / (1024 * 1024), 1) + " MB";
}

void addAttachmentPages(WebUi& ui) {
    // The API's permission check and headers: served to the readers of its notice, never as a page.
    ui.get("/attachments/{id}", [&ui](Request& req) {
        http::sendAttachment(req, service::Attachments(ui.services()).get(req.principal(), req.id()),
                             req.query("download") == std::optional<std::string>("true"));
    });
}

} // namespace registry::web
