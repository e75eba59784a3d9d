// `import prices FILE` and `export KIND`: price lists in and registry lists out, without the web UI.

#include "app/Progress.h"
#include "app/RegistryApp.h"

#include "codec/Csv.h"
#include "domain/District.h"
#include "http/Export.h"
#include "store/Database.h"
#include "store/PriceImport.h"

#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>

#include <fstream>
#include <iostream>

namespace registry::app {

int RegistryApp::importVerb(const std::vector<std::string>& args) {
    if (args.empty() || args[0] != "prices") throw std::invalid_argument("import needs 'prices FILE' (see import --help)");
    std::string file;
    bool dryRun = false;
    std::optional<codec::TextEncoding> encoding;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--dry-run") {
            dryRun = true;
        } else if (args[i] == "--encoding") {
            if (i + 1 >= args.size()) throw std::invalid_argument("--encoding needs utf-8 or gbk");
            encoding = codec::parseTextEncoding(args[++i]);
            if (!encoding) throw std::invalid_argument("--encoding must be utf-8 or gbk (got '" + args[i] + "')");
        } else if (file.empty() && args[i].rfind("--", 0) != 0) {
            file = args[i];
        } else {
            throw std::invalid_argument("import prices: unexpected argument '" + args[i] + "' (see import --help)");
        }
    }
    if (file.empty()) throw std::invalid_argument("import prices needs a FILE (see import --help)");
    std::string bytes;
    try {
        Poco::FileInputStream in(file);
        Poco::StreamCopier::copyToString(in, bytes);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("cannot read " + file + ": " + e.displayText());
    }
    const std::string text = codec::toUtf8(bytes, encoding.value_or(codec::detectEncoding(bytes)));

    auto db = openDatabase(settings().autoMigrate);
    store::ImportOptions options;
    options.dryRun = dryRun;
    options.actor = "cli";
    options.strategy = settings().bulkWriter;
    Progress progress("import");
    options.progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    const auto report = store::importPrices(*db, text, options);
    progress.finish();
    if (!report.problems.empty()) {
        for (const auto& p : report.problems)
            std::cerr << file << (p.line ? ":" + std::to_string(p.line) : std::string()) << ": "
                      << (p.field.empty() ? "" : p.field + ": ") << p.messageEn << " (" << p.messageZh << ")\n";
        std::cerr << "funeral-registry: " << file << " has errors; nothing was imported\n";
        return EXIT_DATAERR;
    }
    if (dryRun)
        std::cout << "dry run: " << report.rows << " rows are valid (" << report.superseded
                  << " current prices would be superseded); nothing was stored\n";
    else
        std::cout << "imported " << report.rows << " price records (ids " << report.firstId << "-" << report.lastId
                  << "), superseding " << report.superseded << " current prices\n";
    return EXIT_OK;
}

int RegistryApp::exportVerb(const std::vector<std::string>& args) {
    if (args.empty()) throw std::invalid_argument("export needs facilities, burial-sites, prices or findings");
    http::ExportRequest request;
    const auto kind = http::parseExportKind(args[0]);
    if (!kind) throw std::invalid_argument("export: unknown list '" + args[0] + "' (facilities, burial-sites, prices, findings)");
    request.kind = *kind;
    std::string output;
    std::optional<std::string> district;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto value = [&](const std::string& name) -> std::string {
            if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
            return args[++i];
        };
        if (args[i] == "--format") {
            const auto text = value("--format");
            const auto format = http::parseExportFormat(text);
            if (!format) throw std::invalid_argument("--format must be csv, geojson or json (got '" + text + "')");
            request.format = *format;
        } else if (args[i] == "--district") {
            district = value("--district");
            if (!domain::findDistrict(*district))
                throw std::invalid_argument("--district must be a Beijing district code such as 110108");
        } else if (args[i] == "--output") {
            output = value("--output");
        } else {
            throw std::invalid_argument("export: unexpected argument '" + args[i] + "' (see export --help)");
        }
    }
    if (!http::formatSupported(request.kind, request.format))
        throw std::invalid_argument("GeoJSON is for facilities and burial sites, which have a location");
    request.facilities.district = request.burialSites.district = request.prices.district =
        request.findings.district = district;
    auto db = openDatabase(settings().autoMigrate);
    std::size_t count = 0;
    if (output.empty()) {
        count = http::writeExport(*db, settings().planWindow, request, std::cout);
    } else {
        std::ofstream out(output, std::ios::binary);
        if (!out) throw std::invalid_argument("cannot write " + output);
        count = http::writeExport(*db, settings().planWindow, request, out);
        out.close();
        if (!out) throw std::runtime_error("writing " + output + " failed");
    }
    std::cerr << "exported " << count << " records\n";
    return EXIT_OK;
}

} // namespace registry::app
