#include "plugins/PluginTestRunner.h"

#include "domain/Dates.h"
#include "domain/District.h"
#include "domain/PriceItem.h"
#include "plugins/LuaConvert.h"
#include "plugins/LuaState.h"
#include "plugins/PluginConfig.h"
#include "plugins/PluginRegistry.h"
#include "plugins/PluginState.h"
#include "plugins/Sandbox.h"
#include "plugins/Views.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace registry::plugins {

namespace fs = std::filesystem;
using domain::SubjectType;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

/// A mistake in a test case (as opposed to a plugin that fails it).
struct CaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool readFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = buffer.str();
    return true;
}

Object::Ptr objectOf(const Var& value, const std::string& what) {
    if (value.type() == typeid(Object::Ptr)) return value.extract<Object::Ptr>();
    throw CaseError(what + " must be a table of fields");
}

/// A list, where an empty Lua table (converted as an empty object) counts as an empty list.
Array::Ptr listOf(const Var& value, const std::string& what) {
    if (value.type() == typeid(Array::Ptr)) return value.extract<Array::Ptr>();
    if (value.type() == typeid(Object::Ptr) && value.extract<Object::Ptr>()->size() == 0) return new Array;
    throw CaseError(what + " must be a list");
}

std::string stringOr(const Object& object, const std::string& key, const std::string& fallback) {
    if (!object.has(key) || object.isNull(key)) return fallback;
    const Var value = object.get(key);
    if (!value.isString()) throw CaseError(key + " must be a string");
    return value.extract<std::string>();
}

std::string joinKeys(const Object& object) {
    std::string out;
    for (const auto& [key, value] : object)
        out += (out.empty() ? "" : ", ") + key;
    return out;
}

/// Sets the case's fields over a clean record's view; a field the view does not have is a mistake.
void overlay(Object& view, const Object& fields, const std::string& what) {
    for (const auto& [key, value] : fields) {
        if (!view.has(key))
            throw CaseError(what + ": unknown field '" + key + "' (fields: " + joinKeys(view) + ")");
        const Var model = view.get(key);
        const bool emptyTable =
            value.type() == typeid(Object::Ptr) && value.extract<Object::Ptr>()->size() == 0;
        if (emptyTable && model.type() == typeid(Array::Ptr))
            view.set(key, Array::Ptr(new Array));
        else
            view.set(key, value);
    }
}

std::string districtOf(const Object& fields, const std::string& fallback) {
    return stringOr(fields, "district", fallback);
}

Object::Ptr casePrice(const Object& fields, const std::string& today, const std::string& district) {
    domain::Facility facility;
    facility.id = 1;
    facility.name = "测试殡仪馆";
    facility.district = districtOf(fields, district);
    domain::PriceRecord price;
    price.id = 1;
    price.facilityId = 1;
    price.item = "basic.cremation";
    price.effectiveFrom = today;
    price.displayed = true;
    price.recordedBy = "plugin-test";
    Object::Ptr view = priceView(price, facility);
    overlay(*view, fields, "price");
    if (!fields.has("unit")) {
        const domain::PriceItem* item = domain::findPriceItem(view->getValue<std::string>("item"));
        view->set("unit", item ? item->unit : std::string());
    }
    if (!fields.has("item_category")) view->remove("item_category");
    if (!fields.has("item_regime")) view->remove("item_regime");
    completePriceView(*view);
    return view;
}

Object::Ptr caseFacility(const Object& fields, const std::string& district) {
    domain::Facility facility;
    facility.id = 1;
    facility.district = districtOf(fields, district);
    facility.code = "F-" + facility.district + "-0001";
    facility.name = "测试殡仪馆";
    facility.status = domain::FacilityStatus::Operating;
    Object::Ptr view = facilityView(facility);
    overlay(*view, fields, "facility");
    return view;
}

Object::Ptr caseBurialSite(const Object& fields, const std::string& district) {
    domain::BurialSite site;
    site.id = 1;
    site.district = districtOf(fields, district);
    site.code = "B-" + site.district + "-00001";
    site.graveCount = 1;
    site.targetDate = "2024-12-31";
    site.responsibleUnit = "测试单位";
    Object::Ptr view = burialSiteView(site);
    overlay(*view, fields, "burial_site");
    return view;
}

Poco::Int64 integerOr(const Object& object, const std::string& key, Poco::Int64 fallback) {
    if (!object.has(key) || object.isNull(key)) return fallback;
    const Var value = object.get(key);
    if (!value.isInteger()) throw CaseError(key + " must be an integer");
    return value.convert<Poco::Int64>();
}

