// /public/: price disclosure for families (API.md, Public price disclosure), no sign-in, phone first. Find
// an operating facility, read its displayed prices beside the cap with how each changed over 24 months
// (a small SVG drawn here, no script), and compare one item cheapest first. Everything shown comes from
// service::PublicDisclosure, which holds public fields only.

#include "domain/Dates.h"
#include "domain/District.h"
#include "domain/PriceItem.h"
#include "service/PublicDisclosure.h"
#include "web/FormDecode.h"
#include "web/Forms.h"
#include "web/WebUi.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace registry::web {

namespace {

std::string kindLabel(const Request& req, domain::FacilityKind kind) { return enumLabel(req, kind); }

mstch::array optionsOf(const std::vector<std::pair<std::string, std::string>>& options, const std::string& selected) {
    mstch::array out;
    for (const auto& [value, label] : options)
        out.push_back(mstch::map{{"value", value}, {"label", label}, {"selected", value == selected}});
    return out;
}

mstch::array itemOptions(const Request& req, const std::string& selected) {
    std::vector<std::pair<std::string, std::string>> options;
    for (const auto& item : domain::priceItems()) options.emplace_back(item.code, req.en() ? item.nameEn : item.nameZh);
    return optionsOf(options, selected);
}

/// Every district, whoever asks (districtOptions narrows it for a signed-in district user), after "the city".
std::vector<std::pair<std::string, std::string>> allDistricts(const Request& req) {
    std::vector<std::pair<std::string, std::string>> out{{"", req.t("public_all_districts")}};
    for (const auto& d : domain::districts()) out.emplace_back(d.code, req.en() ? d.nameEn : d.nameZh);
    return out;
}

std::vector<std::pair<std::string, std::string>> allKinds(const Request& req) {
    auto out = enumOptions<domain::FacilityKind>(req, true);
    out.insert(out.begin(), {"", req.t("public_all_kinds")});
    return out;
}

std::string itemName(const Request& req, const std::string& code) {
    const auto* item = domain::findPriceItem(code);
    return item ? (req.en() ? item->nameEn : item->nameZh) : code;
}

/// "每具" in Chinese; "body" for per_body in English (the page says "¥570.00 / body").
std::string unitLabel(const Request& req, const std::string& unit) {
    if (!req.en()) return domain::unitZh(unit);
    std::string text = unit.rfind("per_", 0) == 0 ? unit.substr(4) : unit;
    std::replace(text.begin(), text.end(), '_', ' ');
    return text;
}

/// A district from the query, or none (an unknown code is no filter: the page says so).
std::optional<std::string> districtQuery(const Request& req, bool& unknown) {
    const auto code = req.query("district");
    unknown = code && !domain::findDistrict(*code);
    return code && !unknown ? code : std::nullopt;
}

/// How one item's displayed price went over the window [since, today]: a step line, cheapest at the
/// bottom, with its amounts in words for screen readers.
std::string priceChart(const Request& req, const std::vector<service::PublicPrice>& records, const std::string& since,
                       const std::string& today) {
    const auto start = domain::parseDate(since), end = domain::parseDate(today);
    if (!start || !end || records.empty() || *end <= *start) return "";
    constexpr double width = 120, height = 32, pad = 3;
    long long low = records.front().amountFen, high = low;
    for (const auto& r : records) {
        low = std::min(low, r.amountFen);
        high = std::max(high, r.amountFen);
    }
    const auto x = [&](std::int64_t day) {
        const auto clamped = std::clamp(day, *start, *end);
        return pad + (width - 2 * pad) * static_cast<double>(clamped - *start) / static_cast<double>(*end - *start);
    };
    const auto y = [&](long long fen) {
        if (high == low) return height / 2;
        return height - pad - (height - 2 * pad) * static_cast<double>(fen - low) / static_cast<double>(high - low);
    };
    std::ostringstream points, words;
    points.setf(std::ios::fixed);
    points.precision(1);
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        const auto from = domain::parseDate(r.effectiveFrom).value_or(*start);
        const auto to = r.effectiveTo ? domain::parseDate(*r.effectiveTo).value_or(*end) : *end;
        // A price that began today is a short stroke at the right end, not an invisible point.
        const double left = std::min(x(from), x(to) - 4);
        points << left << "," << y(r.amountFen) << " " << x(to) << "," << y(r.amountFen) << " ";
        words << (i ? " → " : "") << yuan(r.amountFen);
    }
    const std::string label = req.t("public_chart_label") + ": " + words.str();
    return "<svg class=\"spark\" viewBox=\"0 0 120 32\" width=\"120\" height=\"32\" role=\"img\" aria-label=\"" +
           label + "\"><title>" + label + "</title><polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" points=\"" +
           points.str() + "\"/></svg>";
}

