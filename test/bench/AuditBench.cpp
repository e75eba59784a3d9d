// Benchmark, not a test: the records per second of a citywide audit through the real runner
// (AuditService::runNow: keyset batches from the store, worker threads, PluginHost::runChecks, staging and
// the final merge), beside a bare-Lua baseline in the same run: the same plugin functions (the `checks`
// hooks of the plugins the host loaded) called from a plain Lua loop over the same records, built once as
// plain Lua tables in a plain Lua state, with no database, no host, no sandbox and no limits. Runs are
// interleaved (audit, baseline, audit, baseline, ...); prints a Markdown table of medians.
//
//   audit_bench [--db FILE] [--scale N] [--runs R] [--workers W] [--plugins DIR]
//
// The database (SQLite, demo-data --scale N) is built once and kept: FILE defaults to
// build/bench/audit-<N>.db. Every measured audit re-audits the registry (a first audit, not measured, runs
// when no audit has yet), as the nightly audit does.

#include "service/AuditService.h"
#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "domain/District.h"
#include "plugins/Lua.h"
#include "plugins/PluginHost.h"
#include "plugins/Sandbox.h"
#include "store/BurialSiteRepository.h"
#include "store/Database.h"
#include "store/DemoData.h"
#include "store/FacilityRepository.h"
#include "store/Migrations.h"
#include "store/PriceRepository.h"
#include "store/ReferencePriceRepository.h"

#include <Poco/JSON/Array.h>
#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace registry;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

using Clock = std::chrono::steady_clock;

/// Keeps the checks and merge seconds of the last audit that succeeded, from the runner's log line
/// ("...; checks 4.12 s, merge 1.93 s").
class PhaseChannel : public Poco::Channel {
public:
    void log(const Poco::Message& message) override {
        const std::string& text = message.getText();
        const auto checks = text.find("; checks ");
        const auto merge = text.find(" s, merge ");
        if (checks == std::string::npos || merge == std::string::npos) return;
        std::lock_guard<std::mutex> lock(_mutex);
        _checks = std::atof(text.c_str() + checks + 9);
        _merge = std::atof(text.c_str() + merge + 10);
    }
    std::pair<double, double> last() {
        std::lock_guard<std::mutex> lock(_mutex);
        return {_checks, _merge};
    }

private:
    std::mutex _mutex;
    double _checks = 0, _merge = 0;
};

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds of this process and of its sandbox processes: the live ones from /proc (a worker lives across
// runs and is reaped only when it is replaced or the pool stops), the reaped ones from RUSAGE_CHILDREN.
double cpuSecondsWithChildren() {
    rusage children{};
    getrusage(RUSAGE_CHILDREN, &children);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    double total = cpuSeconds() + seconds(children.ru_utime) + seconds(children.ru_stime);
    const long ticks = sysconf(_SC_CLK_TCK);
    const std::string self = std::to_string(getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "stat");
        std::string line;
        if (!std::getline(in, line)) continue;
        const auto close = line.rfind(')'); // the command may hold spaces
        if (close == std::string::npos) continue;
        std::istringstream fields(line.substr(close + 2));
        std::vector<std::string> f;
        for (std::string x; fields >> x && f.size() < 13;) f.push_back(x);
        // Fields after the command: state(0) ppid(1) ... utime(11) stime(12).
        if (f.size() < 13 || f[1] != self) continue;
        total += static_cast<double>(std::stoll(f[11]) + std::stoll(f[12])) / static_cast<double>(ticks);
    }
    return total;
}

double threadCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void check(lua_State* lua, int status, const std::string& what) {
    if (status == LUA_OK) return;
    std::cerr << "audit_bench: " << what << ": " << lua_tostring(lua, -1) << "\n";
    std::exit(1);
}

