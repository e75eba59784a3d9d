#include "service/PluginVersions.h"

#include "service/AuditService.h"

#include "domain/District.h"
#include "domain/FieldError.h"
#include "domain/LogText.h"
#include "service/Permissions.h"
#include "service/Refusal.h"
#include "store/Errors.h"
#include "store/PluginVersionRepository.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

namespace registry::service {

using domain::PluginVersion;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

/// The refusal of a submission whose tests did not all pass: one field error per failing case, and the
/// whole run (every case) beside them.
class TestsFailed : public Refusal {
public:
    TestsFailed(domain::FieldErrors errors, Object::Ptr tests)
        : Refusal(RefusalKind::Invalid, "插件测试未全部通过,未保存", "the plugin's tests did not all pass; nothing was stored",
                  std::move(errors)),
          _tests(std::move(tests)) {}
    Object::Ptr extraJson() const override {
        Object::Ptr extra = new Object;
        extra->set("tests", _tests);
        return extra;
    }

private:
    Object::Ptr _tests;
};

Invalid invalid(const std::string& field, const std::string& code, const std::string& zh, const std::string& en) {
    return Invalid({{field, code, zh, en}});
}

/// The part of a name before its first dot: "common" or a district's pinyin.
std::string folderOfName(const std::string& name) { return name.substr(0, name.find('.')); }

} // namespace

Object::Ptr testsJson(const plugins::SourceTestReport& report) {
    Object::Ptr out = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    out->set("passed", report.passed());
    out->set("failed", report.failed());
    Array::Ptr cases = new Array;
    for (const auto& c : report.cases) {
        Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("name", c.name);
        item->set("ok", c.ok);
        item->set("message", c.message());
        cases->add(item);
    }
    out->set("cases", cases);
    // Which lines the cases ran, as `plugin test --coverage` prints it.
    Object::Ptr coverage = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    coverage->set("lines", report.coverage.lines.size());
    coverage->set("covered", report.coverage.run.size());
    coverage->set("percent", report.coverage.percent());
    coverage->set("not_run", report.coverage.notRun());
    out->set("coverage", coverage);
    return out;
}

std::optional<std::string> PluginVersions::targetOf(const std::string& name) const {
    const std::string folder = folderOfName(name);
    if (folder == "common") return std::nullopt;
    if (const auto* district = domain::findDistrictByPinyin(folder)) return district->code;
    throw invalid("name", "folder", "插件名须以 common. 或本区拼音开头(如 haidian.)",
                  "a plugin's name must start with common. or a district's pinyin (haidian., ...)");
}

SubmittedVersion PluginVersions::submit(const Principal& who, const PluginSubmission& input) {
    requireOwn(who, Action::ManagePlugins);
    if (!_c.plugins) throw Unavailable("本服务未加载插件", "this server runs without plugins");
    // A file saved by Windows Notepad starts with a byte order mark, which Lua does not read.
    PluginSubmission submission = input;
    for (auto* text : {&submission.source, &submission.tests})
        if (text->rfind("\xEF\xBB\xBF", 0) == 0) text->erase(0, 3);
    domain::FieldErrors errors;
    if (submission.source.size() <= kMaxSourceBytes && !domain::utf8Length(submission.source))
        errors.push_back({"source", "encoding", "插件源码须为 UTF-8 文本(不含控制字符):请用 UTF-8 编码保存后再上传",
                          "the source must be UTF-8 text without control characters: save it as UTF-8 and upload it again"});
    if (submission.tests.size() <= kMaxSourceBytes && !domain::utf8Length(submission.tests))
        errors.push_back({"tests", "encoding", "测试文件须为 UTF-8 文本(不含控制字符):请用 UTF-8 编码保存后再上传",
                          "the tests must be UTF-8 text without control characters: save them as UTF-8 and upload again"});
    if (submission.source.empty())
        errors.push_back({"source", "required", "请提供插件源码", "source is required"});
    if (submission.tests.empty())
        errors.push_back({"tests", "required", "请提供测试文件:没有测试的版本不能提交",
                          "tests are required: a version without tests is refused"});
    if (submission.source.size() > kMaxSourceBytes || submission.tests.size() > kMaxSourceBytes)
        errors.push_back({submission.source.size() > kMaxSourceBytes ? "source" : "tests", "max_length",
                          "源码或测试不能超过 256 KB", "source and tests may be at most 256 KB each"});
    failIfInvalid(errors);

    const auto& settings = _c.plugins->settings();
    // First its name (a file outside any folder is held to none), to know whose it is and where it goes.
    const auto named = plugins::checkPluginSource(submission.source, "submitted.lua", settings,
                                                  [](const std::string&, const std::string&) {});
    if (!named.source)
        throw invalid("source", "load", "插件无法加载:" + named.error, "the plugin does not load: " + named.error);
    const std::string name = named.source->manifest.name;
    const std::string number = named.source->manifest.version;
    const auto target = targetOf(name);
    require(who, Action::ManagePlugins, target);

    PluginVersion v;
    v.name = name;
    v.version = number;
    v.folder = folderOfName(name);
    v.source = submission.source;
    v.testsSource = submission.tests;
    v.sha256 = plugins::sha256Hex(submission.source);
    v.note = submission.note;

    // Then in its folder, as it will run: placed, and its tests run against it, all in the sandbox.
    auto testing = settings;
    testing.coverage = true;
    const auto report = plugins::testPluginSource(v.source, v.file(), v.testsSource, testing);
    if (!report.plugin)
        throw invalid("source", "load", "插件无法加载:" + report.loadError, "the plugin does not load: " + report.loadError);
    const auto tests = testsJson(report);
    if (!report.testsError.empty())
        throw TestsFailed({{"tests", "load", "测试文件无法读取:" + report.testsError,
                            "the test file cannot be read: " + report.testsError}},
                          tests);
    if (report.cases.empty())
        throw TestsFailed({{"tests", "empty", "测试文件没有测试用例", "the test file has no cases"}}, tests);
    if (report.failed() > 0) {
        domain::FieldErrors failing;
        for (const auto& c : report.cases)
            if (!c.ok)
                failing.push_back({"tests", "case_failed", "测试用例未通过:" + c.name + ":" + c.message(),
                                   "test case failed: " + c.name + ": " + c.message()});
        throw TestsFailed(std::move(failing), tests);
    }
    v.districts = report.plugin->districts;
    v.testsJson = codec::stringify(tests);
    try {
        const auto created = store::PluginVersionRepository(_c.db).create(v, who.username);
        return {created.version, created.existed};
    } catch (const store::Conflict<PluginVersion>& e) {
        throw Refusal(RefusalKind::Conflict,
                      "插件 " + name + " 的版本 " + number + " 已提交过另一份内容:请改用新的版本号",
                      "plugin " + name + " version " + number +
                          " was submitted before with another text: give this one a new version number");
    }
}

