#include "app/RegistryApp.h"

#include <stdexcept>

namespace registry::app {

CommandLine CommandLine::parse(int argc, char** argv) {
    CommandLine cl;
    int i = 1;
    // Global options come before the verb; everything after the verb belongs to it.
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        auto valueOf = [&](const std::string& option) -> std::string {
            if (arg.size() > option.size() && arg.compare(0, option.size() + 1, option + "=") == 0)
                return arg.substr(option.size() + 1);
            if (i + 1 >= argc) throw std::invalid_argument(option + " needs a value");
            return argv[++i];
        };
        if (arg == "--config" || arg.rfind("--config=", 0) == 0) {
            cl.configFile = valueOf("--config");
            cl.configExplicit = true;
        } else if (arg == "--set" || arg.rfind("--set=", 0) == 0) {
            const std::string kv = valueOf("--set");
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                throw std::invalid_argument("--set needs KEY=VALUE (got '" + kv + "')");
            cl.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (arg == "--help" || arg == "-h") {
            cl.help = true;
        } else if (!arg.empty() && arg[0] == '-') {
            throw std::invalid_argument("unknown option " + arg);
        } else {
            break;
        }
    }
    if (i < argc) cl.verb = argv[i++];
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h")
            cl.help = true;
        else
            cl.args.push_back(arg);
    }
    return cl;
}

