#pragma once
// Helpers shared by the route files: the use cases' refusals as problem documents, records as JSON, the
// district rules' checks, and query parameters that name a district.

#include "codec/RecordJson.h"
#include "http/Exchange.h"
#include "plugins/Plugin.h"
#include "service/Attachments.h"
#include "service/Context.h"
#include "service/Exports.h"
#include "service/Notices.h"
#include "service/Refusal.h"

#include <vector>

namespace registry::http {

/// The problem document of a refusal: 403, 404 (naming `uri`), 422 with every field error, 409 with the
/// current record, 503.
HttpError problemOf(const service::Refusal& refusal, const std::string& uri);

/// The field errors of decoding collected in `errors`, as a use case's draft wants them.
template <class T> service::Draft<T> draft(T value, domain::Validator& errors, long long expectedVersion = 0) {
    return {std::move(value), errors.take(), expectedVersion};
}

/// The API's `checks` array: {plugin, rule, severity, message} per finding.
Poco::JSON::Array::Ptr checksJson(const std::vector<plugins::Finding>& checks);

/// A stored record with its checks, as POST and PUT answer it.
template <class T> Poco::JSON::Object::Ptr writtenJson(const service::Written<T>& written) {
    auto out = codec::toJson(written.record);
    out->set("checks", checksJson(written.checks));
    return out;
}

/// {"items": [...], "next_cursor": ...} of a page of records.
template <class T> void sendPageOf(Exchange& ex, const store::Page<T>& page) {
    Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
    for (const auto& item : page.items) items->add(codec::toJson(item));
    ex.sendPage(items, page.nextAfterId);
}

/// An attachment's bytes with its checked type, never to be rendered as this site's page (nosniff, a
/// sandboxing CSP); images inline unless `download`, PDFs always as a download. Kept by no cache without
/// asking again (304 when If-None-Match names its ETag).
void sendAttachment(Exchange& exchange, const service::StoredAttachment& stored, bool download);

/// Sends the head of an export (chunked, its type, a download named after it, not to be stored) and
/// returns the stream its body goes to: for the API's and the web's exports alike.
std::ostream& startExport(Exchange& exchange, service::ExportKind kind, service::ExportFormat format);

/// The `district` query parameter, checked to be a district code (400 otherwise).
std::optional<std::string> districtParam(const Exchange& exchange);

/// The filters of GET /api/v1/notices (and of its export): district, status, subject_type, subject_id,
/// open, and into `timing` overdue and due_within_days. 400 for a malformed one.
service::NoticeFilter noticeFilterParams(const Exchange& exchange, service::NoticeTiming& timing);

} // namespace registry::http