/// ctx's data as the case describes it.
class CaseData : public PluginData {
public:
    std::vector<domain::ReferencePrice> caps;
    Object::Ptr previous;
    std::vector<Object::Ptr> current;
    std::vector<Object::Ptr> facilities;
    Object::Ptr subjectPrice; // when the subject is a price: its facility can be looked up

    std::optional<domain::ReferencePrice> referencePrice(const std::string& item, const std::string& district,
                                                         const std::string& date) override {
        return selectReferencePrice(caps, item, district, date);
    }
    Object::Ptr previousPrice(const Object&) override { return previous; }
    std::vector<Object::Ptr> currentPrices(std::int64_t facilityId) override {
        std::vector<Object::Ptr> out;
        for (const auto& price : current)
            if (integerOr(*price, "facility_id", 0) == facilityId) out.push_back(price);
        return out;
    }
    Object::Ptr facility(std::int64_t facilityId) override {
        for (const auto& f : facilities)
            if (integerOr(*f, "id", 0) == facilityId) return f;
        if (subjectPrice && integerOr(*subjectPrice, "facility_id", 0) == facilityId) {
            // The price's own facility, as far as the price view tells it.
            Object fields;
            fields.set("id", facilityId);
            fields.set("kind", subjectPrice->get("facility_kind"));
            fields.set("name", subjectPrice->get("facility_name"));
            fields.set("district", subjectPrice->get("district"));
            return caseFacility(fields, "");
        }
        return nullptr;
    }
};

domain::ReferencePrice caseReferencePrice(const Object& fields) {
    static const std::set<std::string> known{"item",           "cap_fen",      "district",
                                             "effective_from", "effective_to", "basis"};
    for (const auto& [key, value] : fields)
        if (!known.count(key)) throw CaseError("reference_prices: unknown field '" + key + "'");
    domain::ReferencePrice cap;
    cap.item = stringOr(fields, "item", "");
    if (cap.item.empty()) throw CaseError("reference_prices: item is required");
    if (!fields.has("cap_fen")) throw CaseError("reference_prices: cap_fen is required");
    cap.capFen = integerOr(fields, "cap_fen", 0);
    if (fields.has("district") && !fields.isNull("district")) cap.district = stringOr(fields, "district", "");
    cap.effectiveFrom = stringOr(fields, "effective_from", "");
    if (fields.has("effective_to") && !fields.isNull("effective_to"))
        cap.effectiveTo = stringOr(fields, "effective_to", "");
    cap.basis = stringOr(fields, "basis", "plugin test");
    return cap;
}

struct Expected {
    std::string rule;
    std::string severity; // empty: any
    std::string message;  // empty: any; else a part of the message
};

std::vector<Expected> expectedFindings(const Var& value) {
    std::vector<Expected> out;
    const Array::Ptr list = listOf(value, "expect");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const Object::Ptr entry =
            objectOf(list->get(static_cast<unsigned>(i)), "expect[" + std::to_string(i + 1) + "]");
        for (const auto& [key, v] : *entry)
            if (key != "rule" && key != "severity" && key != "message")
                throw CaseError("expect: unknown field '" + key + "' (rule, severity, message)");
        Expected expected{stringOr(*entry, "rule", ""), stringOr(*entry, "severity", ""),
                          stringOr(*entry, "message", "")};
        if (expected.rule.empty()) throw CaseError("expect[" + std::to_string(i + 1) + "]: rule is required");
        out.push_back(expected);
    }
    return out;
}

std::string describe(const Finding& finding) {
    return finding.rule + "/" + domain::toString(finding.severity) + " \"" + finding.message + "\"";
}

std::string describe(const Expected& expected) {
    std::string out = expected.rule + "/" + (expected.severity.empty() ? "*" : expected.severity);
    if (!expected.message.empty()) out += " \"…" + expected.message + "…\"";
    return out;
}

bool matches(const Expected& expected, const Finding& finding) {
    return expected.rule == finding.rule &&
           (expected.severity.empty() || expected.severity == domain::toString(finding.severity)) &&
           (expected.message.empty() || finding.message.find(expected.message) != std::string::npos);
}

struct CaseResult {
    bool passed = false;
    std::vector<int> lines, linesRun; // coverage
    std::vector<std::string> notes; // why it failed, one line each
    std::vector<std::string> log;
};

