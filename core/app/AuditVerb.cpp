// `audit [--district CODE]`: a price-compliance audit run now from the command line, with a progress bar
// and the report per district as a table.

#include "app/Progress.h"
#include "app/RegistryApp.h"

#include "audit/AuditReport.h"
#include "service/Alerts.h"
#include "service/Scheduler.h"
#include "domain/District.h"
#include "plugins/PluginHost.h"
#include "service/Audits.h"
#include "service/Refusal.h"
#include "service/Users.h"
#include "store/Database.h"
#include "web/ReportHtml.h"

#include <Poco/Environment.h>
#include <Poco/Process.h>

#include <cstdio>
#include <iostream>

namespace registry::app {

namespace {

void printRow(const std::string& name, const Poco::JSON::Object& counts) {
    auto n = [&](const char* key) { return counts.has(key) ? counts.getValue<long long>(key) : 0LL; };
    std::printf("%-20s %9lld %9lld %9lld %11lld %9lld %14lld\n", name.c_str(), n("records_checked"),
                n("findings_reported"), n("findings_new"), n("findings_still_open"), n("findings_resolved"),
                n("plugin_errors"));
}

/// The report of a succeeded audit as a table, one row per district.
void printReport(const domain::AuditRun& run) {
    const auto report = audit::reportJson(run, std::nullopt);
    std::printf("audit %lld %s (%s, %s, audit date %s): %lld records checked\n", static_cast<long long>(run.id),
                domain::toString(run.status).c_str(), run.district ? run.district->c_str() : "citywide",
                domain::toString(run.trigger).c_str(), run.auditDate.c_str(),
                static_cast<long long>(run.recordsChecked));
    std::printf("%-20s %9s %9s %9s %11s %9s %14s\n", "district", "records", "findings", "new", "still open",
                "resolved", "plugin errors");
    const auto districts = report->getArray("districts");
    for (std::size_t i = 0; districts && i < districts->size(); ++i) {
        const auto d = districts->getObject(static_cast<unsigned>(i));
        const std::string code = d->has("district") && !d->isNull("district") ? d->getValue<std::string>("district") : "";
        const auto* known = domain::findDistrict(code);
        printRow(known ? code + " " + known->nameEn : code.empty() ? "(none)" : code, *d);
    }
    printRow("total", *report->getObject("totals"));
}

/// `audit report [ID] [--format table|csv|json|html]`: a finished audit's report (the latest succeeded
/// one without ID).
int reportVerb(service::Audits& audits, const std::vector<std::string>& args) {
    std::optional<long long> id;
    std::string format = "table";
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--format" && i + 1 < args.size()) {
            format = args[++i];
            if (format != "table" && format != "csv" && format != "json" && format != "html")
                throw std::invalid_argument("--format must be table, csv, json or html (got '" + format + "')");
        } else if (!id && args[i].find_first_not_of("0123456789") == std::string::npos && args[i].size() < 19) {
            id = std::stoll(args[i]);
        } else {
            throw std::invalid_argument("audit report: unexpected argument '" + args[i] + "' (see audit --help)");
        }
    }
    const auto who = service::commandLinePrincipal();
    std::optional<domain::AuditRun> run;
    try {
        run = id ? audits.get(who, *id) : audits.latestSucceeded(who);
    } catch (const service::NotFound&) {
        if (id) throw std::invalid_argument("audit " + std::to_string(*id) + " does not exist");
        throw std::invalid_argument("no audit has succeeded yet (run one with: funeral-registry audit)");
    }
    if (run->status != domain::AuditStatus::Succeeded)
        throw std::invalid_argument("audit " + std::to_string(run->id) + " is " + domain::toString(run->status) +
                                    (run->error.empty() ? std::string() : " (" + run->error + ")") +
                                    "; only a succeeded audit has a report");
    const auto report = audits.report(who, *run);
    if (format == "table")
        printReport(*run);
    else if (format == "csv")
        std::cout << audit::reportCsv(*report);
    else if (format == "html")
        std::cout << web::reportHtml(*report, "zh");
    else
        report->stringify(std::cout, 2), std::cout << "\n";
    return 0;
}

} // namespace

int RegistryApp::auditVerb(const std::vector<std::string>& args) {
    if (!args.empty() && args[0] == "report") {
        auto db = openDatabase(settings().autoMigrate);
        service::Audits audits(service::Context{*db, settings().planWindow});
        return reportVerb(audits, args);
    }
    std::optional<std::string> district;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--district" && i + 1 < args.size()) {
            district = args[++i];
            if (!domain::findDistrict(*district))
                throw std::invalid_argument("--district: '" + *district + "' is not a district code (e.g. 110108)");
        } else {
            throw std::invalid_argument("audit: unexpected argument '" + args[i] + "' (see audit --help)");
        }
    }
    auto db = openDatabase(settings().autoMigrate);
    plugins::PluginHost host(settings().plugins);
    const std::string& pluginsDir = settings().pluginsDir;
    const auto loaded = loadPlugins(host, *db, /*quietWhenNone=*/true); // says on stderr what failed to load
    if (loaded.active == 0)
        throw std::runtime_error("no plugin is active (" + pluginsDir + " and the managed versions): nothing to audit with" +
                                 (loaded.error.empty() ? std::string() : ": " + loaded.error));

    const std::string zone = settings().schedule.timeZone;
    const std::string runner = Poco::Environment::nodeName() + ":" + std::to_string(Poco::Process::id()) + ":cli";
    // With mail.smtp_url, the districts' alerts are recorded here and sent by a server.
    const service::Alerts alerts;
    service::AuditService here(*db, host, auditServiceSettings(runner, [zone] { return service::localDate(zone); },
                                                               settings().mail.enabled() ? &alerts : nullptr));
    Progress progress("audit");
    const auto run = service::Audits(service::Context{*db, settings().planWindow})
                         .runHere(service::commandLinePrincipal(), here, district, [&](long long done, long long total) {
                             progress.update(static_cast<std::size_t>(done), static_cast<std::size_t>(total));
                         });
    progress.finish();
    if (run.status != domain::AuditStatus::Succeeded) {
        std::cerr << "funeral-registry: audit " << run.id << " " << domain::toString(run.status)
                  << (run.error.empty() ? std::string() : ": " + run.error) << "\n";
        return EXIT_SOFTWARE;
    }
    printReport(run);
    std::printf("report: GET /api/v1/audits/%lld/report?format=html|csv|json; findings: GET /api/v1/findings?audit_id=%lld\n",
                static_cast<long long>(run.id), static_cast<long long>(run.id));
    return EXIT_OK;
}

} // namespace registry::app