// A view as a plain Lua table (no read-only proxy): the baseline's records.
void pushPlain(lua_State* lua, const Var& value) {
    luaL_checkstack(lua, 4, "pushPlain");
    if (value.isEmpty()) {
        lua_pushnil(lua);
    } else if (value.isString() && value.type() == typeid(std::string)) {
        const auto& text = value.extract<std::string>();
        lua_pushlstring(lua, text.data(), text.size());
    } else if (value.isBoolean()) {
        lua_pushboolean(lua, value.extract<bool>());
    } else if (value.isInteger()) {
        lua_pushinteger(lua, static_cast<lua_Integer>(value.convert<Poco::Int64>()));
    } else if (value.isNumeric()) {
        lua_pushnumber(lua, value.convert<double>());
    } else if (value.type() == typeid(Object::Ptr)) {
        const auto& object = value.extract<Object::Ptr>();
        lua_createtable(lua, 0, static_cast<int>(object->size()));
        for (const auto& [key, field] : *object) {
            if (field.isEmpty()) continue;
            pushPlain(lua, field);
            lua_setfield(lua, -2, key.c_str());
        }
    } else if (value.type() == typeid(Array::Ptr)) {
        const auto& array = value.extract<Array::Ptr>();
        lua_createtable(lua, static_cast<int>(array->size()), 0);
        for (unsigned i = 0; i < array->size(); ++i) {
            pushPlain(lua, array->get(i));
            lua_rawseti(lua, -2, static_cast<lua_Integer>(i) + 1);
        }
    } else {
        const std::string text = value.convert<std::string>();
        lua_pushlstring(lua, text.data(), text.size());
    }
}

void pushPlain(lua_State* lua, const Object::Ptr& view) { pushPlain(lua, Var(view)); }

// The baseline's Lua side: ctx functions answered from preloaded tables, and the loop that is timed.
// `hooks[kind][district]` lists function, ctx, function, ctx, ... of the plugins that apply, in the
// host's (name) order.
const char* const kBaseline = R"lua(
local B = { prices = {}, facilities = {}, sites = {}, previous = {}, caps = {}, facility_by_id = {},
            current_by_facility = {}, today = "", hooks = { price = {}, facility = {}, burial_site = {} } }
local district, as_of = "", ""
local found, n_found = {}, 0
local EMPTY = {}

local function finding(f) n_found = n_found + 1; found[n_found] = f end
-- As plugins::selectReferencePrice: the district's cap before a citywide one, then the latest start.
local function reference_price(item, d)
  d = d or district
  local best
  local list = B.caps[item]
  if not list then return nil end
  for i = 1, #list do
    local c = list[i]
    if (c.district == nil or c.district == d) and
       (as_of == "" or (c.effective_from <= as_of and (c.effective_to == nil or c.effective_to >= as_of))) then
      if not best then best = c
      else
        local cl, bl = c.district ~= nil, best.district ~= nil
        if cl ~= bl then if cl then best = c end
        elseif c.effective_from > best.effective_from then best = c end
      end
    end
  end
  return best
end
local function previous_price(p) return B.previous[p.id] end
local function current_prices(id) return B.current_by_facility[id] or EMPTY end
local function facility(id) return B.facility_by_id[id] end
local function today() return B.today end
local function log() end

function B.ctx(config)
  return { config = config, finding = finding, reference_price = reference_price, previous_price = previous_price,
           current_prices = current_prices, facility = facility, today = today, log = log }
end

function B.run()
  found, n_found = {}, 0
  local hooks = B.hooks.price
  local prices = B.prices
  for i = 1, #prices do
    local p = prices[i]
    district = p.district
    as_of = p.effective_from or B.today
    local hs = hooks[district] or EMPTY
    for j = 1, #hs, 2 do hs[j](p, hs[j + 1]) end
  end
  as_of = B.today
  for kind, records in pairs({ facility = B.facilities, burial_site = B.sites }) do
    hooks = B.hooks[kind]
    for i = 1, #records do
      local r = records[i]
      district = r.district
      local hs = hooks[district] or EMPTY
      for j = 1, #hs, 2 do hs[j](r, hs[j + 1]) end
    end
  end
  return n_found
end
return B
)lua";

// Every row of a repository's list, page by page.
template <class Repository, class Filter> auto readAll(Repository repo, const Filter& filter) {
    store::PageRequest page{store::maxPageLimit, 0};
    decltype(repo.list(filter, page).items) out;
    for (;;) {
        auto rows = repo.list(filter, page);
        out.insert(out.end(), rows.items.begin(), rows.items.end());
        if (!rows.nextAfterId) return out;
        page.afterId = *rows.nextAfterId;
    }
}

struct Baseline {
    lua_State* lua = nullptr;
    long long records = 0;
    double readSeconds = 0, viewSeconds = 0, tableSeconds = 0;

    ~Baseline() {
        if (lua) lua_close(lua);
    }

    // Appends `view` to the array B[field]; returns nothing.
    void append(const char* field, const Object::Ptr& view) {
        lua_getfield(lua, -1, field);
        pushPlain(lua, view);
        lua_rawseti(lua, -2, static_cast<lua_Integer>(lua_rawlen(lua, -2)) + 1);
        lua_pop(lua, 1);
    }

