// `backup DIR` and `restore DIR`: a SQLite registry (database and attachment files) to a folder and back
// (store/Backup.h). MariaDB has scripts/mariadb-backup.sh.

#include "app/RegistryApp.h"

#include "store/Backup.h"
#include "store/Migrations.h"

#include <Poco/Stopwatch.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#ifndef REGISTRY_VERSION
#define REGISTRY_VERSION "0.0.0"
#endif

namespace registry::app {

namespace {

struct BackupArgs {
    std::string dir;
    bool replace = false;
    bool check = false;
};

BackupArgs parseBackupArgs(const std::string& verb, const std::vector<std::string>& args,
                           bool restoreOptions) {
    BackupArgs parsed;
    for (const auto& arg : args) {
        if (restoreOptions && arg == "--replace")
            parsed.replace = true;
        else if (restoreOptions && arg == "--check")
            parsed.check = true;
        else if (parsed.dir.empty() && arg.rfind("--", 0) != 0 && !arg.empty())
            parsed.dir = arg;
        else
            throw std::invalid_argument(verb + ": unexpected argument '" + arg + "' (see " + verb +
                                        " --help)");
    }
    if (parsed.dir.empty())
        throw std::invalid_argument(verb + " needs a folder DIR (see " + verb + " --help)");
    return parsed;
}

std::string seconds(const Poco::Stopwatch& clock) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << static_cast<double>(clock.elapsed()) / 1e6 << " s";
    return out.str();
}

std::string contents(const store::BackupManifest& m) {
    return std::to_string(m.tables.size()) + " tables, " + std::to_string(m.rows()) + " rows, " +
           std::to_string(m.files.size()) + " files, " + std::to_string(m.bytes()) + " bytes";
}

} // namespace

int RegistryApp::backupVerb(const std::vector<std::string>& args) {
    const auto parsed = parseBackupArgs("backup", args, false);
    Poco::Stopwatch clock;
    clock.start();
    // A refusal (store::BackupRefused) is one line and EXIT_DATAERR, from RegistryApp::main.
    const auto result =
        store::backup({settings().dbUrl, settings().attachments.dir}, parsed.dir, REGISTRY_VERSION);
    const auto& m = result.manifest;
    if (!result.damaged.empty())
        std::cerr << "funeral-registry: warning: " << result.damaged.size()
                  << " attachment files do not match their SHA-256 and were left out (first: "
                  << result.damaged.front() << ")\n";
    if (!m.missingAttachments.empty())
        std::cerr << "funeral-registry: warning: " << m.missingAttachments.size()
                  << " attachments the database names are not in " << settings().attachments.dir
                  << ", so not in the backup (first: " << m.missingAttachments.front() << ")\n";
    std::cout << "backup of " << m.source << " written to " << parsed.dir << ": " << contents(m) << ", "
              << seconds(clock) << " (schema version " << m.schemaVersion << ")\n";
    return EXIT_OK;
}

int RegistryApp::restoreVerb(const std::vector<std::string>& args) {
    const auto parsed = parseBackupArgs("restore", args, true);
    Poco::Stopwatch clock;
    clock.start();
    if (parsed.check) {
        const auto m = store::checkBackup(parsed.dir);
        std::cout << "backup " << parsed.dir << " of " << m.source << " made " << m.createdAt
                  << " is complete: " << contents(m) << " match " << store::BackupManifest::fileName
                  << " (schema version " << m.schemaVersion << ")\n";
        return EXIT_OK;
    }
    const auto result =
        store::restore(parsed.dir, {settings().dbUrl, settings().attachments.dir}, parsed.replace);
    const auto& m = result.manifest;
    const auto target = store::DatabaseUrl::parse(settings().dbUrl).redacted();
    std::cout << "restored " << parsed.dir << " (" << m.source << ", made " << m.createdAt << ") into "
              << target << ": " << contents(m) << ", " << result.attachmentsAdded
              << " attachment files added to " << settings().attachments.dir << ", " << seconds(clock)
              << "\n";
    // An older backup is brought to this program's schema by the runner `migrate` uses, as `migrate` does.
    if (m.schemaVersion < store::Migrator::latestVersion(store::Backend::Sqlite)) return migrate();
    return EXIT_OK;
}

} // namespace registry::app
