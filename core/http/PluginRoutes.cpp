// /api/v1/plugins: which district rules run, reloading them after an edit (service::Plugins), and the
// managed versions district IT submit, activate and roll back (service::PluginVersions).

#include "codec/RecordJson.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "service/PluginVersions.h"
#include "service/Plugins.h"

#include <Poco/JSON/Parser.h>

namespace registry::http {

namespace {

Poco::Dynamic::Var orNull(const std::optional<std::string>& value) {
    return value ? Poco::Dynamic::Var(*value) : Poco::Dynamic::Var();
}

/// A version as API.md lists it; `whole` adds its source and test file.
Poco::JSON::Object::Ptr versionJson(const domain::PluginVersion& v, bool whole) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", v.name);
    o->set("version", v.version);
    o->set("sha256", v.sha256);
    o->set("status", domain::toString(v.status));
    Poco::JSON::Array::Ptr districts = new Poco::JSON::Array;
    for (const auto& d : v.districts) districts->add(d);
    o->set("districts", districts);
    o->set("submitted_by", v.submittedBy);
    o->set("submitted_at", v.submittedAt);
    o->set("activated_by", orNull(v.activatedBy));
    o->set("activated_at", orNull(v.activatedAt));
    try {
        o->set("tests", codec::parseStored(v.testsJson));
    } catch (const Poco::Exception&) {
        o->set("tests", Poco::Dynamic::Var());
    }
    o->set("note", orNull(v.note));
    if (whole) {
        o->set("source", v.source);
        o->set("tests_source", v.testsSource);
    }
    return o;
}

/// The plugin name in the path: dotted, or no such plugin can exist.
const std::string& pluginName(Exchange& ex) {
    const std::string& name = ex.pathParam("name");
    if (!plugins::isDottedName(name)) throw HttpError::notFound(ex.request().getURI());
    return name;
}

std::string textField(const Poco::JSON::Object& body, const std::string& key, domain::FieldErrors& errors) {
    if (!body.has(key) || body.get(key).isEmpty()) return "";
    if (!body.get(key).isString()) {
        errors.push_back({key, "type", key + " 须为字符串", key + " must be a string"});
        return "";
    }
    return body.getValue<std::string>(key);
}

} // namespace

void addPluginRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/plugins", [&context](Exchange& ex) {
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        service::Plugins plugins(context.services());
        const auto sandbox = plugins.sandbox(); // the same for every plugin: they run in the same processes
        for (const auto& p : plugins.list(ex.principal())) {
            auto item = plugins::toJson(p);
            item->set("sandbox", sandbox);
            out->add(item);
        }
        ex.sendJson(200, out);
    });

    router.add("POST", "/api/v1/plugins/reload", [&context](Exchange& ex) {
        const auto reloaded = service::Plugins(context.services()).reload(ex.principal());
        const auto& report = reloaded.report;
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        out->set("active", report.active);
        out->set("failed", report.failed);
        out->set("changed", report.changed);
        if (!report.error.empty()) out->set("error", report.error);
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& p : reloaded.plugins) list->add(plugins::toJson(p));
        out->set("plugins", list);
        ex.sendJson(200, out);
    });

    router.add("POST", "/api/v1/plugins", [&context](Exchange& ex) {
        const auto body = ex.jsonBody();
        domain::FieldErrors errors;
        service::PluginSubmission submission;
        submission.source = textField(*body, "source", errors);
        submission.tests = textField(*body, "tests", errors);
        const std::string note = textField(*body, "note", errors);
        if (!note.empty()) submission.note = note;
        for (const auto& [key, value] : *body)
            if (key != "source" && key != "tests" && key != "note")
                errors.push_back({key, "unknown", "未知字段 " + key, "unknown field " + key});
        if (!errors.empty()) throw HttpError::unprocessable(errors);
        const auto submitted = service::PluginVersions(context.services()).submit(ex.principal(), submission);
        ex.sendJson(submitted.existed ? 200 : 201, versionJson(submitted.version, false));
    });

    router.add("GET", "/api/v1/plugins/{name}/versions", [&context](Exchange& ex) {
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& v : service::PluginVersions(context.services()).versions(ex.principal(), pluginName(ex)))
            items->add(versionJson(v, false));
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("items", items);
        ex.sendJson(200, out);
    });

    router.add("GET", "/api/v1/plugins/{name}/versions/{version}", [&context](Exchange& ex) {
        const auto v = service::PluginVersions(context.services())
                           .version(ex.principal(), pluginName(ex), ex.pathParam("version"));
        ex.sendJson(200, versionJson(v, true));
    });

    router.add("POST", "/api/v1/plugins/{name}/versions/{version}/dry-run", [&context](Exchange& ex) {
        const auto run = service::PluginVersions(context.services())
                             .dryRun(ex.principal(), pluginName(ex), ex.pathParam("version"));
        ex.response().set("Location", "/api/v1/audits/" + std::to_string(run.id)); // followed like any audit
        ex.sendJson(202, codec::toJson(run));
    });

    router.add("POST", "/api/v1/plugins/{name}/versions/{version}/activate", [&context](Exchange& ex) {
        const auto v = service::PluginVersions(context.services())
                           .activate(ex.principal(), pluginName(ex), ex.pathParam("version"));
        ex.sendJson(200, versionJson(v, false));
    });

    router.add("POST", "/api/v1/plugins/{name}/deactivate", [&context](Exchange& ex) {
        service::PluginVersions(context.services()).deactivate(ex.principal(), pluginName(ex));
        ex.sendNoContent();
    });
}

} // namespace registry::http