    void build(store::Database& db, plugins::PluginHost& host, const std::string& today) {
        lua = luaL_newstate();
        luaL_openlibs(lua);
        lua_gc(lua, LUA_GCSTOP);
        check(lua, luaL_loadbuffer(lua, kBaseline, std::strlen(kBaseline), "=baseline"), "baseline");
        check(lua, lua_pcall(lua, 0, 1, 0), "baseline");
        const int b = lua_gettop(lua);
        lua_pushstring(lua, today.c_str());
        lua_setfield(lua, b, "today");

        // The records, read as the runner reads them.
        auto start = Clock::now();
        const auto facilities = readAll(store::FacilityRepository(db), store::FacilityFilter{});
        const auto sites = readAll(store::BurialSiteRepository(db), store::BurialSiteFilter{});
        const auto all = readAll(store::PriceRepository(db), store::PriceFilter{}); // the previous ones too
        const auto caps = readAll(store::ReferencePriceRepository(db), store::ReferencePriceFilter{});
        std::vector<domain::PriceRecord> prices;
        readSeconds = since(start);

        // Views as the host builds them, then plain tables.
        std::map<long long, const domain::Facility*> facilityById;
        for (const auto& f : facilities) facilityById[f.id] = &f;
        std::map<long long, const domain::PriceRecord*> previousOf; // by the id of the record that replaced it
        for (const auto& p : all) {
            if (p.supersededBy && *p.supersededBy != p.id) previousOf[*p.supersededBy] = &p;
            if (!p.supersededBy) prices.push_back(p);
        }
        double views = 0, tables = 0;
        auto timed = [&](auto&& makeView, auto&& store) {
            auto t0 = Clock::now();
            const Object::Ptr view = makeView();
            auto t1 = Clock::now();
            store(view);
            views += std::chrono::duration<double>(t1 - t0).count();
            tables += since(t1);
        };
        for (const auto& f : facilities)
            timed([&] { return plugins::facilityView(f); },
                  [&](const Object::Ptr& view) {
                      append("facilities", view);
                      lua_getfield(lua, b, "facility_by_id");
                      lua_getfield(lua, b, "facilities");
                      lua_rawgeti(lua, -1, static_cast<lua_Integer>(lua_rawlen(lua, -1)));
                      lua_rawseti(lua, -3, f.id);
                      lua_pop(lua, 2);
                  });
        for (const auto& s : sites)
            timed([&] { return plugins::burialSiteView(s); }, [&](const Object::Ptr& view) { append("sites", view); });
        for (const auto& p : prices) {
            const auto facility = facilityById.find(p.facilityId);
            if (facility == facilityById.end()) continue;
            timed([&] { return plugins::priceView(p, *facility->second); },
                  [&](const Object::Ptr& view) {
                      append("prices", view);
                      // current_by_facility[facility][#+1] = the same table
                      lua_getfield(lua, b, "current_by_facility");
                      if (lua_rawgeti(lua, -1, p.facilityId) == LUA_TNIL) {
                          lua_pop(lua, 1);
                          lua_newtable(lua);
                          lua_pushvalue(lua, -1);
                          lua_rawseti(lua, -3, p.facilityId);
                      }
                      lua_getfield(lua, b, "prices");
                      lua_rawgeti(lua, -1, static_cast<lua_Integer>(lua_rawlen(lua, -1)));
                      lua_rawseti(lua, -3, static_cast<lua_Integer>(lua_rawlen(lua, -3)) + 1);
                      lua_pop(lua, 3);
                  });
            const auto previous = previousOf.find(p.id);
            if (previous == previousOf.end()) continue;
            const auto pf = facilityById.find(previous->second->facilityId);
            if (pf == facilityById.end()) continue;
            timed([&] { return plugins::priceView(*previous->second, *pf->second); },
                  [&](const Object::Ptr& view) {
                      lua_getfield(lua, b, "previous");
                      pushPlain(lua, view);
                      lua_rawseti(lua, -2, p.id);
                      lua_pop(lua, 1);
                  });
        }
        lua_getfield(lua, b, "caps");
        for (const auto& cap : caps) {
            if (lua_getfield(lua, -1, cap.item.c_str()) == LUA_TNIL) {
                lua_pop(lua, 1);
                lua_newtable(lua);
                lua_pushvalue(lua, -1);
                lua_setfield(lua, -3, cap.item.c_str());
            }
            pushPlain(lua, codec::toJson(cap));
            lua_rawseti(lua, -2, static_cast<lua_Integer>(lua_rawlen(lua, -2)) + 1);
            lua_pop(lua, 1);
        }
        lua_pop(lua, 1);
        viewSeconds = views;
        tableSeconds = tables;
        records = 0;
        for (const char* field : {"prices", "facilities", "sites"}) {
            lua_getfield(lua, b, field);
            records += static_cast<long long>(lua_rawlen(lua, -1));
            lua_pop(lua, 1);
        }

        // The plugins the host runs, loaded from the same source text, each with a plain ctx.
        const auto set = host.registry().current();
        std::vector<std::string> districts;
        for (const auto& d : domain::districts()) districts.push_back(d.code);
        for (const auto& plugin : set->plugins) {
            check(lua, luaL_loadbuffer(lua, plugin->code.data(), plugin->code.size(), plugin->file.c_str()),
                  plugin->file);
            check(lua, lua_pcall(lua, 0, 1, 0), plugin->file);
            const int manifest = lua_gettop(lua);
            lua_getfield(lua, b, "ctx");
            pushPlain(lua, plugin->config);
            check(lua, lua_pcall(lua, 1, 1, 0), "ctx");
            const int ctx = lua_gettop(lua);
            lua_getfield(lua, manifest, "checks");
            const int checks = lua_gettop(lua);
            for (const char* kind : {"price", "facility", "burial_site"}) {
                if (lua_type(lua, checks) != LUA_TTABLE || lua_getfield(lua, checks, kind) != LUA_TFUNCTION) {
                    lua_settop(lua, checks);
                    continue;
                }
                const int fn = lua_gettop(lua);
                lua_getfield(lua, b, "hooks");
                lua_getfield(lua, -1, kind);
                const int byDistrict = lua_gettop(lua);
                for (const auto& d : districts) {
                    if (!plugin->appliesTo(d)) continue;
                    if (lua_getfield(lua, byDistrict, d.c_str()) == LUA_TNIL) {
                        lua_pop(lua, 1);
                        lua_newtable(lua);
                        lua_pushvalue(lua, -1);
                        lua_setfield(lua, byDistrict, d.c_str());
                    }
                    const auto n = static_cast<lua_Integer>(lua_rawlen(lua, -1));
                    lua_pushvalue(lua, fn);
                    lua_rawseti(lua, -2, n + 1);
                    lua_pushvalue(lua, ctx);
                    lua_rawseti(lua, -2, n + 2);
                    lua_pop(lua, 1);
                }
                lua_settop(lua, checks);
            }
            lua_settop(lua, b);
        }
        lua_gc(lua, LUA_GCRESTART);
        lua_gc(lua, LUA_GCCOLLECT);
    }