void finder(WebUi& ui, Request& req) {
    http::limitPublic(ui.api(), req.request());
    if (ui.sendKeptPublic(req)) return;
    bool unknownDistrict = false;
    service::PublicFacilityFilter filter;
    filter.district = districtQuery(req, unknownDistrict);
    const auto kind = req.query("kind");
    if (kind) filter.kind = domain::parseEnum<domain::FacilityKind>(*kind);
    filter.q = req.query("q").value_or("");
    const auto found = service::PublicDisclosure(ui.services()).facilities(filter, req.page());
    mstch::array rows;
    Poco::JSON::Array points; // the map's markers: the facilities of this page that have coordinates
    for (const auto& f : found.items) {
        if (f.lat && f.lon) {
            Poco::JSON::Object::Ptr point = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            point->set("name", f.name);
            point->set("lat", *f.lat);
            point->set("lon", *f.lon);
            point->set("href", "/public/facilities/" + std::to_string(f.id));
            points.add(point);
        }
        rows.push_back(mstch::map{{"href", "/public/facilities/" + std::to_string(f.id)},
                                  {"name", f.name},
                                  {"kind", kindLabel(req, f.kind)},
                                  {"district", districtName(req, f.district)},
                                  {"address", f.address}});
    }
    mstch::map view{{"districts", optionsOf(allDistricts(req), filter.district.value_or(""))},
                    {"kinds", optionsOf(allKinds(req), kind.value_or(""))},
                    {"q", filter.q},
                    {"rows", rows},
                    {"has_rows", !rows.empty()},
                    {"unknown_district", unknownDistrict},
                    {"next", nextPageLink(req, found.nextAfterId)}};
    const bool map = ui.mapEnabled() && points.size() > 0;
    if (map) {
        std::ostringstream json;
        points.stringify(json);
        view["map"] = mstch::map{{"tiles", ui.settings().mapTilesUrl},
                                 {"attribution", ui.settings().mapAttribution},
                                 {"points", json.str()}};
    }
    ui.renderPublic(req, "public_finder", view, "public_finder_title", map);
}

void facility(WebUi& ui, Request& req) {
    http::limitPublic(ui.api(), req.request());
    if (ui.sendKeptPublic(req)) return;
    const std::string today = ui.api().todayDate();
    const auto found = service::PublicDisclosure(ui.services()).facility(req.id(), today);
    std::map<std::string, std::vector<service::PublicPrice>> history;
    for (const auto& h : found.history) history[h.item].push_back(h);
    const std::string since = domain::addDays(today, -service::kHistoryDays);
    mstch::array rows;
    for (const auto& p : found.prices) {
        const auto& changes = history[p.item];
        rows.push_back(mstch::map{{"item", itemName(req, p.item)},
                                  {"amount", yuan(p.amountFen)},
                                  {"unit", unitLabel(req, p.unit)},
                                  {"cap", p.capFen ? yuan(*p.capFen) : std::string()},
                                  {"above_cap", p.capFen && p.amountFen > *p.capFen},
                                  {"since", p.effectiveFrom},
                                  {"changes", std::to_string(changes.size() > 0 ? changes.size() - 1 : 0)},
                                  {"chart", priceChart(req, changes, since, today)},
                                  {"compare", "/public/prices?item=" + p.item + "&district=" + found.facility.district}});
    }
    const auto& f = found.facility;
    mstch::map view{{"title", f.name},
                    {"kind", kindLabel(req, f.kind)},
                    {"district", districtName(req, f.district)},
                    {"address", f.address},
                    {"operator", f.operatorName},
                    {"rows", rows},
                    {"has_rows", !rows.empty()},
                    {"today", today}};
    ui.renderPublic(req, "public_facility", view);
}

void compare(WebUi& ui, Request& req) {
    http::limitPublic(ui.api(), req.request());
    if (ui.sendKeptPublic(req)) return;
    bool unknownDistrict = false;
    const auto district = districtQuery(req, unknownDistrict);
    const auto item = req.query("item");
    mstch::map view{{"items", itemOptions(req, item.value_or(""))},
                    {"districts", optionsOf(allDistricts(req), district.value_or(""))},
                    {"unknown_district", unknownDistrict},
                    {"asked", item.has_value()}};
    if (item) {
        const auto rows = service::PublicDisclosure(ui.services()).compare(*item, district, ui.api().todayDate());
        mstch::array list;
        int rank = 0;
        for (const auto& r : rows)
            list.push_back(mstch::map{{"rank", std::to_string(++rank)},
                                      {"href", "/public/facilities/" + std::to_string(r.facilityId)},
                                      {"name", r.facilityName},
                                      {"kind", kindLabel(req, r.facilityKind)},
                                      {"district", districtName(req, r.district)},
                                      {"amount", yuan(r.price.amountFen)},
                                      {"unit", unitLabel(req, r.price.unit)},
                                      {"cap", r.price.capFen ? yuan(*r.price.capFen) : std::string()},
                                      {"above_cap", r.price.capFen && r.price.amountFen > *r.price.capFen}});
        view["rows"] = list;
        view["has_rows"] = !list.empty();
        view["item_name"] = itemName(req, *item);
        view["count"] = std::to_string(list.size());
    }
    ui.renderPublic(req, "public_compare", view, "public_compare_title");
}

} // namespace

void addPublicPages(WebUi& ui) {
    ui.get("/public", [&ui](Request& req) { finder(ui, req); }, false); // "/public/" too
    ui.get("/public/facilities/{id}", [&ui](Request& req) { facility(ui, req); }, false);
    ui.get("/public/prices", [&ui](Request& req) { compare(ui, req); }, false);
}

} // namespace registry::web
