#pragma once
// Evidence files on the web forms (API.md, Attachments): the files of a form's file input, checked and stored
// through service::Attachments exactly as the API's uploads are, the uploads a refused answer leaves (offered
// again, ticked, so that the user need not choose them again), the files as a notice's page lists them, and
// /attachments/{id}, which serves one to the signed-in users who may read it.

#include "domain/Attachment.h"
#include "web/FormDecode.h"
#include "web/WebUi.h"

#include <mstch/mstch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::web {

/// The file input of a form that takes evidence: JPEG, PNG or PDF, several at once. (Two such forms share
/// the notice's page, so each names its own field.)
FieldSpec evidenceField(const std::string& name, const std::string& labelKey);

/// The evidence a form posted: its uploads kept from a refused try (the ticked boxes "attachment_ids") and
/// the files chosen now (in `field`).
class Evidence {
public:
    Evidence(WebUi& ui, const Request& req, std::string field);

    /// Checks every chosen file, then stores them all; returns the ids of the kept and the new uploads.
    /// When a file is refused (its type, its size), stores none and throws Invalid with one error of the
    /// field that names each refused file and why. What was stored stays among kept().
    std::vector<std::int64_t> upload();
    /// The uploads no write has named yet that the form carries (those stored by upload() too).
    const std::vector<domain::Attachment>& kept() const { return _kept; }
    /// The ticked boxes of kept() for the `field` partial; empty when there is none.
    mstch::array keptField() const;

private:
    WebUi& _ui;
    const Request& _req;
    std::string _field;
    std::vector<std::int64_t> _ids; // ticked, as posted: an id that is not the user's is refused by the write
    std::vector<domain::Attachment> _kept;
};

/// The files of `all` with `purpose`, as a page lists them: an image as a thumbnail linking to it, a PDF as
/// a link to download it, each with its name and size.
mstch::array attachmentsView(const std::vector<domain::Attachment>& all, domain::AttachmentPurpose purpose);

/// What the store and the upload call the evidence (attachment_ids, content), as the form names its file
/// field: for Form::addErrors, so that a refused file is named beside its input.
std::map<std::string, std::string> evidenceErrors(const std::string& field);

/// "12 KB", "1.5 MB": a file's size for people.
std::string sizeText(std::int64_t bytes);

} // namespace registry::web
