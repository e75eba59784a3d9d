#include "service/Exports.h"

#include "codec/Csv.h"
#include "codec/RecordJson.h"
#include "service/Permissions.h"
#include "service/Refusal.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace registry::service {

using Poco::JSON::Object;

std::optional<ExportKind> parseExportKind(const std::string& text) {
    if (text == "facilities") return ExportKind::Facilities;
    if (text == "burial-sites") return ExportKind::BurialSites;
    if (text == "prices") return ExportKind::Prices;
    if (text == "findings") return ExportKind::Findings;
    return std::nullopt;
}

std::optional<ExportFormat> parseExportFormat(const std::string& text) {
    if (text == "csv") return ExportFormat::Csv;
    if (text == "geojson") return ExportFormat::GeoJson;
    if (text == "json") return ExportFormat::Json;
    return std::nullopt;
}

bool formatSupported(ExportKind kind, ExportFormat format) {
    return format != ExportFormat::GeoJson || kind == ExportKind::Facilities || kind == ExportKind::BurialSites;
}

std::string contentType(ExportFormat format) {
    switch (format) {
    case ExportFormat::Csv: return "text/csv; charset=utf-8";
    case ExportFormat::GeoJson: return "application/geo+json";
    case ExportFormat::Json: return "application/json; charset=utf-8";
    }
    return "application/octet-stream";
}

std::string fileName(ExportKind kind, ExportFormat format) {
    static const char* names[] = {"facilities", "burial-sites", "prices", "findings"};
    static const char* extensions[] = {".csv", ".geojson", ".json"};
    return std::string(names[static_cast<int>(kind)]) + extensions[static_cast<int>(format)];
}

namespace {

std::string cellText(const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) return "";
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        std::string joined;
        for (const auto& item : *value.extract<Poco::JSON::Array::Ptr>())
            joined += (joined.empty() ? "" : ";") + item.convert<std::string>();
        return joined;
    }
    if (value.type() == typeid(Object::Ptr)) {
        std::ostringstream text;
        value.extract<Object::Ptr>()->stringify(text);
        return text.str();
    }
    if (value.isBoolean()) return value.extract<bool>() ? "true" : "false";
    return value.convert<std::string>();
}

// The top-level keys of an object in the order it was built (the API's field order). Poco keeps that order
// when stringifying but its getNames() sorts, so the order is read back through a parse handler.
class TopLevelKeys : public Poco::JSON::Handler {
public:
    std::vector<std::string> keys;
    void reset() override { keys.clear(); }
    void startObject() override { ++_depth; }
    void endObject() override { --_depth; }
    void startArray() override { ++_depth; }
    void endArray() override { --_depth; }
    void key(const std::string& k) override {
        if (_depth == 1) keys.push_back(k);
    }
    void null() override {}
    void value(int) override {}
    void value(unsigned) override {}
    void value(Poco::Int64) override {}
    void value(Poco::UInt64) override {}
    void value(const std::string&) override {}
    void value(double) override {}
    void value(bool) override {}

private:
    int _depth = 0;
};

std::vector<std::string> orderedKeys(const Object::Ptr& record) {
    std::ostringstream text;
    record->stringify(text);
    Poco::SharedPtr<TopLevelKeys> handler = new TopLevelKeys;
    Poco::JSON::Parser parser(handler);
    parser.parse(text.str());
    return handler->keys;
}

// Writes records one at a time in the chosen format; the first record fixes the CSV header.
class RecordSink {
public:
    RecordSink(ExportFormat format, std::ostream& out, Object::Ptr emptyRecord)
        : _format(format), _out(out), _emptyRecord(std::move(emptyRecord)) {
        if (format == ExportFormat::Csv) _out << "\xEF\xBB\xBF"; // the BOM tells Excel it is UTF-8
        if (format == ExportFormat::Json) _out << "[";
        if (format == ExportFormat::GeoJson) _out << R"({"type":"FeatureCollection","features":[)";
    }

