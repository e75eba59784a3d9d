// /api/v1/notices: rectification notices (service::Notices), dated by the server's today (audit.timezone).

#include "codec/RecordDecode.h"
#include "codec/RecordJson.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/Notices.h"

namespace registry::http {

void addNoticeRoutes(Router& router, ApiContext& context) {
    const auto notices = [&context] { return service::Notices(context.services(), context.todayDate()); };

    router.add("GET", "/api/v1/notices", [notices](Exchange& ex) {
        service::NoticeTiming timing;
        const auto filter = noticeFilterParams(ex, timing);
        sendPageOf(ex, notices().list(ex.principal(), filter, timing, ex.page()));
    });

    router.add("GET", "/api/v1/notices/{id}", [notices](Exchange& ex) {
        const auto notice = notices().get(ex.principal(), ex.id());
        ex.sendRecord(200, codec::toJson(notice), notice.version);
    });

    router.add("POST", "/api/v1/notices", [notices](Exchange& ex) {
        const auto created = notices().issue(ex.principal(), [&ex] {
            domain::Validator errors;
            auto notice = codec::decodeNotice(*ex.jsonBody(), errors);
            return draft(std::move(notice), errors);
        });
        ex.response().set("Location", "/api/v1/notices/" + std::to_string(created.id));
        ex.sendRecord(201, codec::toJson(created), created.version);
    });

    router.add("POST", "/api/v1/notices/{id}/response", [notices](Exchange& ex) {
        const auto answered = notices().respond(ex.principal(), ex.id(), [&ex] {
            domain::Validator errors;
            auto response = codec::decodeNoticeResponse(*ex.jsonBody(), errors);
            return draft(std::move(response), errors);
        });
        ex.sendRecord(200, codec::toJson(answered), answered.version);
    });

    router.add("POST", "/api/v1/notices/{id}/verify", [notices](Exchange& ex) {
        const auto verified = notices().verify(ex.principal(), ex.id(), [&ex] {
            domain::Validator errors;
            auto verification = codec::decodeNoticeVerification(*ex.jsonBody(), errors);
            return draft(std::move(verification), errors);
        });
        ex.sendRecord(200, codec::toJson(verified), verified.version);
    });
}

} // namespace registry::http