/// Where the scratch's log lines go: the case that runs now.
struct CaseLog {
    std::vector<std::string>* lines = nullptr;
};

/// Runs one case of `plugin` (checked already) in `scratch`, whose log goes to `log`. Throws CaseError
/// for a mistake in the case.
CaseResult runCase(const PluginSource& plugin, const Object& testCase, Scratch& scratch, CaseLog& log) {
    static const std::set<std::string> known{
        "name",           "today",          "price",      "facility", "burial_site", "reference_prices",
        "previous_price", "current_prices", "facilities", "config",   "expect",      "refuse",
        "audit"};
    for (const auto& [key, value] : testCase)
        if (!known.count(key)) throw CaseError("unknown field '" + key + "' in the case");

    CaseResult result;
    const std::string today = stringOr(testCase, "today", domain::todayUtc());
    if (!domain::parseDate(today)) throw CaseError("today must be a date like \"2024-06-01\"");
    const std::string defaultDistrict = plugin.districts.empty() ? "110101" : plugin.districts.front();

    std::vector<std::pair<SubjectType, std::string>> subjects;
    for (auto [type, key] :
         {std::pair{SubjectType::Price, "price"}, std::pair{SubjectType::Facility, "facility"},
          std::pair{SubjectType::BurialSite, "burial_site"}})
        if (testCase.has(key)) subjects.emplace_back(type, key);
    if (subjects.size() != 1) throw CaseError("a case needs exactly one of price, facility, burial_site");
    const SubjectType subjectType = subjects.front().first;
    const Object::Ptr fields = objectOf(testCase.get(subjects.front().second), subjects.front().second);

    CaseData data;
    Object::Ptr view;
    switch (subjectType) {
    case SubjectType::Price:
        view = casePrice(*fields, today, defaultDistrict);
        data.subjectPrice = view;
        break;
    case SubjectType::Facility:
        view = caseFacility(*fields, defaultDistrict);
        break;
    case SubjectType::BurialSite:
        view = caseBurialSite(*fields, defaultDistrict);
        break;
    }
    if (testCase.has("reference_prices")) {
        const Array::Ptr caps = listOf(testCase.get("reference_prices"), "reference_prices");
        for (std::size_t i = 0; i < caps->size(); ++i)
            data.caps.push_back(
                caseReferencePrice(*objectOf(caps->get(static_cast<unsigned>(i)), "reference_prices")));
    }
    if (testCase.has("previous_price"))
        data.previous =
            casePrice(*objectOf(testCase.get("previous_price"), "previous_price"), today, defaultDistrict);
    if (testCase.has("current_prices")) {
        const Array::Ptr list = listOf(testCase.get("current_prices"), "current_prices");
        for (std::size_t i = 0; i < list->size(); ++i)
            data.current.push_back(casePrice(*objectOf(list->get(static_cast<unsigned>(i)), "current_prices"),
                                             today, defaultDistrict));
    }
    if (testCase.has("facilities")) {
        const Array::Ptr list = listOf(testCase.get("facilities"), "facilities");
        for (std::size_t i = 0; i < list->size(); ++i)
            data.facilities.push_back(
                caseFacility(*objectOf(list->get(static_cast<unsigned>(i)), "facilities"), defaultDistrict));
    }

    const bool hasExpect = testCase.has("expect");
    const bool hasRefuse = testCase.has("refuse") && !testCase.isNull("refuse");
    if (!hasExpect && !hasRefuse) throw CaseError("a case needs expect = {...} (or refuse = true)");
    const std::vector<Expected> expected =
        hasExpect ? expectedFindings(testCase.get("expect")) : std::vector<Expected>{};
    // audit = true: the record is a stored one, as the nightly audit sees it: only checks run.
    const bool audit = testCase.has("audit") && testCase.get("audit").isBoolean() && testCase.getValue<bool>("audit");
    if (testCase.has("audit") && !testCase.get("audit").isBoolean()) throw CaseError("audit must be true or false");
    if (audit && hasRefuse) throw CaseError("an audit case cannot expect a refusal: validate does not run in audits");
    std::optional<std::string> refuse; // expected refusal: "" for any message
    if (hasRefuse) {
        const Var value = testCase.get("refuse");
        if (value.isBoolean()) {
            if (value.extract<bool>()) refuse = "";
        } else if (value.isString()) {
            refuse = value.extract<std::string>();
        } else {
            throw CaseError("refuse must be true, false or a part of the message");
        }
    }

    Object::Ptr config;
    try {
        config = testCase.has("config")
                     ? pluginConfig(plugin.manifest, *objectOf(testCase.get("config"), "config"))
                     : plugin.config;
    } catch (const std::invalid_argument& e) {
        throw CaseError(e.what());
    }

    log.lines = &result.log;
    const LoadResult loaded = scratch.load(plugin.code, plugin.file, *config, plugin.districts);
    result.lines = loaded.lines;
    result.linesRun = loaded.linesRun;
    if (!loaded.ok()) {
        result.notes.push_back("load: " + loaded.call.message);
        return result;
    }

    const std::string district = view->has("district") && view->get("district").isString()
                                     ? view->getValue<std::string>("district")
                                     : defaultDistrict;
    CallEnvironment environment;
    environment.data = &data;
    environment.today = today;
    environment.district = district;
    environment.asOfDate = today;
    if (subjectType == SubjectType::Price) environment.asOfDate = stringOr(*view, "effective_from", today);

    std::vector<Finding> findings;
    std::optional<std::string> refusal;
    if (plugin.appliesTo(district)) {
        for (HookKind kind : {HookKind::Validate, HookKind::Checks}) {
            if (refusal) break; // as on the server: a refused write is not checked
            if (audit && kind == HookKind::Validate) continue;
            HookResult hook = scratch.call(plugin, kind, subjectType, *view, environment);
            result.linesRun.insert(result.linesRun.end(), hook.linesRun.begin(), hook.linesRun.end());
            if (!hook.call.ok()) {
                result.notes.push_back(hookName(kind, subjectType) + " " + toString(hook.call.outcome) +
                                       ": " + hook.call.message);
                return result;
            }
            if (kind == HookKind::Validate)
                refusal = hook.refusal;
            else
                findings = std::move(hook.findings);
        }
    }

    if (refuse && !refusal) result.notes.push_back("expected the write to be refused, it was accepted");
    if (!refuse && refusal) result.notes.push_back("refused unexpectedly: \"" + *refusal + "\"");
    if (refuse && refusal && !refuse->empty() && refusal->find(*refuse) == std::string::npos)
        result.notes.push_back("refused with \"" + *refusal + "\", expected a message containing \"" +
                               *refuse + "\"");

    std::vector<bool> used(findings.size(), false);
    std::vector<std::string> missing;
    for (const auto& want : expected) {
        bool found = false;
        for (std::size_t i = 0; i < findings.size() && !found; ++i) {
            if (!used[i] && matches(want, findings[i])) used[i] = found = true;
        }
        if (!found) missing.push_back(describe(want));
    }
    std::vector<std::string> unexpected;
    for (std::size_t i = 0; i < findings.size(); ++i)
        if (!used[i]) unexpected.push_back(describe(findings[i]));
    for (const auto& m : missing)
        result.notes.push_back("missing:    " + m);
    for (const auto& u : unexpected)
        result.notes.push_back("unexpected: " + u);
    result.passed = result.notes.empty();
    return result;
}

