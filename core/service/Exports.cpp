#include "service/Exports.h"

#include "codec/Csv.h"
#include "codec/RecordJson.h"
#include "codec/Xlsx.h"
#include "service/Permissions.h"
#include "service/Refusal.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <memory>
#include <sstream>

namespace registry::service {

using Poco::JSON::Object;

std::optional<ExportKind> parseExportKind(const std::string& text) {
    if (text == "facilities") return ExportKind::Facilities;
    if (text == "burial-sites") return ExportKind::BurialSites;
    if (text == "prices") return ExportKind::Prices;
    if (text == "findings") return ExportKind::Findings;
    if (text == "notices") return ExportKind::Notices;
    return std::nullopt;
}

std::optional<ExportFormat> parseExportFormat(const std::string& text) {
    if (text == "csv") return ExportFormat::Csv;
    if (text == "geojson") return ExportFormat::GeoJson;
    if (text == "json") return ExportFormat::Json;
    if (text == "xlsx") return ExportFormat::Xlsx;
    return std::nullopt;
}

const char* const exportKindNames = "facilities, burial-sites, prices, findings, notices";
const char* const exportFormatNames = "csv, geojson, json, xlsx";

bool formatSupported(ExportKind kind, ExportFormat format) {
    return format != ExportFormat::GeoJson || kind == ExportKind::Facilities || kind == ExportKind::BurialSites;
}

std::string contentType(ExportFormat format) {
    switch (format) {
    case ExportFormat::Csv: return "text/csv; charset=utf-8";
    case ExportFormat::GeoJson: return "application/geo+json";
    case ExportFormat::Json: return "application/json; charset=utf-8";
    case ExportFormat::Xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    return "application/octet-stream";
}

std::string fileName(ExportKind kind, ExportFormat format) {
    static const char* names[] = {"facilities", "burial-sites", "prices", "findings", "notices"};
    static const char* extensions[] = {".csv", ".geojson", ".json", ".xlsx"};
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

// A JSON value as a typed spreadsheet cell: integers (ids, counts, fen) and decimals as numbers, booleans as
// booleans, dates and timestamps as the text the API writes (YYYY-MM-DD sorts and filters as such in Excel),
// lists as the CSV joins them.
codec::XlsxCell xlsxCell(const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) return codec::XlsxCell::empty();
    if (value.isBoolean()) return codec::XlsxCell::ofBoolean(value.extract<bool>());
    if (value.isInteger()) return codec::XlsxCell::ofInteger(value.convert<Poco::Int64>());
    if (value.isNumeric()) return codec::XlsxCell::ofNumber(value.convert<double>());
    return codec::XlsxCell::ofText(cellText(value));
}

const char* sheetName(ExportKind kind) {
    switch (kind) {
    case ExportKind::Facilities: return "殡葬设施";
    case ExportKind::BurialSites: return "历史埋葬点和散坟";
    case ExportKind::Prices: return "价格";
    case ExportKind::Findings: return "问题";
    case ExportKind::Notices: return "整改通知书";
    }
    return "export";
}

// Writes records one at a time in the chosen format; the first record fixes the CSV header. The XLSX
// header is the empty record's keys, the same in the same order (every field is always set, null or not).
class RecordSink {
public:
    RecordSink(ExportKind kind, ExportFormat format, const ExportOutput& output, Object::Ptr emptyRecord)
        : _format(format), _output(output), _emptyRecord(std::move(emptyRecord)) {
        if (format == ExportFormat::Xlsx) {
            _columns = orderedKeys(_emptyRecord);
            _sheet = std::make_unique<codec::XlsxSheetWriter>(sheetName(kind), _columns);
            return;
        }
        _out = &_output();
        if (format == ExportFormat::Csv) *_out << "\xEF\xBB\xBF"; // the BOM tells Excel it is UTF-8
        if (format == ExportFormat::Json) *_out << "[";
        if (format == ExportFormat::GeoJson) *_out << R"({"type":"FeatureCollection","features":[)";
    }

    void add(const Object::Ptr& record) {
        if (_format == ExportFormat::Xlsx) {
            std::vector<codec::XlsxCell> cells;
            cells.reserve(_columns.size());
            for (const auto& key : _columns) cells.push_back(xlsxCell(record->get(key)));
            _sheet->addRow(cells);
            ++_count;
            return;
        }
        std::ostream& out = *_out;
        switch (_format) {
        case ExportFormat::Csv: {
            if (_count == 0) {
                _columns = orderedKeys(record);
                codec::writeCsvRow(out, _columns);
            }
            std::vector<std::string> cells;
            for (const auto& key : _columns) cells.push_back(cellText(record->get(key)));
            // People open exports in Excel: a name like "=HYPERLINK(...)" must show as text, not run.
            codec::writeCsvRow(out, cells, codec::CsvFormulas::Neutralise);
            break;
        }
        case ExportFormat::Json:
            if (_count) out << ",";
            record->stringify(out);
            break;
        case ExportFormat::GeoJson: {
            if (_count) out << ",";
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
            feature.stringify(out);
            break;
        }
        case ExportFormat::Xlsx: break;
        }
        ++_count;
    }

    void finish() {
        if (_format == ExportFormat::Xlsx) return _sheet->finish(_output());
        std::ostream& out = *_out;
        // An empty CSV still has its header, so a spreadsheet shows the columns.
        if (_format == ExportFormat::Csv && _count == 0) codec::writeCsvRow(out, orderedKeys(_emptyRecord));
        if (_format == ExportFormat::Json) out << "]";
        if (_format == ExportFormat::GeoJson) out << "]}";
        out.flush();
    }

    std::size_t count() const { return _count; }

private:
    ExportFormat _format;
    const ExportOutput& _output;
    std::ostream* _out = nullptr;
    std::unique_ptr<codec::XlsxSheetWriter> _sheet;
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
    case ExportKind::Notices: return codec::toJson(domain::Notice{});
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

std::size_t writeExport(const Context& c, const std::string& today, const ExportRequest& request,
                        const ExportOutput& output) {
    auto& db = c.db;
    const auto& window = c.window;
    RecordSink sink(request.kind, request.format, output, emptyRecord(request.kind));
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
    case ExportKind::Notices: {
        Notices notices(c, today);
        eachPage([&](const store::PageRequest& p) { return notices.listScoped(request.notices, p); }, sink);
        break;
    }
    }
    sink.finish();
    return sink.count();
}

ExportRequest Exports::authorize(const Principal& who, ExportRequest request) {
    if (!formatSupported(request.kind, request.format))
        throw Invalid({{"format", "enum", "价格、问题和整改通知没有位置,不能导出为 GeoJSON",
                        "prices, findings and notices have no location: GeoJSON is for facilities and burial sites"}});
    if (request.kind == ExportKind::Notices) {
        // Exactly as the list: an operator gets its facility's notices, a district user its district's.
        request.notices.district = request.district;
        request.notices = Notices(_c, _today).scope(who, std::move(request.notices), request.noticeTiming);
        request.district = request.notices.district;
        request.authorized = true;
        return request;
    }
    requireOwn(who, Action::Read);
    request.district = listScope(who, request.district);
    request.facilities.district = request.burialSites.district = request.prices.district = request.findings.district =
        request.district;
    request.authorized = true;
    return request;
}

std::size_t Exports::write(const ExportRequest& authorized, const ExportOutput& output) {
    if (!authorized.authorized) throw NotAllowed("导出请求未经授权", "the export was not authorized");
    try {
        return writeExport(_c, _today, authorized, output);
    } catch (const codec::XlsxTooManyRows&) {
        throw Invalid({{"format", "too_many_rows",
                        "记录超过 Excel 一个工作表的上限(" + std::to_string(codec::XlsxSheetWriter::maxRows) +
                            " 行):请缩小筛选范围,或导出为 CSV",
                        "more records than one Excel worksheet holds (" +
                            std::to_string(codec::XlsxSheetWriter::maxRows) + " rows): narrow the filters, or export CSV"}});
    }
}

std::size_t Exports::write(const ExportRequest& authorized, std::ostream& out) {
    return write(authorized, [&out]() -> std::ostream& { return out; });
}

} // namespace registry::service
