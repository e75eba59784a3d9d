// /api/v1/public: price disclosure for anyone, without signing in (service::PublicDisclosure). Each answer
// is built here field by field from the public types, never from a record's JSON, cacheable, and limited
// per client address.

#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "http/Api.h"
#include "http/HttpError.h"
#include "http/Responses.h"
#include "service/PublicDisclosure.h"

#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/IPAddress.h>

#include <sstream>

namespace registry::http {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

/// How long a browser or a proxy may keep a public answer: prices change by the day, not by the second.
constexpr int kMaxAgeSeconds = 300;

Var optional(const std::optional<double>& v) { return v ? Var(*v) : Var(); }
Var optional(const std::optional<long long>& v) { return v ? Var(*v) : Var(); }
Var optional(const std::optional<std::string>& v) { return v ? Var(*v) : Var(); }

Object::Ptr facilityJson(const service::PublicFacility& f) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", f.id);
    o->set("name", f.name);
    o->set("kind", domain::toString(f.kind));
    o->set("district", f.district);
    o->set("address", f.address);
    o->set("operator", f.operatorName);
    o->set("lat", optional(f.lat));
    o->set("lon", optional(f.lon));
    return o;
}

Object::Ptr priceJson(const service::PublicPrice& p, bool history) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("item", p.item);
    const auto* item = domain::findPriceItem(p.item);
    o->set("name_zh", item ? item->nameZh : p.item);
    o->set("name_en", item ? item->nameEn : p.item);
    o->set("amount_fen", p.amountFen);
    o->set("unit", p.unit);
    o->set("effective_from", p.effectiveFrom);
    if (history)
        o->set("effective_to", optional(p.effectiveTo));
    else
        o->set("cap_fen", optional(p.capFen));
    return o;
}

const char* const kJson = "application/json; charset=utf-8";

/// The answer for this URI as the last signed-out caller got it, if still fresh: sent, true.
bool sendKept(ApiContext& context, Exchange& ex) {
    const auto kept = context.publicCache->get(ex.request().getURI());
    if (!kept) return false;
    ex.sendCacheable(kJson, *kept, kMaxAgeSeconds);
    return true;
}

void sendPublic(ApiContext& context, Exchange& ex, const Var& body) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(body, out);
    ex.sendCacheable(kJson, *context.publicCache->put(ex.request().getURI(), out.str()), kMaxAgeSeconds);
}

} // namespace

namespace {
/// The limiter's key for a client: its address, an IPv6 one by its /64 (what one subscriber is given, so
/// that rotating through it buys nothing).
std::string limitKey(const std::string& address) {
    Poco::Net::IPAddress ip;
    if (!Poco::Net::IPAddress::tryParse(address, ip) || ip.family() != Poco::Net::IPAddress::IPv6) return address;
    ip.mask(Poco::Net::IPAddress(64, Poco::Net::IPAddress::IPv6));
    return ip.toString() + "/64";
}
} // namespace

void limitPublic(ApiContext& context, const Poco::Net::HTTPServerRequest& request, double cost) {
    if (!context.publicLimiter) return;
    const auto wait = context.publicLimiter->take(limitKey(clientAddress(request, context.limits)), cost);
    if (!wait) return;
    HttpError e({Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS, "请求过于频繁", "Too many requests",
                 "来自您的地址的请求过多,请 " + std::to_string(*wait) + " 秒后再试",
                 "too many requests from your address; try again in " + std::to_string(*wait) + " s",
                 {}});
    e.headers["Retry-After"] = std::to_string(*wait);
    throw e;
}