struct Counts {
    int passed = 0;
    int failed = 0;
};

/// Every plugin file (not *_test.lua, not *.d.lua) and every test file under `path`.
void collect(const std::string& path, std::set<std::string>& plugins, std::set<std::string>& tests,
             std::vector<std::string>& missing) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
        std::vector<std::string> files;
        for (auto it = fs::recursive_directory_iterator(path, error);
             !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
            if (it->is_regular_file() && endsWith(it->path().filename().string(), ".lua"))
                files.push_back(it->path().generic_string());
        }
        for (const auto& file : files)
            collect(file, plugins, tests, missing);
        return;
    }
    if (!fs::is_regular_file(path, error)) {
        missing.push_back(path);
        return;
    }
    const std::string name = fs::path(path).filename().string();
    if (endsWith(name, ".d.lua")) return; // editor annotations, not a plugin
    if (endsWith(name, "_test.lua")) {
        tests.insert(path);
        plugins.insert(path.substr(0, path.size() - std::string("_test.lua").size()) + ".lua");
    } else {
        plugins.insert(path);
        const std::string test = path.substr(0, path.size() - 4) + "_test.lua";
        if (fs::is_regular_file(test, error)) tests.insert(test);
    }
}

/// The cases a test file returns, as JSON; throws CaseError when the file does not give a list of tables.
/// The file's top-level code runs in the scratch (a sandbox process with process isolation), as a
/// plugin's does: on the server it is text a district uploaded. It is wrapped as a plugin whose defaults
/// carry the cases, on the file's first line, so that line numbers in its errors stay the file's.
Array::Ptr loadCases(const std::string& code, const std::string& file, Scratch& scratch) {
    const std::string wrapped =
        "local __registry_cases = (function() " + code +
        "\nend)()\nreturn { name = \"registry.test-cases\", version = \"0\", checks = { price = function() end "
        "}, defaults = { cases = __registry_cases } }\n";
    const LoadResult loaded = scratch.load(wrapped, file, Object());
    if (!loaded.ok()) {
        std::string message = loaded.call.message;
        const std::string manifest = "manifest: defaults.cases";
        if (message.find(manifest) != std::string::npos)
            message = file + ": the cases cannot be read: " + message;
        else if (message.compare(0, file.size(), file) != 0)
            message = file + ": " + message;
        throw CaseError(message);
    }
    const Var cases = loaded.manifest.defaults->has("cases") ? loaded.manifest.defaults->get("cases") : Var();
    if (cases.type() != typeid(Array::Ptr)) throw CaseError(file + ": must return a list of cases");
    return cases.extract<Array::Ptr>();
}

