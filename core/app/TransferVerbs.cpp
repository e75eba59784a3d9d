// `import prices FILE` and `export KIND`: price lists in and registry lists out, without the web UI.

#include "app/Progress.h"
#include "app/RegistryApp.h"

#include "service/RecordChecks.h"
#include "service/Scheduler.h"
#include "codec/Csv.h"
#include "domain/District.h"
#include "plugins/PluginHost.h"
#include "service/Exports.h"
#include "service/Imports.h"
#include "service/Users.h"
#include "store/Database.h"

#include <Poco/FileStream.h>
#include <Poco/NumberParser.h>
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

    auto db = openDatabase(settings().autoMigrate);
    // The district rules refuse rows here as they do through the API and the web form.
    plugins::PluginHost host(settings().plugins);
    loadPlugins(host, *db);
    const std::string zone = settings().schedule.timeZone;
    service::RecordChecks checks(*db, host, [zone] { return service::localDate(zone); });
    service::Context context{*db, settings().planWindow, settings().bulkWriter};
    context.plugins = &host;
    context.checks = &checks;
    Progress progress("import");
    service::ImportReport report;
    try {
        report = service::Imports(context)
                     .importPrices(service::commandLinePrincipal(),
                                   [&] {
                                       service::ImportRequest request;
                                       request.bytes = std::move(bytes);
                                       request.encoding = encoding;
                                       request.dryRun = dryRun;
                                       request.progress = [&](std::size_t done, std::size_t total) {
                                           progress.update(done, total);
                                       };
                                       return request;
                                   })
                     .report;
        progress.finish();
    } catch (const service::ImportRefused& e) {
        progress.finish();
        for (const auto& p : e.report().problems)
            std::cerr << file << (p.line ? ":" + std::to_string(p.line) : std::string()) << ": "
                      << (p.field.empty() ? "" : p.field + ": ") << p.messageEn << " (" << p.messageZh << ")\n";
        std::cerr << "funeral-registry: " << file << " has errors; nothing was imported\n";
        return EXIT_DATAERR;
    } catch (const service::Invalid& e) {
        progress.finish();
        throw std::invalid_argument(file + ": " + (e.errors().empty() ? e.messageEn() : e.errors().front().messageEn));
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
    if (args.empty()) throw std::invalid_argument(std::string("export needs one of ") + service::exportKindNames);
    service::ExportRequest request;
    const auto kind = service::parseExportKind(args[0]);
    if (!kind)
        throw std::invalid_argument("export: unknown list '" + args[0] + "' (" + service::exportKindNames + ")");
    request.kind = *kind;
    const auto noticesOnly = [&](const std::string& option) {
        if (request.kind != service::ExportKind::Notices)
            throw std::invalid_argument(option + " is an option of 'export notices'");
    };
    std::string output;
    std::optional<std::string> district;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto value = [&](const std::string& name) -> std::string {
            if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
            return args[++i];
        };
        if (args[i] == "--format") {
            const auto text = value("--format");
            const auto format = service::parseExportFormat(text);
            if (!format)
                throw std::invalid_argument(std::string("--format must be one of ") + service::exportFormatNames +
                                            " (got '" + text + "')");
            request.format = *format;
        } else if (args[i] == "--district") {
            district = value("--district");
            if (!domain::findDistrict(*district))
                throw std::invalid_argument("--district must be a Beijing district code such as 110108");
        } else if (args[i] == "--output") {
            output = value("--output");
        } else if (args[i] == "--status") {
            noticesOnly("--status");
            const auto text = value("--status");
            request.notices.status = domain::parseEnum<domain::NoticeStatus>(text);
            if (!request.notices.status)
                throw std::invalid_argument("--status must be one of " + domain::allowedValues<domain::NoticeStatus>() +
                                            " (got '" + text + "')");
        } else if (args[i] == "--open") {
            noticesOnly("--open");
            request.notices.openOnly = true;
        } else if (args[i] == "--overdue") {
            noticesOnly("--overdue");
            request.noticeTiming.overdue = true;
        } else if (args[i] == "--due-within-days") {
            noticesOnly("--due-within-days");
            const auto text = value("--due-within-days");
            int days = 0;
            if (!Poco::NumberParser::tryParse(text, days) || days < 1 || days > service::maxDueWithinDays)
                throw std::invalid_argument("--due-within-days must be a whole number from 1 to 366 (got '" + text + "')");
            request.noticeTiming.dueWithinDays = days;
        } else {
            throw std::invalid_argument("export: unexpected argument '" + args[i] + "' (see export --help)");
        }
    }
    if (!service::formatSupported(request.kind, request.format))
        throw std::invalid_argument("GeoJSON is for facilities and burial sites, which have a location");
    request.district = district;
    auto db = openDatabase(settings().autoMigrate);
    // Notices are dated as the server dates them: clock.today, or today in audit.timezone.
    const std::string today =
        settings().clockToday.empty() ? service::localDate(settings().schedule.timeZone) : settings().clockToday;
    service::Exports exports(service::Context{*db, settings().planWindow}, today);
    request = exports.authorize(service::commandLinePrincipal(), std::move(request));
    std::size_t count = 0;
    if (output.empty()) {
        count = exports.write(request, std::cout);
    } else {
        std::ofstream out(output, std::ios::binary);
        if (!out) throw std::invalid_argument("cannot write " + output);
        count = exports.write(request, out);
        out.close();
        if (!out) throw std::runtime_error("writing " + output + " failed");
    }
    std::cerr << "exported " << count << " records\n";
    return EXIT_OK;
}

} // namespace registry::app
