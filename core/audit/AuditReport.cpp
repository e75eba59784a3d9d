#include "audit/AuditReport.h"

#include "codec/Csv.h"
#include "codec/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

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

} // namespace

Object::Ptr reportJson(const domain::AuditRun& run, const std::optional<std::string>& onlyDistrict) {
    Object::Ptr summary;
    try {
        summary = codec::parseStored(run.summaryJson.empty() ? "{}" : run.summaryJson).extract<Object::Ptr>();
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
    // A dry run's report: the version tried and each change it would make (of the district only, for a
    // district user).
    if (run.dryRun()) {
        out->set("dry_run", summary->has("dry_run") ? summary->get("dry_run") : Poco::Dynamic::Var());
        Array::Ptr changes = new Array;
        if (const auto all = summary->getArray("changes"))
            for (std::size_t i = 0; i < all->size(); ++i) {
                const auto c = all->getObject(static_cast<unsigned>(i));
                if (c && (!onlyDistrict || text(*c, "district") == *onlyDistrict)) changes->add(c);
            }
        out->set("changes", changes);
        out->set("changes_truncated", summary->has("changes_truncated") && summary->getValue<bool>("changes_truncated"));
    }
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

} // namespace registry::audit