/// Runs every case of `cases` on `plugin` in `scratch`, one outcome each, in order; adds the lines they
/// ran to `coverage`.
std::vector<CaseOutcome> runCases(const PluginSource& plugin, const Array& cases, Scratch& scratch, CaseLog& log,
                                  Coverage& coverage) {
    std::vector<CaseOutcome> outcomes;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        CaseOutcome outcome;
        outcome.name = "case " + std::to_string(i + 1);
        try {
            const Object::Ptr testCase = objectOf(cases.get(static_cast<unsigned>(i)), outcome.name);
            outcome.name = stringOr(*testCase, "name", outcome.name);
            const CaseResult result = runCase(plugin, *testCase, scratch, log);
            log.lines = nullptr;
            coverage.lines.insert(result.lines.begin(), result.lines.end());
            coverage.lines.insert(result.linesRun.begin(), result.linesRun.end());
            coverage.run.insert(result.linesRun.begin(), result.linesRun.end());
            outcome.ok = result.passed;
            for (const auto& note : result.notes) outcome.notes.push_back(note);
            for (const auto& line : result.log) outcome.notes.push_back("log: " + line);
        } catch (const std::exception& e) {
            log.lines = nullptr; // the case's result is gone
            outcome.ok = false;
            outcome.notes.push_back(std::string("bad case: ") + e.what());
        }
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

void runTestFile(const PluginSource& plugin, const std::string& file, Scratch& scratch, CaseLog& log,
                 std::ostream& out, Counts& counts) {
    std::string code;
    if (!readFile(file, code)) {
        out << "ERROR " << file << ": cannot read the file\n";
        ++counts.failed;
        return;
    }
    Array::Ptr cases;
    try {
        cases = loadCases(code, file, scratch);
    } catch (const CaseError& e) {
        out << "ERROR " << e.what() << "\n";
        ++counts.failed;
        return;
    }
    Coverage coverage;
    for (const auto& outcome : runCases(plugin, *cases, scratch, log, coverage)) {
        out << (outcome.ok ? "PASS " : "FAIL ") << file << ": " << outcome.name << "\n";
        for (const auto& note : outcome.notes) out << "     " << note << "\n";
        ++(outcome.ok ? counts.passed : counts.failed);
    }
    if (scratch.settings().coverage) {
        const std::string missed = coverage.notRun();
        out << "COVER " << plugin.file << ": " << coverage.summary() << (missed.empty() ? "" : ", not run: " + missed)
            << "\n";
    }
}

} // namespace

int runPluginTests(const std::vector<std::string>& paths, std::ostream& out, const HostSettings& settings) {
    std::set<std::string> plugins;
    std::set<std::string> tests;
    std::vector<std::string> missing;
    for (const auto& path : paths)
        collect(path, plugins, tests, missing);

    Counts counts;
    for (const auto& path : missing) {
        out << "ERROR " << path << ": no such file or directory\n";
        ++counts.failed;
    }
    CaseLog log; // lines of the case that runs; none while a plugin file is checked
    Scratch scratch(settings, [&log](const std::string&, const std::string& line) {
        if (log.lines) log.lines->push_back(line);
    });
    for (const auto& file : plugins) {
        std::string code;
        if (!readFile(file, code)) {
            out << "ERROR " << file << ": cannot read the file (a test file needs its plugin beside it)\n";
            ++counts.failed;
            continue;
        }
        log.lines = nullptr;
        const CheckedPlugin checked = checkPluginSource(code, file, scratch);
        if (!checked.source) {
            out << "ERROR " << checked.error << "\n";
            ++counts.failed;
            continue;
        }
        const std::string test = file.substr(0, file.size() - 4) + "_test.lua";
        if (tests.count(test))
            runTestFile(*checked.source, test, scratch, log, out, counts);
        else
            out << "NOTE  " << file << ": no tests (" << fs::path(test).filename().string() << ")\n";
    }
    out << counts.passed << " passed, " << counts.failed << " failed\n";
    return counts.failed == 0 ? 0 : 1;
}

