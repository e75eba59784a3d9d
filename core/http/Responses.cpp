#include "http/Responses.h"

#include "domain/District.h"

namespace registry::http {

using Poco::Net::HTTPResponse;
using service::RefusalKind;

HttpError problemOf(const service::Refusal& refusal, const std::string& uri) {
    switch (refusal.kind()) {
    case RefusalKind::NotAllowed: return HttpError::forbidden(refusal.messageZh(), refusal.messageEn());
    case RefusalKind::NotFound: return HttpError::notFound(uri);
    case RefusalKind::Invalid: {
        HttpError e = HttpError::unprocessable(refusal.errors());
        e.extra = refusal.extraJson();
        return e;
    }
    case RefusalKind::RefusedByPlugin:
        return HttpError({HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, "不符合本区规定,未保存", "Refused by a district rule",
                          refusal.messageZh(), refusal.messageEn(), refusal.errors()});
    case RefusalKind::Conflict: {
        const auto current = refusal.currentJson();
        // A stale version carries the record as it now stands; other conflicts (a plugin version number
        // already used for another text) say what they clash with in their message.
        HttpError e({HTTPResponse::HTTP_CONFLICT, current ? "记录已被他人修改" : "与已有内容冲突",
                     current ? "Version conflict" : "Conflict", refusal.messageZh(), refusal.messageEn(), {}});
        if (current) {
            e.extra = new Poco::JSON::Object;
            e.extra->set("current", current);
        }
        return e;
    }
    case RefusalKind::Unavailable:
        return HttpError({HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "此功能未启用", "Not available here",
                          refusal.messageZh(), refusal.messageEn(), {}});
    case RefusalKind::TooLarge:
        return HttpError({HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "文件过大", "File too large",
                          refusal.messageZh(), refusal.messageEn(), refusal.errors()});
    case RefusalKind::UnsupportedMedia:
        return HttpError({HTTPResponse::HTTP_UNSUPPORTEDMEDIATYPE, "文件类型不支持", "Unsupported file type",
                          refusal.messageZh(), refusal.messageEn(), refusal.errors()});
    }
    return HttpError::badRequest(refusal.messageZh(), refusal.messageEn());
}

Poco::JSON::Array::Ptr checksJson(const std::vector<plugins::Finding>& checks) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& f : checks) {
        Poco::JSON::Object::Ptr check = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        check->set("plugin", f.plugin);
        check->set("rule", f.rule);
        check->set("severity", domain::toString(f.severity));
        check->set("message", f.message);
        out->add(check);
    }
    return out;
}

std::optional<std::string> districtParam(const Exchange& exchange) {
    auto district = exchange.query("district");
    if (district && !domain::findDistrict(*district))
        throw HttpError::badRequest("district 须为北京市的区代码(如 110108)",
                                    "district must be a Beijing district code such as 110108");
    return district;
}

service::NoticeFilter noticeFilterParams(const Exchange& ex, service::NoticeTiming& timing) {
    service::NoticeFilter filter;
    filter.district = districtParam(ex);
    filter.status = ex.queryEnum<domain::NoticeStatus>("status");
    filter.subjectType = ex.queryEnum<domain::SubjectType>("subject_type");
    filter.subjectId = ex.queryId("subject_id");
    filter.openOnly = ex.queryFlag("open");
    timing.overdue = ex.queryFlag("overdue");
    if (const auto days = ex.queryId("due_within_days")) {
        if (*days < 1 || *days > service::maxDueWithinDays)
            throw HttpError::badRequest("查询参数 due_within_days 须为 1 到 366 之间的整数",
                                        "query parameter due_within_days must be an integer from 1 to 366");
        timing.dueWithinDays = static_cast<int>(*days);
    }
    return filter;
}

std::ostream& startExport(Exchange& exchange, service::ExportKind kind, service::ExportFormat format) {
    auto& response = exchange.response();
    response.setChunkedTransferEncoding(true);
    response.setContentType(service::contentType(format));
    response.set("Content-Disposition", "attachment; filename=\"" + service::fileName(kind, format) + "\"");
    response.set("Cache-Control", "no-store");
    return response.send();
}

} // namespace registry::http