std::vector<PluginVersion> PluginVersions::versions(const Principal& who, const std::string& name) {
    require(who, Action::Read, targetOf(name));
    auto all = store::PluginVersionRepository(_c.db).versions(name);
    if (all.empty()) throw NotFound("plugin " + name);
    return all;
}

PluginVersion PluginVersions::version(const Principal& who, const std::string& name, const std::string& version) {
    require(who, Action::Read, targetOf(name));
    auto found = store::PluginVersionRepository(_c.db).find(name, version);
    if (!found) throw NotFound("plugin version " + name + " " + version);
    return *found;
}

domain::AuditRun PluginVersions::dryRun(const Principal& who, const std::string& name, const std::string& version) {
    const auto target = targetOf(name);
    require(who, Action::ManagePlugins, target);
    if (!store::PluginVersionRepository(_c.db).find(name, version))
        throw NotFound("plugin version " + name + " " + version);
    if (!_c.audits)
        throw Unavailable("本服务未加载插件,不能试运行", "this server runs without plugins, so it cannot run a dry run");
    return _c.audits->requestDryRun(name, version, target, who.username);
}

PluginVersion PluginVersions::activate(const Principal& who, const std::string& name, const std::string& version) {
    require(who, Action::ManagePlugins, targetOf(name));
    PluginVersion active;
    try {
        active = store::PluginVersionRepository(_c.db).activate(name, version, who.username);
    } catch (const store::NotFound&) {
        throw NotFound("plugin version " + name + " " + version);
    }
    if (_c.plugins) loadManagedPlugins(_c.db, *_c.plugins);
    return active;
}

void PluginVersions::deactivate(const Principal& who, const std::string& name) {
    require(who, Action::ManagePlugins, targetOf(name));
    if (!store::PluginVersionRepository(_c.db).deactivate(name, who.username))
        throw NotFound("active version of plugin " + name);
    if (_c.plugins) loadManagedPlugins(_c.db, *_c.plugins);
}

plugins::LoadReport loadManagedPlugins(store::Database& db, plugins::PluginHost& host) {
    std::vector<plugins::ManagedSource> managed;
    for (const auto& v : store::PluginVersionRepository(db).active()) managed.push_back({v.file(), v.source});
    const auto report = host.registry().setManaged(std::move(managed));
    if (report.changed) {
        auto& log = Poco::Logger::get("registry.plugins");
        log.information("managed plugins loaded: %z active, %z failed", report.active, report.failed);
        // An instance that cannot load a version says so here, where its operator looks.
        for (const auto& status : host.registry().list())
            if (status.managed && !status.error.empty())
                log.warning("plugin %s did not load on this instance: %s", status.name, domain::logSafe(status.error));
    }
    return report;
}

PluginSync::PluginSync(store::Database& db, plugins::PluginHost& host, long intervalMs)
    : _db(db), _host(host), _timer(intervalMs, intervalMs) {
    poll();
    if (intervalMs > 0) _timer.start(Poco::TimerCallback<PluginSync>(*this, &PluginSync::tick));
}

PluginSync::~PluginSync() { _timer.stop(); }

bool PluginSync::poll() {
    const long long generation = store::PluginVersionRepository(_db).generation();
    if (generation == _seen.load()) return false;
    loadManagedPlugins(_db, _host);
    _seen = generation;
    return true;
}

void PluginSync::tick(Poco::Timer&) {
    try {
        poll();
    } catch (const std::exception& e) {
        // The database may be down for a while: the plugins that run go on, and the next tick tries again.
        Poco::Logger::get("registry.plugins").warning("managed plugins not synced: %s", domain::logSafe(e.what()));
    }
}

} // namespace registry::service