std::string CaseOutcome::message() const {
    std::string text;
    for (const auto& note : notes) text += (text.empty() ? "" : "\n") + note;
    return text;
}

int Coverage::percent() const {
    if (lines.empty()) return 100;
    return static_cast<int>(run.size() * 100 / lines.size());
}

std::string Coverage::notRun() const {
    std::string text;
    int from = 0, to = -1; // the range being built
    const auto flush = [&] {
        if (to < from) return;
        text += (text.empty() ? "" : ", ") + std::to_string(from) + (to > from ? "-" + std::to_string(to) : "");
    };
    for (int line : lines) {
        if (run.count(line)) continue;
        if (to >= from && line == to + 1) {
            to = line;
            continue;
        }
        // A range goes on over lines without code (blank, comments) when nothing between ran.
        if (to >= from && run.lower_bound(to) == run.lower_bound(line)) {
            to = line;
            continue;
        }
        flush();
        from = to = line;
    }
    flush();
    return text;
}

std::string Coverage::summary() const {
    return std::to_string(run.size()) + " of " + std::to_string(lines.size()) + " lines (" +
           std::to_string(percent()) + "%)";
}

int SourceTestReport::passed() const {
    int n = 0;
    for (const auto& c : cases) n += c.ok ? 1 : 0;
    return n;
}

SourceTestReport testPluginSource(const std::string& code, const std::string& file, const std::string& testsCode,
                                  const HostSettings& settings) {
    SourceTestReport report;
    CaseLog log;
    Scratch scratch(settings, [&log](const std::string&, const std::string& line) {
        if (log.lines) log.lines->push_back(line);
    });
    const std::string testsFile = file.substr(0, file.size() - 4) + "_test.lua";
    Array::Ptr cases;
    try {
        cases = loadCases(testsCode, testsFile, scratch);
    } catch (const CaseError& e) {
        report.testsError = e.what();
    }
    CheckedPlugin checked = checkPluginSource(code, file, scratch);
    if (!checked.source) {
        report.loadError = checked.error;
        return report;
    }
    report.plugin = checked.source;
    if (cases) report.cases = runCases(*checked.source, *cases, scratch, log, report.coverage);
    return report;
}

int checkPlugin(const std::string& file, std::ostream& out, const HostSettings& settings) {
    std::string code;
    if (!readFile(file, code)) {
        out << "error: cannot read " << file << "\n";
        return 1;
    }
    std::vector<std::string> printed;
    const CheckedPlugin checked = checkPluginSource(
        code, file, settings, [&](const std::string&, const std::string& line) { printed.push_back(line); });
    if (!checked.source) {
        out << "error: " << checked.error << "\n";
        return 1;
    }
    const PluginSource& plugin = *checked.source;
    auto join = [](const std::vector<std::string>& items) {
        std::string text;
        for (const auto& item : items)
            text += (text.empty() ? "" : ", ") + item;
        return text;
    };
    std::vector<std::string> districts;
    for (const auto& code : plugin.districts) {
        const domain::District* d = domain::findDistrict(code);
        districts.push_back(d ? code + " " + d->nameZh : code);
    }
    std::ostringstream config;
    plugin.config->stringify(config);
    out << "ok: " << file << "\n"
        << "  name:        " << plugin.manifest.name << "\n"
        << "  version:     " << plugin.manifest.version << "\n"
        << "  description: " << plugin.manifest.description << "\n"
        << "  districts:   " << (districts.empty() ? "citywide" : join(districts)) << "\n"
        << "  hooks:       " << join(plugin.manifest.hooks) << "\n"
        << "  config:      " << config.str() << "\n"
        << "  sha256:      " << plugin.sha256 << "\n";
    for (const auto& line : printed)
        out << "  print:       " << line << "\n";
    return 0;
}

} // namespace registry::plugins
