#include "audit/AuditReport.h"

#include "codec/Csv.h"
#include "codec/RecordJson.h"
#include "domain/District.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <mstch/mstch.hpp>

#include <sstream>

namespace registry::audit {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const char* const totalKeys[] = {"records_checked", "findings_reported", "findings_new", "findings_still_open",
                                 "findings_resolved", "plugin_errors"};

long long number(const Object& o, const std::string& key) {
    return o.has(key) && !o.isNull(key) ? o.getValue<long long>(key) : 0;
}

std::string text(const Object& o, const std::string& key) {
    return o.has(key) && !o.isNull(key) ? o.getValue<std::string>(key) : std::string();
}

const char* const htmlTemplate = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<title>{{title}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:0 0 1.5rem}
th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}
td.n{text-align:right}
.violation{color:#a00}.error{color:#a50}
</style>
</head>
<body>
<h1>{{title}}</h1>
<p>{{l_status}}: {{status}} · {{l_date}}: {{audit_date}} · {{l_scope}}: {{scope}}{{#previous}} · {{l_previous}}: #{{previous}}{{/previous}}</p>
<table>
<caption>{{l_totals}}</caption>
<thead><tr><th scope="col">{{l_district}}</th><th scope="col">{{l_records}}</th><th scope="col">{{l_reported}}</th><th scope="col">{{l_new}}</th><th scope="col">{{l_still_open}}</th><th scope="col">{{l_resolved}}</th><th scope="col">{{l_errors}}</th></tr></thead>
<tbody>
{{#districts}}<tr><th scope="row">{{name}}</th><td class="n">{{records_checked}}</td><td class="n">{{findings_reported}}</td><td class="n">{{findings_new}}</td><td class="n">{{findings_still_open}}</td><td class="n">{{findings_resolved}}</td><td class="n">{{plugin_errors}}</td></tr>
{{/districts}}<tr><th scope="row">{{l_all}}</th><td class="n">{{total.records_checked}}</td><td class="n">{{total.findings_reported}}</td><td class="n">{{total.findings_new}}</td><td class="n">{{total.findings_still_open}}</td><td class="n">{{total.findings_resolved}}</td><td class="n">{{total.plugin_errors}}</td></tr>
</tbody>
</table>
{{#districts}}{{#has_rules}}
<table>
<caption>{{name}}: {{l_by_rule}}</caption>
<thead><tr><th scope="col">{{l_plugin}}</th><th scope="col">{{l_rule}}</th><th scope="col">{{l_severity}}</th><th scope="col">{{l_count}}</th></tr></thead>
<tbody>
{{#rules}}<tr><td>{{plugin}}</td><td>{{rule}}</td><td class="{{severity}}">{{severity_name}}</td><td class="n">{{count}}</td></tr>
{{/rules}}</tbody>
</table>
{{/has_rules}}{{/districts}}
</body>
</html>
)";

} // namespace

Object::Ptr reportJson(const domain::AuditRun& run, const std::optional<std::string>& onlyDistrict) {
    Object::Ptr summary;
    try {
        summary = Poco::JSON::Parser().parse(run.summaryJson.empty() ? "{}" : run.summaryJson).extract<Object::Ptr>();
    } catch (const Poco::Exception&) {
        summary = new Object;
    }
    Object::Ptr out = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    out->set("audit", codec::toJson(run));
    out->set("previous_audit_id", summary->has("previous_audit_id") ? summary->get("previous_audit_id") : Poco::Dynamic::Var());
    Array::Ptr districts = new Array;
    Object::Ptr totals = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const char* key : totalKeys) totals->set(key, 0LL);
    if (const auto all = summary->getArray("districts")) {
        for (std::size_t i = 0; i < all->size(); ++i) {
            const auto d = all->getObject(static_cast<unsigned>(i));
            if (!d) continue;
            if (onlyDistrict && text(*d, "district") != *onlyDistrict) continue;
            districts->add(d);
            for (const char* key : totalKeys) totals->set(key, number(*totals, key) + number(*d, key));
        }
    }
    out->set("totals", totals);
    out->set("districts", districts);
    return out;
}

std::string reportCsv(const Object& report) {
    std::ostringstream out;
    out << "\xEF\xBB\xBF";
    codec::writeCsvRow(out, {"district", "district_name", "records_checked", "findings_reported", "findings_new",
                             "findings_still_open", "findings_resolved", "plugin_errors", "plugin", "rule",
                             "severity", "count"});
    const auto districts = report.getArray("districts");
    for (std::size_t i = 0; districts && i < districts->size(); ++i) {
        const auto d = districts->getObject(static_cast<unsigned>(i));
        std::vector<std::string> head{text(*d, "district"), text(*d, "district_name")};
        for (const char* key : totalKeys) head.push_back(std::to_string(number(*d, key)));
        const auto rules = d->getArray("by_rule");
        if (!rules || rules->size() == 0) {
            auto row = head;
            row.insert(row.end(), {"", "", "", ""});
            codec::writeCsvRow(out, row, codec::CsvFormulas::Neutralise);
            continue;
        }
        for (std::size_t j = 0; j < rules->size(); ++j) {
            const auto r = rules->getObject(static_cast<unsigned>(j));
            auto row = head;
            row.insert(row.end(), {text(*r, "plugin"), text(*r, "rule"), text(*r, "severity"),
                                   std::to_string(number(*r, "count"))});
            codec::writeCsvRow(out, row, codec::CsvFormulas::Neutralise); // rule names come from plugins
        }
    }
    return out.str();
}

std::string reportHtml(const Object& report, bool english) {
    const auto run = report.getObject("audit");
    auto label = [english](const char* zh, const char* en) { return std::string(english ? en : zh); };
    mstch::map context{
        {"lang", label("zh-CN", "en")},
        {"title", label("价格合规审计报告 #", "Price-compliance audit report #") + std::to_string(number(*run, "id"))},
        {"l_status", label("状态", "Status")},
        {"l_date", label("审计日期", "Audit date")},
        {"l_scope", label("范围", "Scope")},
        {"l_previous", label("上次审计", "Previous audit")},
        {"l_totals", label("各区汇总", "By district")},
        {"l_district", label("区", "District")},
        {"l_records", label("检查记录数", "Records checked")},
        {"l_reported", label("发现问题", "Findings")},
        {"l_new", label("新增", "New")},
        {"l_still_open", label("仍未处理", "Still open")},
        {"l_resolved", label("已解决", "Resolved")},
        {"l_errors", label("插件错误", "Plugin errors")},
        {"l_all", label("合计", "Total")},
        {"l_by_rule", label("按规则", "by rule")},
        {"l_plugin", label("插件", "Plugin")},
        {"l_rule", label("规则", "Rule")},
        {"l_severity", label("严重程度", "Severity")},
        {"l_count", label("数量", "Count")},
    };
    const std::string status = text(*run, "status");
    const auto statusEnum = domain::parseEnum<domain::AuditStatus>(status);
    context["status"] = statusEnum ? std::string(english ? domain::enName(*statusEnum) : domain::zhName(*statusEnum))
                                   : status;
    context["audit_date"] = text(*run, "audit_date");
    const std::string scope = text(*run, "district");
    const auto* district = scope.empty() ? nullptr : domain::findDistrict(scope);
    context["scope"] = scope.empty() ? label("全市", "Citywide") : district ? (english ? district->nameEn : district->nameZh) : scope;
    if (report.has("previous_audit_id") && !report.isNull("previous_audit_id"))
        context["previous"] = std::to_string(number(report, "previous_audit_id"));
    mstch::map total;
    const auto totals = report.getObject("totals");
    for (const char* key : totalKeys) total[key] = std::to_string(number(*totals, key));
    context["total"] = total;
    mstch::array rows;
    const auto districts = report.getArray("districts");
    for (std::size_t i = 0; districts && i < districts->size(); ++i) {
        const auto d = districts->getObject(static_cast<unsigned>(i));
        mstch::map row;
        const auto* known = domain::findDistrict(text(*d, "district"));
        row["name"] = known ? (english ? known->nameEn : known->nameZh) : text(*d, "district_name");
        for (const char* key : totalKeys) row[key] = std::to_string(number(*d, key));
        mstch::array rules;
        const auto byRule = d->getArray("by_rule");
        for (std::size_t j = 0; byRule && j < byRule->size(); ++j) {
            const auto r = byRule->getObject(static_cast<unsigned>(j));
            const std::string severity = text(*r, "severity");
            const auto parsed = domain::parseEnum<domain::Severity>(severity);
            rules.push_back(mstch::map{
                {"plugin", text(*r, "plugin")},
                {"rule", text(*r, "rule")},
                {"severity", severity},
                {"severity_name", parsed ? std::string(english ? domain::enName(*parsed) : domain::zhName(*parsed)) : severity},
                {"count", std::to_string(number(*r, "count"))},
            });
        }
        row["has_rules"] = !rules.empty();
        row["rules"] = rules;
        rows.push_back(row);
    }
    context["districts"] = rows;
    return mstch::render(htmlTemplate, context);
}

} // namespace registry::audit
