#include "domain/BurialSite.h"

#include "domain/Dates.h"

#include <algorithm>

namespace registry::domain {

FieldErrors validate(const BurialSite& s, const PlanWindow& window) {
    Validator v;
    v.district("district", s.district, true);
    v.text("township", "乡镇/街道", s.township, 100, true);
    v.text("village", "村", s.village, 100, false);
    v.text("location", "位置描述", s.location, 500, false);
    v.text("responsible_unit", "责任单位", s.responsibleUnit, 200, false);
    v.location(s.lat, s.lon);
    v.intRange("grave_count", "坟墓数量", s.graveCount, 1, 1'000'000);
    for (std::size_t i = 0; i < s.zones.size(); ++i)
        if (std::find(s.zones.begin(), s.zones.begin() + static_cast<long>(i), s.zones[i]) !=
            s.zones.begin() + static_cast<long>(i)) {
            v.add("zones", "duplicate", "禁葬区域不能重复:" + zhName(s.zones[i]),
                  "zones lists " + toString(s.zones[i]) + " twice");
            break;
        }
    v.date("target_date", "整治目标日期", s.targetDate, true);
    if (!v.has("target_date") && (s.targetDate < window.start || s.targetDate > window.end))
        v.add("target_date", "outside_plan", "整治目标日期须在三年行动计划期内(" + window.start + " 至 " + window.end + ")",
              "target_date must lie inside the three-year plan (" + window.start + " to " + window.end + ")");
    return v.take();
}

std::optional<FieldError> checkStatusChange(BurialSiteStatus from, BurialSiteStatus to) {
    const int step = static_cast<int>(to) - static_cast<int>(from);
    if (step == 0 || step == 1) return std::nullopt;
    if (step < 0)
        return FieldError{"status", "backward",
                          "整治状态只能向前推进,不能从“" + zhName(from) + "”退回“" + zhName(to) + "”",
                          "status only moves forward: " + toString(from) + " cannot go back to " + toString(to)};
    const auto next = static_cast<BurialSiteStatus>(static_cast<int>(from) + 1);
    return FieldError{"status", "skip",
                      "整治状态须逐级推进:“" + zhName(from) + "”之后是“" + zhName(next) + "”",
                      "status moves one step at a time: after " + toString(from) + " comes " + toString(next)};
}

FieldErrors validate(const ProgressEntry& e, const BurialSite& site) {
    Validator v;
    v.date("date", "日期", e.date, true);
    if (!v.has("date") && e.date > addDays(todayUtc(), 1))
        v.add("date", "future", "进展日期不能晚于今天", "date must not be in the future");
    v.intRange("graves_handled", "本次处置坟墓数", e.gravesHandled, 0, 1'000'000);
    if (!v.has("graves_handled") && site.gravesHandled + e.gravesHandled > site.graveCount)
        v.add("graves_handled", "exceeds_total",
              "累计处置数不能超过坟墓总数(已处置 " + std::to_string(site.gravesHandled) + ",共 " +
                  std::to_string(site.graveCount) + ")",
              "total graves handled would exceed grave_count (" + std::to_string(site.gravesHandled) +
                  " handled of " + std::to_string(site.graveCount) + ")");
    if (e.status)
        if (auto err = checkStatusChange(site.status, *e.status)) v.add(*err);
    v.text("note", "说明", e.note, 2000, false);
    checkAttachmentIds(v, e.attachmentIds);
    return v.take();
}

std::string joinZones(const std::vector<Zone>& zones) {
    std::string out;
    for (auto z : zones) {
        if (!out.empty()) out += ',';
        out += toString(z);
    }
    return out;
}

std::optional<std::vector<Zone>> splitZones(const std::string& text) {
    std::vector<Zone> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        auto zone = parseEnum<Zone>(text.substr(start, end - start));
        if (!zone) return std::nullopt;
        out.push_back(*zone);
        start = end + 1;
    }
    return out;
}

} // namespace registry::domain