    // Runs the loop once: seconds (wall), and findings reported; `cpu` gets the thread's CPU seconds.
    std::pair<double, long long> run(double& cpu) {
        lua_getfield(lua, -1, "run");
        const double cpu0 = threadCpuSeconds();
        const auto start = Clock::now();
        check(lua, lua_pcall(lua, 0, 1, 0), "baseline loop");
        const double seconds = since(start);
        cpu = threadCpuSeconds() - cpu0;
        const long long findings = lua_tointeger(lua, -1);
        lua_pop(lua, 1);
        lua_gc(lua, LUA_GCCOLLECT);
        return {seconds, findings};
    }
};

long long findingsReported(const domain::AuditRun& run) {
    Poco::JSON::Parser parser;
    const auto summary = parser.parse(run.summaryJson).extract<Object::Ptr>();
    long long reported = 0;
    const auto districts = summary->getArray("districts");
    for (unsigned i = 0; districts && i < districts->size(); ++i)
        reported += districts->getObject(i)->getValue<long long>("findings_reported");
    return reported;
}

} // namespace

int main(int argc, char** argv) {
    registry::plugins::sandbox::pinLocalTimeZone(); // as the server does
    int scale = 100, runs = 3;
    int workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string dbFile, pluginsDir = "plugins", isolation = "both";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--scale") scale = std::atoi(argv[i + 1]);
        else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--workers") workers = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--db") dbFile = argv[i + 1];
        else if (a == "--plugins") pluginsDir = argv[i + 1];
        else if (a == "--isolation") isolation = argv[i + 1];
        else {
            std::cerr << "usage: audit_bench [--db FILE] [--scale N] [--runs R] [--workers W] [--plugins DIR] [--isolation process|thread|both]\n";
            return 2;
        }
    }
    if (argc % 2 == 0) {
        std::cerr << "usage: audit_bench [--db FILE] [--scale N] [--runs R] [--workers W] [--plugins DIR] [--isolation process|thread|both]\n";
        return 2;
    }
    if (dbFile.empty()) dbFile = "build/bench/audit-" + std::to_string(scale) + ".db";

    // The database, built once (into a temporary file first, so a half-built one is never kept).
    if (!std::filesystem::exists(dbFile)) {
        std::filesystem::create_directories(std::filesystem::absolute(dbFile).parent_path());
        const std::string partial = dbFile + ".partial";
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(partial + s);
        std::cerr << "bench: building " << dbFile << " (demo-data --scale " << scale << ")\n";
        const auto start = Clock::now();
        {
            store::Database db("sqlite3:" + partial, store::DatabaseOptions{2});
            store::Migrator(db).migrate();
            store::DemoDataOptions options;
            options.scale = scale;
            store::loadDemoData(db, options);
        }
        std::filesystem::rename(partial, dbFile);
        std::cerr << "bench: built in " << since(start) << " s\n";
    }
    const std::string url = "sqlite3:" + dbFile;
    Poco::AutoPtr<PhaseChannel> phases(new PhaseChannel);
    Poco::Logger::get("registry.audit").setChannel(phases);
    Poco::Logger::get("registry.audit").setLevel(Poco::Message::PRIO_INFORMATION);
    store::Database db(url);
    store::Migrator(db).migrate();

    // One host and one audit service per isolation measured; "both" interleaves them in every run.
    std::vector<std::string> isolations;
    if (isolation == "both") isolations = {"process", "thread"};
    else if (isolation == "process" || isolation == "thread") isolations = {isolation};
    else {
        std::cerr << "audit_bench: --isolation must be process, thread or both\n";
        return 2;
    }
    const std::string today = service::localDate("Asia/Shanghai");
    struct Subject {
        std::string isolation;
        std::unique_ptr<plugins::PluginHost> host;
        std::unique_ptr<service::AuditService> service;
        std::vector<double> seconds, cpu, checks, merge;
        long long records = 0, findings = 0;
    };
    std::vector<Subject> subjects;
    for (const auto& name : isolations) {
        plugins::HostSettings hostSettings;
        hostSettings.isolation = name == "thread" ? plugins::Isolation::Thread : plugins::Isolation::Process;
        hostSettings.workerExecutable = REGISTRY_BINARY; // sandbox processes of the real binary
        Subject subject;
        subject.isolation = name;
        subject.host = std::make_unique<plugins::PluginHost>(hostSettings);
        const auto loaded = subject.host->load(pluginsDir);
        if (!loaded.error.empty() || loaded.failed > 0 || loaded.active == 0) {
            std::cerr << "audit_bench: plugins in " << pluginsDir << " did not all load: " << loaded.error << "\n";
            return 1;
        }
        service::AuditServiceSettings settings;
        settings.runner.workers = workers;
        settings.runner.instanceId = "audit_bench";
        settings.today = [today] { return today; };
        subject.service = std::make_unique<service::AuditService>(db, *subject.host, settings);
        subjects.push_back(std::move(subject));
    }

    std::cerr << "bench: building the baseline's Lua tables\n";
    Baseline baseline;
    baseline.build(db, *subjects.front().host, today);
    std::cerr << "bench: " << baseline.records << " records: read " << baseline.readSeconds << " s, views "
              << baseline.viewSeconds << " s, Lua tables " << baseline.tableSeconds << " s\n";

    {
        store::Database::Session session(db);
        long long audits = 0;
        session.sql() << "SELECT COUNT(*) FROM audit_runs WHERE status = 'succeeded'", soci::into(audits);
        if (audits == 0) {
            std::cerr << "bench: a first audit (not measured), so that every measured one re-audits\n";
            subjects.front().service->runNow(std::nullopt, "bench");
        }
    }

    std::vector<double> bareSeconds, bareCpu;
    long long bareFindings = 0;
    for (int run = 0; run < runs; ++run) {
        for (auto& subject : subjects) {
            const double cpu0 = cpuSecondsWithChildren();
            const auto start = Clock::now();
            const auto result = subject.service->runNow(std::nullopt, "bench");
            subject.seconds.push_back(since(start));
            subject.cpu.push_back(cpuSecondsWithChildren() - cpu0);
            if (result.status != domain::AuditStatus::Succeeded) {
                std::cerr << "audit_bench: audit " << result.id << " " << domain::toString(result.status) << ": "
                          << result.error << "\n";
                return 1;
            }
            const auto [checks, merge] = phases->last();
            subject.checks.push_back(checks);
            subject.merge.push_back(merge);
            subject.records = result.recordsChecked;
            subject.findings = findingsReported(result);
            std::cerr << "audit (" << subject.isolation << "): " << subject.records << " records in "
                      << subject.seconds.back() << " s (" << subject.cpu.back() << " CPU s), " << subject.findings
                      << " findings\n";
        }
        double cpu = 0;
        const auto [seconds, findings] = baseline.run(cpu);
        bareSeconds.push_back(seconds);
        bareCpu.push_back(cpu);
        bareFindings = findings;
        std::cerr << "bare Lua: " << baseline.records << " records in " << seconds << " s, " << findings
                  << " findings (" << cpu << " CPU s)\n";
    }

    const double bareRate = static_cast<double>(baseline.records) / median(bareSeconds);
    const double bareCpuRate = static_cast<double>(baseline.records) / median(bareCpu);
    std::printf("| run | records | findings | median s | median records/s | records/s per core | CPU s (all processes) "
                "| records per CPU-second |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| bare Lua loop (1 thread) | %lld | %lld | %.2f | %.0f | %.0f | %.2f | %.0f |\n", baseline.records,
                bareFindings, median(bareSeconds), bareRate, bareRate, median(bareCpu), bareCpuRate);
    for (const auto& subject : subjects) {
        const double rate = static_cast<double>(subject.records) / median(subject.seconds);
        std::printf("| full audit, plugins in %s (%d workers) | %lld | %lld | %.2f | %.0f | %.0f | %.2f | %.0f |\n",
                    subject.isolation == "process" ? "sandbox processes" : "the server's threads", workers,
                    subject.records, subject.findings, median(subject.seconds), rate, rate / workers,
                    median(subject.cpu), static_cast<double>(subject.records) / median(subject.cpu));
    }
    std::printf("\n");
    for (const auto& subject : subjects) {
        const double rate = static_cast<double>(subject.records) / median(subject.seconds);
        const double cpuRate = static_cast<double>(subject.records) / median(subject.cpu);
        std::printf("- %s: audit ÷ bare Lua **%.2f×** wall rate (targets: issue 13 ≥ 0.3, issue 5 ≥ 0.5), %.2f× per "
                    "core, %.2f× per CPU-second; 1 million records in **%.1f s** wall at its median rate (target < "
                    "10 s on 2 cores), %.1f CPU-seconds; %s findings as the bare loop\n",
                    subject.isolation.c_str(), rate / bareRate, rate / workers / bareRate, cpuRate / bareCpuRate,
                    1e6 / rate, 1e6 / cpuRate, subject.findings == bareFindings ? "the same number of" : "NOT the same");
    }
    for (const auto& subject : subjects)
        std::printf("- %s, the audit's two phases (its log line, medians): checks (reading, plugins, staging) %.2f s, "
                    "merge (one transaction) %.2f s\n",
                    subject.isolation.c_str(), median(subject.checks), median(subject.merge));
    if (subjects.size() == 2)
        std::printf("- sandbox processes ÷ threads: %.2f× the wall time, %.2f× the CPU time (medians)\n",
                    median(subjects[0].seconds) / median(subjects[1].seconds),
                    median(subjects[0].cpu) / median(subjects[1].cpu));
    std::printf("- runs: %d, interleaved (%s, then the bare loop); wall times %s\n", runs,
                [&] {
                    std::string s;
                    for (const auto& subject : subjects) s += (s.empty() ? "" : ", ") + subject.isolation;
                    return s;
                }().c_str(),
                [&] {
                    std::string s;
                    for (std::size_t i = 0; i < bareSeconds.size(); ++i) {
                        s += i ? "; " : "";
                        for (const auto& subject : subjects) {
                            char b[32];
                            std::snprintf(b, sizeof b, "%.2f/", subject.seconds[i]);
                            s += b;
                        }
                        char b[32];
                        std::snprintf(b, sizeof b, "%.2f s", bareSeconds[i]);
                        s += b;
                    }
                    return s;
                }().c_str());
    std::printf("- baseline setup, not timed in the rate: read %.1f s, views %.1f s, Lua tables %.1f s\n",
                baseline.readSeconds, baseline.viewSeconds, baseline.tableSeconds);
    return 0;
}