void addPublicRoutes(Router& router, ApiContext& context) {
    if (!context.publicLimiter) context.publicLimiter = std::make_shared<RateLimiter>(context.limits.publicPerMinute);
    if (!context.publicCache) context.publicCache = std::make_shared<ResponseCache>(context.limits.publicCacheSeconds);

    router.add(
        "GET", "/api/v1/public/facilities",
        [&context](Exchange& ex) {
            limitPublic(context, ex.request());
            if (sendKept(context, ex)) return;
            service::PublicFacilityFilter filter;
            filter.district = districtParam(ex);
            filter.kind = ex.queryEnum<domain::FacilityKind>("kind");
            filter.q = ex.query("q").value_or("");
            const auto page = service::PublicDisclosure(context.services()).facilities(filter, ex.page());
            Array::Ptr items = new Array;
            for (const auto& f : page.items) items->add(facilityJson(f));
            Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            body->set("items", items);
            body->set("next_cursor", page.nextAfterId ? Var(Exchange::encodeCursor(*page.nextAfterId)) : Var());
            sendPublic(context, ex, body);
        },
        false);

    router.add(
        "GET", "/api/v1/public/facilities/{id}",
        [&context](Exchange& ex) {
            limitPublic(context, ex.request());
            if (sendKept(context, ex)) return;
            const auto found = service::PublicDisclosure(context.services()).facility(ex.id(), context.todayDate());
            Object::Ptr body = facilityJson(found.facility);
            Array::Ptr prices = new Array, history = new Array;
            for (const auto& p : found.prices) prices->add(priceJson(p, false));
            for (const auto& p : found.history) history->add(priceJson(p, true));
            body->set("prices", prices);
            body->set("history", history);
            sendPublic(context, ex, body);
        },
        false);

    router.add(
        "GET", "/api/v1/public/prices",
        [&context](Exchange& ex) {
            limitPublic(context, ex.request());
            if (sendKept(context, ex)) return;
            const auto item = ex.query("item");
            if (!item)
                throw HttpError::badRequest("请用 item 指定要比较的价格项目(如 item=basic.cremation)",
                                            "name the price item to compare with item= (e.g. item=basic.cremation)");
            const auto rows = service::PublicDisclosure(context.services())
                                  .compare(*item, districtParam(ex), context.todayDate());
            Array::Ptr items = new Array;
            for (const auto& r : rows) {
                Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                o->set("facility_id", r.facilityId);
                o->set("facility_name", r.facilityName);
                o->set("facility_kind", domain::toString(r.facilityKind));
                o->set("district", r.district);
                o->set("amount_fen", r.price.amountFen);
                o->set("unit", r.price.unit);
                o->set("effective_from", r.price.effectiveFrom);
                o->set("cap_fen", optional(r.price.capFen));
                items->add(o);
            }
            Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            body->set("item", *item);
            body->set("items", items);
            sendPublic(context, ex, body);
        },
        false);

    // Open data: the same prices for anyone to reuse, whole, as CSV (for Excel) or JSON.
    router.add(
        "GET", "/api/v1/public/export",
        [&context](Exchange& ex) {
            // The whole price list is read for it: it costs as much as the pages of a long visit.
            limitPublic(context, ex.request(), 20);
            const std::string format = ex.query("format").value_or("csv");
            if (format != "csv" && format != "json")
                throw HttpError::badRequest("format 须为 csv 或 json", "format must be csv or json");
            const std::string today = context.todayDate();
            ex.response().set("Content-Disposition",
                              "attachment; filename=\"beijing-funeral-prices-" + today + "." + format + "\"");
            const char* type = format == "csv" ? "text/csv; charset=utf-8" : kJson;
            // Written whole before anything is sent, so that a failure while reading is an error answer,
            // not a truncated file; kept like every public answer, so a crowd downloading costs one build.
            const std::string key = "export " + format + " " + today;
            auto kept = context.publicCache->get(key);
            if (!kept) {
                std::ostringstream out;
                service::PublicDisclosure(context.services()).writeOpenData(out, format == "json", today);
                kept = context.publicCache->put(key, out.str());
            }
            ex.sendCacheable(type, *kept, 3600);
        },
        false);
}

} // namespace registry::http
