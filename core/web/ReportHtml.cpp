#include "web/ReportHtml.h"

#include "domain/District.h"
#include "domain/Enums.h"
#include "web/Assets.h"

#include <Poco/JSON/Array.h>

#include <mstch/mstch.hpp>

namespace registry::web {
namespace {

using Poco::JSON::Object;

const char* const totalKeys[] = {"records_checked", "findings_reported", "findings_new", "findings_still_open",
                                 "findings_resolved", "plugin_errors"};

std::string number(const Object& o, const std::string& key) {
    return std::to_string(o.has(key) && !o.isNull(key) ? o.getValue<long long>(key) : 0);
}

std::string text(const Object& o, const std::string& key) {
    return o.has(key) && !o.isNull(key) ? o.getValue<std::string>(key) : std::string();
}

/// The name of an enumeration's API string in `english` or Chinese; the string itself when unknown.
template <class E> std::string enumName(const std::string& code, bool english) {
    const auto parsed = domain::parseEnum<E>(code);
    return parsed ? std::string(english ? domain::enName(*parsed) : domain::zhName(*parsed)) : code;
}

std::string districtName(const std::string& code, const std::string& fallback, bool english) {
    const auto* known = domain::findDistrict(code);
    return known ? (english ? known->nameEn : known->nameZh) : fallback;
}

mstch::array ruleRows(const Object& district, bool english) {
    mstch::array rows;
    const auto byRule = district.getArray("by_rule");
    for (std::size_t j = 0; byRule && j < byRule->size(); ++j) {
        const auto r = byRule->getObject(static_cast<unsigned>(j));
        const std::string severity = text(*r, "severity");
        rows.push_back(mstch::map{
            {"plugin", text(*r, "plugin")},
            {"rule", text(*r, "rule")},
            {"severity", severity},
            {"severity_name", enumName<domain::Severity>(severity, english)},
            {"count", number(*r, "count")},
        });
    }
    return rows;
}

} // namespace

std::string reportHtml(const Object& report, const std::string& lang) {
    const bool english = lang == "en";
    const auto run = report.getObject("audit");
    mstch::map view{
        {"t", labels(english ? "en" : "zh")},
        {"html_lang", std::string(english ? "en" : "zh-CN")},
        {"id", number(*run, "id")},
        {"status", enumName<domain::AuditStatus>(text(*run, "status"), english)},
        {"audit_date", text(*run, "audit_date")},
    };
    const std::string scope = text(*run, "district");
    view["scope"] = scope.empty() ? message(lang, "citywide") : districtName(scope, scope, english);
    if (report.has("previous_audit_id") && !report.isNull("previous_audit_id"))
        view["previous"] = number(report, "previous_audit_id");
    mstch::map total;
    const auto totals = report.getObject("totals");
    for (const char* key : totalKeys) total[key] = number(*totals, key);
    view["total"] = total;
    mstch::array rows;
    const auto districts = report.getArray("districts");
    for (std::size_t i = 0; districts && i < districts->size(); ++i) {
        const auto d = districts->getObject(static_cast<unsigned>(i));
        mstch::map row{{"name", districtName(text(*d, "district"), text(*d, "district_name"), english)}};
        for (const char* key : totalKeys) row[key] = number(*d, key);
        auto rules = ruleRows(*d, english);
        row["has_rules"] = !rules.empty();
        row["rules"] = std::move(rules);
        rows.push_back(std::move(row));
    }
    view["districts"] = std::move(rows);
    const auto& all = templates();
    return mstch::render(all.at("audit_report"), view, all);
}

} // namespace registry::web
