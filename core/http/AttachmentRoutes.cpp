// /api/v1/attachments: evidence files (service::Attachments). The body of an upload is the file itself,
// with its Content-Type; ?name= gives the name it is shown under.

#include "codec/RecordJson.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Attachments.h"

#include <Poco/URI.h>

#include <algorithm>

namespace registry::http {

void sendAttachment(Exchange& ex, const service::StoredAttachment& stored, bool download) {
    const auto& a = stored.attachment;
    auto& response = ex.response();
    // Never rendered as a page of this site: the checked type, no sniffing, no scripts, its own origin.
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    // Images show in the notice's page; a PDF is saved (a browser's PDF viewer is a page of its own).
    const bool inlined = !download && a.contentType != "application/pdf";
    std::string encoded;
    Poco::URI::encode(a.fileName, "", encoded);
    std::string ascii;
    for (const char c : a.fileName) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '\\') ? c : '_';
    response.set("Content-Disposition", std::string(inlined ? "inline" : "attachment") + "; filename=\"" + ascii +
                                            "\"; filename*=UTF-8''" + encoded);
    // The bytes never change (content-addressed); only who may see them does. So nothing shared keeps them,
    // and a browser asks again each time (a 304 costs no transfer): a kept copy would show them, without
    // asking, to the next person signed in on the same browser.
    response.set("Cache-Control", "private, no-cache");
    const std::string etag = "\"" + a.sha256 + "\"";
    response.set("ETag", etag);
    const std::string wanted = ex.request().get("If-None-Match", "");
    if (!wanted.empty() && wanted.find(etag) != std::string::npos) {
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
        response.setContentLength(0);
        response.send();
        return;
    }
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType(a.contentType);
    response.setContentLength(static_cast<std::streamsize>(stored.content.size()));
    response.send() << stored.content;
}

void addAttachmentRoutes(Router& router, ApiContext& context) {
    const auto attachments = [&context] { return service::Attachments(context.services()); };

    router.add("POST", "/api/v1/attachments", [attachments, &context](Exchange& ex) {
        // Read past the attachment limit, so that the use case says how large the file is and what is allowed.
        const auto limit = std::max(context.limits.maxUploadBytes, context.attachments.maxBytes + 1);
        const std::string content = ex.rawBody(limit);
        const auto created = attachments().upload(ex.principal(), ex.request().getContentType(),
                                                  ex.query("name").value_or(""), content);
        ex.response().set("Location", "/api/v1/attachments/" + std::to_string(created.id));
        ex.sendJson(201, codec::toJson(created));
    });

    router.add("GET", "/api/v1/attachments/{id}", [attachments](Exchange& ex) {
        const auto download = ex.query("download");
        sendAttachment(ex, attachments().get(ex.principal(), ex.id()), download == std::optional<std::string>("true"));
    });
}

} // namespace registry::http