    void add(const Object::Ptr& record) {
        switch (_format) {
        case ExportFormat::Csv: {
            if (_count == 0) {
                _columns = orderedKeys(record);
                codec::writeCsvRow(_out, _columns);
            }
            std::vector<std::string> cells;
            for (const auto& key : _columns) cells.push_back(cellText(record->get(key)));
            // People open exports in Excel: a name like "=HYPERLINK(...)" must show as text, not run.
            codec::writeCsvRow(_out, cells, codec::CsvFormulas::Neutralise);
            break;
        }
        case ExportFormat::Json:
            if (_count) _out << ",";
            record->stringify(_out);
            break;
        case ExportFormat::GeoJson: {
            if (_count) _out << ",";
            Object feature(Poco::JSON_PRESERVE_KEY_ORDER);
            feature.set("type", "Feature");
            if (!record->isNull("lat") && !record->isNull("lon")) {
                Object::Ptr point = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                point->set("type", "Point");
                Poco::JSON::Array::Ptr coordinates = new Poco::JSON::Array;
                coordinates->add(record->get("lon")); // RFC 7946: longitude first
                coordinates->add(record->get("lat"));
                point->set("coordinates", coordinates);
                feature.set("geometry", point);
            } else {
                feature.set("geometry", Poco::Dynamic::Var());
            }
            feature.set("properties", record);
            feature.stringify(_out);
            break;
        }
        }
        ++_count;
    }

    void finish() {
        // An empty CSV still has its header, so a spreadsheet shows the columns.
        if (_format == ExportFormat::Csv && _count == 0) codec::writeCsvRow(_out, orderedKeys(_emptyRecord));
        if (_format == ExportFormat::Json) _out << "]";
        if (_format == ExportFormat::GeoJson) _out << "]}";
        _out.flush();
    }

    std::size_t count() const { return _count; }

private:
    ExportFormat _format;
    std::ostream& _out;
    Object::Ptr _emptyRecord;
    std::vector<std::string> _columns;
    std::size_t _count = 0;
};

Object::Ptr emptyRecord(ExportKind kind) {
    switch (kind) {
    case ExportKind::Facilities: return codec::toJson(domain::Facility{});
    case ExportKind::BurialSites: return codec::toJson(domain::BurialSite{});
    case ExportKind::Prices: return codec::toJson(domain::PriceRecord{});
    case ExportKind::Findings: return codec::toJson(domain::Finding{});
    }
    return new Object;
}

// Pages through a repository's list until the end.
template <class List> void eachPage(List list, RecordSink& sink) {
    store::PageRequest page;
    page.limit = store::maxPageLimit;
    for (;;) {
        const auto result = list(page);
        for (const auto& record : result.items) sink.add(codec::toJson(record));
        if (!result.nextAfterId) return;
        page.afterId = *result.nextAfterId;
    }
}

} // namespace

std::size_t writeExport(store::Database& db, const domain::PlanWindow& window, const ExportRequest& request,
                        std::ostream& out) {
    RecordSink sink(request.format, out, emptyRecord(request.kind));
    switch (request.kind) {
    case ExportKind::Facilities: {
        store::FacilityRepository repo(db);
        eachPage([&](const store::PageRequest& p) { return repo.list(request.facilities, p); }, sink);
        break;
    }
    case ExportKind::BurialSites: {
        store::BurialSiteRepository repo(db, window);
        eachPage([&](const store::PageRequest& p) { return repo.list(request.burialSites, p); }, sink);
        break;
    }
    case ExportKind::Prices: {
        store::PriceRepository repo(db);
        eachPage([&](const store::PageRequest& p) { return repo.list(request.prices, p); }, sink);
        break;
    }
    case ExportKind::Findings: {
        store::FindingRepository repo(db);
        eachPage([&](const store::PageRequest& p) { return repo.list(request.findings, p); }, sink);
        break;
    }
    }
    sink.finish();
    return sink.count();
}

ExportRequest Exports::authorize(const Principal& who, ExportRequest request) {
    requireOwn(who, Action::Read);
    if (!formatSupported(request.kind, request.format))
        throw Invalid({{"format", "enum", "价格和问题记录没有位置,不能导出为 GeoJSON",
                        "prices and findings have no location: GeoJSON is for facilities and burial sites"}});
    request.district = listScope(who, request.district);
    request.facilities.district = request.burialSites.district = request.prices.district = request.findings.district =
        request.district;
    request.authorized = true;
    return request;
}

std::size_t Exports::write(const ExportRequest& authorized, std::ostream& out) {
    if (!authorized.authorized) throw NotAllowed("导出请求未经授权", "the export was not authorized");
    return writeExport(_c.db, _c.window, authorized, out);
}

} // namespace registry::service