std::string usage(const std::string& verb) {
    if (verb == "serve")
        return "Usage: funeral-registry [--config FILE] [--set KEY=VALUE]... serve\n"
               "Serves the registry over HTTP at http.host:http.port (default 127.0.0.1:8080) until stopped\n"
               "(Ctrl-C or SIGTERM). Migrates the database first when db.auto_migrate is true (default).\n";
    if (verb == "migrate")
        return "Usage: funeral-registry migrate\n"
               "Brings the database named by db.url to this program's schema version. Refuses a database newer\n"
               "than the program.\n";
    if (verb == "demo-data")
        return "Usage: funeral-registry demo-data [--scale N] [--seed S] [--if-empty]\n"
               "Fills an empty registry with deterministic demo data: scale 1 is a small demo (about 800\n"
               "facilities, 10 000 prices, 1 000 burial sites); scale 100 gives about 1 million prices.\n"
               "Reference prices in the demo are illustrative, not official caps. A registry that holds records\n"
               "is refused, or with --if-empty left as it is (exit status 0).\n";
    if (verb == "user")
        return "Usage:\n"
               "  funeral-registry user add NAME --role admin|inspector|district_it|auditor|operator [--district CODE]\n"
               "                            [--facility ID] [--display-name TEXT] [--email ADDRESS]\n"
               "                            [--password-stdin] [--if-absent]\n"
               "  funeral-registry user passwd NAME [--password-stdin]\n"
               "  funeral-registry user token NAME [--ttl-hours N]\n"
               "An operator (--role operator) works for one facility, --facility ID, and its district is the facility's.\n"
               "Without --password-stdin a password is generated and printed once. 'user token' prints a bearer\n"
               "token and nothing else on standard output. With --if-absent, adding a user who exists already\n"
               "changes nothing and exits 0.\n";
    if (verb == "plugin")
        return "Usage:\n"
               "  funeral-registry plugin test [--coverage] [PATH...]\n"
               "                                           run the *_test.lua cases under PATH (default plugins/)\n"
               "  funeral-registry plugin check FILE       load one plugin in the sandbox and show its manifest\n"
               "Neither needs a database or a server. 'plugin test' prints one line per case and ends with\n"
               "'N passed, N failed'; its exit status is non-zero on any failure or load error. With\n"
               "--coverage it also prints, per plugin, which of its lines the cases ran and which they did not\n"
               "('COVER file: 12 of 15 lines (80%), not run: 7, 9-12').\n";
    if (verb == "import")
        return "Usage: funeral-registry import prices FILE [--dry-run] [--encoding utf-8|gbk]\n"
               "Loads a price list from a CSV file (UTF-8 with or without BOM, or GBK as Excel saves it on\n"
               "Chinese Windows; detected unless --encoding says). Header row with the columns facility_id or\n"
               "facility_code, item, amount_fen or amount_yuan, effective_from, displayed, bundled, and optionally\n"
               "unit, area_m2, term_years, source, note. Every row is checked; all rows are stored or none, and\n"
               "every bad row is listed. --dry-run checks and stores nothing.\n";
    if (verb == "export")
        return "Usage: funeral-registry export facilities|burial-sites|prices|findings|notices\n"
               "                              [--format csv|xlsx|geojson|json] [--district CODE] [--output FILE]\n"
               "                              notices only: [--status issued|responded|verified] [--open]\n"
               "                                            [--overdue] [--due-within-days N]\n"
               "Writes the list to standard output (or FILE): CSV in UTF-8 with BOM (opens in Excel), XLSX (one\n"
               "worksheet for Excel), GeoJSON (facilities and burial sites), or JSON. Notices are dated on\n"
               "clock.today, or today in audit.timezone: --overdue is past the deadline and not verified,\n"
               "--due-within-days N a deadline from today through the next N-1 days, --open not verified.\n";
    if (verb == "audit")
        return "Usage:\n"
               "  funeral-registry audit [--district CODE]\n"
               "  funeral-registry audit report [ID] [--format table|csv|json|html]\n"
               "The first runs a price-compliance audit now: every plugin of plugins.dir over every current price,\n"
               "facility and burial site of the city (or of one district), with a progress bar on a terminal, then\n"
               "prints the report per district. Its findings are kept exactly as a scheduled audit's. Exit status 0\n"
               "when the audit succeeded. 'audit report' prints the report of a finished audit (scheduled or not;\n"
               "the latest succeeded one without ID).\n";
    if (verb == "backup")
        return "Usage: funeral-registry backup DIR\n"
               "Backs up a SQLite registry (db.url) and its attachment files (attachments.dir) into DIR, which must\n"
               "not exist or be empty. The server may keep running: the database is copied by SQLite's online\n"
               "backup, one consistent snapshot, checked with PRAGMA integrity_check; the files are copied after it.\n"
               "DIR/backup.json, written last, lists the versions, the rows of every table and every file with\n"
               "its size and SHA-256; a folder without it is an unfinished backup. For MariaDB/MySQL use\n"
               "scripts/mariadb-backup.sh backup DIR.\n";
    if (verb == "restore")
        return "Usage: funeral-registry restore DIR [--replace]\n"
               "       funeral-registry restore DIR --check\n"
               "Restores the backup in DIR into db.url and attachments.dir. Stop the server first. Every file is\n"
               "checked against DIR/backup.json before anything is written; a damaged or unfinished backup, one\n"
               "newer than this program, a database in use, or one that holds records (without --replace) is\n"
               "refused and nothing is written. The database is written beside the target and renamed over it;\n"
               "attachment files missing from attachments.dir are added. An older backup is then migrated.\n"
               "--check only checks the backup and writes nothing. For MariaDB/MySQL use\n"
               "scripts/mariadb-backup.sh restore DIR.\n";
    if (verb == "version") return "Usage: funeral-registry version\nPrints the program and schema versions.\n";
    return "Usage: funeral-registry [--config FILE] [--set KEY=VALUE]... VERB [ARGS]\n"
           "\n"
           "Verbs:\n"
           "  serve                 serve the registry over HTTP\n"
           "  migrate               bring the database schema up to date\n"
           "  demo-data [--scale N] fill an empty registry with demo data\n"
           "  user add|passwd|token manage users and their bearer tokens\n"
           "  import prices FILE    load a price list (CSV, UTF-8 or GBK)\n"
           "  plugin test|check     test district rules (Lua plugins) without a server\n"
           "  export LIST           facilities, burial-sites, prices or findings as CSV, GeoJSON or JSON\n"
           "  audit [--district C]  run a price-compliance audit now and print its report\n"
           "  backup DIR            back up a SQLite registry and its attachments into DIR\n"
           "  restore DIR           restore a backup (--check: only check it)\n"
           "  version               print the program and schema versions\n"
           "\n"
           "Options:\n"
           "  --config FILE         settings file (default etc/registry.properties, if present)\n"
           "  --set KEY=VALUE       override one setting (e.g. --set http.port=8081)\n"
           "  --help                this text; 'funeral-registry VERB --help' for one verb\n"
           "\n"
           "Environment: REGISTRY_DB_URL overrides db.url, REGISTRY_HTTP_PORT overrides http.port.\n";
}

} // namespace registry::app
