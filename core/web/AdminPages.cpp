// For district IT: which plugins run (and reloading them); for admins: the users and a form to add one.

#include "codec/RecordDecode.h"
#include "codec/RecordJson.h"
#include "service/Refusal.h"
#include "service/Facilities.h"
#include "service/PluginVersions.h"
#include "service/Plugins.h"
#include "service/Users.h"
#include "web/Forms.h"
#include "web/Views.h"

#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace registry::web {
namespace {

Form uploadForm() {
    return Form({
        {"source", "plugin_source", FieldKind::TextArea, false, {}, "hint_plugin_source"},
        {"tests", "plugin_tests", FieldKind::TextArea, false, {}, "hint_plugin_tests"},
        {"note", "plugin_note", FieldKind::Text, false, {}, ""},
    });
}

/// The cases of a test run ({"passed","failed","cases"}) for the page.
mstch::array caseRows(const Poco::JSON::Object::Ptr& tests) {
    mstch::array rows;
    const auto cases = tests ? tests->getArray("cases") : nullptr;
    for (std::size_t i = 0; cases && i < cases->size(); ++i) {
        const auto c = cases->getObject(static_cast<unsigned>(i));
        rows.push_back(mstch::map{{"name", c->optValue<std::string>("name", "")},
                                  {"ok", c->optValue<bool>("ok", false)},
                                  {"message", c->optValue<std::string>("message", "")}});
    }
    return rows;
}

/// "12/15 (80%)" and the lines not run ("7, 9-12"), from a version's stored test results; empty when they
/// carry no coverage (versions submitted before it was measured).
std::pair<std::string, std::string> coverageText(const Poco::JSON::Object::Ptr& tests) {
    const auto coverage = tests ? tests->getObject("coverage") : nullptr;
    if (!coverage) return {};
    return {std::to_string(coverage->optValue<long long>("covered", 0)) + "/" +
                std::to_string(coverage->optValue<long long>("lines", 0)) + " (" +
                std::to_string(coverage->optValue<long long>("percent", 0)) + "%)",
            coverage->optValue<std::string>("not_run", "")};
}

void pluginsPage(WebUi& ui, Request& req, const std::string& notice = "", Form form = uploadForm(),
                 Poco::JSON::Object::Ptr tests = nullptr, int status = 200) {
    service::Plugins plugins(ui.services());
    mstch::array rows;
    for (const auto& p : plugins.list(req.principal())) {
        std::string districts;
        for (const auto& d : p.districts) districts += (districts.empty() ? "" : "、") + districtName(req, d);
        std::string hooks;
        for (const auto& h : p.hooks) hooks += (hooks.empty() ? "" : ", ") + h;
        rows.push_back(mstch::map{{"name", p.name},
                                  {"file", p.file},
                                  {"version", p.version},
                                  {"districts", districts.empty() ? req.t("citywide") : districts},
                                  {"hooks", hooks},
                                  {"active", p.active},
                                  {"uploaded", p.managed},
                                  {"error", p.error},
                                  {"loaded_at", timeText(req, p.loadedAt)}});
    }
    mstch::map view{{"rows", rows}, {"enabled", plugins.enabled()}, {"may_reload", plugins.mayReload(req.principal())},
                    {"may_manage", plugins.enabled() && plugins.mayReload(req.principal())}};
    if (!notice.empty()) view["notice"] = notice;
    const auto cases = caseRows(tests);
    view["cases"] = cases;
    view["has_cases"] = !cases.empty();
    const auto [covered, notRun] = coverageText(tests);
    view["coverage"] = covered;
    view["not_run"] = notRun;
    form.into(req, view);
    ui.render(req, "plugins", view, status, "plugins_title");
}

void submitVersion(WebUi& ui, Request& req) {
    Form form = uploadForm();
    form.fillFrom(req);
    // A chosen file stands for the text area beside it, and fills it if the page comes back.
    for (const auto& [field, fileField] : {std::pair{"source", "source_file"}, std::pair{"tests", "tests_file"}})
        if (const auto* file = req.file(fileField)) form.set(field, file->content);
    service::PluginSubmission submission;
    submission.source = form.value("source");
    submission.tests = form.value("tests");
    if (!form.value("note").empty()) submission.note = form.value("note");
    try {
        const auto submitted = service::PluginVersions(ui.services()).submit(req.principal(), submission);
        return ui.redirect(req, "/plugins/" + submitted.version.name + "?msg=submitted");
    } catch (const service::Refusal& e) {
        if (e.kind() != service::RefusalKind::Invalid && e.kind() != service::RefusalKind::Conflict) throw;
        if (e.errors().empty()) form.addError("source", req.en() ? e.messageEn() : e.messageZh());
        form.addErrors(req, e.errors());
        const auto extra = e.extraJson();
        pluginsPage(ui, req, "", std::move(form), extra ? extra->getObject("tests") : nullptr,
                    e.kind() == service::RefusalKind::Conflict ? 409 : 422);
    }
}

void versionsPage(WebUi& ui, Request& req) {
    const std::string name = req.pathParam("name");
    service::PluginVersions versions(ui.services());
    mstch::array rows;
    bool anyActive = false;
    for (const auto& v : versions.versions(req.principal(), name)) {
        const bool active = v.status == domain::PluginVersionStatus::Active;
        anyActive = anyActive || active;
        Poco::JSON::Object::Ptr tests;
        try {
            tests = codec::parseStored(v.testsJson).extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception&) {
        }
        const auto [covered, notRun] = coverageText(tests);
        rows.push_back(mstch::map{
            {"version", v.version},
            {"status", req.t(std::string("plugin_version_") + domain::toString(v.status))},
            {"active", active},
            {"submitted_by", v.submittedBy},
            {"submitted_at", timeText(req, v.submittedAt)},
            {"activated_at", v.activatedAt ? timeText(req, *v.activatedAt) : std::string("—")},
            {"passed", std::to_string(tests ? tests->optValue<long long>("passed", 0) : 0)},
            {"coverage", covered.empty() ? std::string("—") : covered},
            {"not_run", notRun},
            {"sha256", v.sha256.substr(0, 12)},
            {"note", v.note.value_or("")}});
    }
    mstch::map view{{"name", name}, {"rows", rows}, {"any_active", anyActive},
                    {"title", req.t("plugin_versions_title") + " " + name}};
    const auto msg = req.query("msg").value_or("");
    if (msg == "submitted" || msg == "activated" || msg == "deactivated") view["notice"] = req.t("msg_plugin_" + msg);
    ui.render(req, "plugin_versions", view, 200);
}

} // namespace

namespace {

Form userForm(const Request& req) {
    return Form({
        {"username", "username", FieldKind::Text, true, {}, "hint_username"},
        {"display_name", "display_name", FieldKind::Text, false, {}, ""},
        {"role", "role", FieldKind::Select, true, enumOptions<domain::Role>(req, true), ""},
        {"district", "user_district", FieldKind::Select, false, districtOptions(req, false), "hint_user_district"},
        {"facility_id", "user_facility", FieldKind::Text, false, {}, "hint_user_facility"},
        {"email", "user_email", FieldKind::Text, false, {}, "hint_user_email"},
        {"password", "password", FieldKind::Password, true, {}, "hint_password"},
    });
}

/// The facility field takes what people see on a facility's page: its code (F-110108-0007), or its number.
/// A code that names no facility the admin can see is left as it is, for the error to name it.
void facilityByCode(WebUi& ui, Request& req, Poco::JSON::Object& body) {
    if (!body.has("facility_id")) return;
    const auto text = Poco::trim(body.getValue<std::string>("facility_id"));
    Poco::Int64 id = 0;
    if (Poco::NumberParser::tryParse64(text, id)) {
        body.set("facility_id", static_cast<long long>(id));
        return;
    }
    service::FacilityFilter filter;
    filter.q = text;
    service::PageRequest page;
    page.limit = 20;
    for (const auto& f : service::Facilities(ui.services()).list(req.principal(), filter, page).items)
        if (f.code == text) {
            body.set("facility_id", static_cast<long long>(f.id));
            return;
        }
}

void usersPage(WebUi& ui, Request& req, Form form, int status) {
    const auto users = service::Users(ui.services()).list(req.principal(), req.page());
    mstch::array rows;
    for (const auto& u : users.items)
        rows.push_back(mstch::map{{"username", u.username},
                                  {"display_name", u.displayName},
                                  {"role", enumLabel(req, u.role)},
                                  {"district", u.district ? districtName(req, *u.district) : req.t("citywide")},
                                  {"facility", u.facilityId ? std::to_string(*u.facilityId) : std::string()},
                                  {"email", u.email.value_or("")},
                                  {"active", u.active}});
    mstch::map view{{"rows", rows}, {"next", nextPageLink(req, users.nextAfterId)}, {"action", std::string("/users")}};
    if (req.query("msg") == std::optional<std::string>("created")) view["notice"] = req.t("msg_user_created");
    form.set("password", ""); // never sent back
    form.into(req, view);
    ui.render(req, "users", view, status, "users_title");
}

void addUser(WebUi& ui, Request& req) {
    Form form = userForm(req);
    try {
        service::Users(ui.services()).create(req.principal(), [&] {
            form.fillFrom(req);
            domain::Validator decodeErrors;
            service::UserDraft draft;
            auto body = form.toJson();
            facilityByCode(ui, req, *body);
            draft.user = codec::decodeUser(*body, decodeErrors, true, draft.password);
            return service::Draft<service::UserDraft>{std::move(draft), decodeErrors.take()};
        });
        return ui.redirect(req, "/users?msg=created");
    } catch (const service::Invalid& e) {
        form.addErrors(req, e.errors());
    }
    usersPage(ui, req, std::move(form), 422);
}

} // namespace

void addAdminPages(WebUi& ui) {
    ui.get("/plugins", [&ui](Request& req) { pluginsPage(ui, req); });
    ui.post("/plugins/reload", [&ui](Request& req) {
        const auto report = service::Plugins(ui.services()).reload(req.principal()).report;
        pluginsPage(ui, req, req.t("msg_plugins_reloaded") + " " + std::to_string(report.active) + " / " +
                                 std::to_string(report.failed));
    });
    ui.post("/plugins/versions", [&ui](Request& req) { submitVersion(ui, req); });
    ui.get("/plugins/{name}", [&ui](Request& req) { versionsPage(ui, req); });
    ui.post("/plugins/{name}/versions/{version}/dry-run", [&ui](Request& req) {
        const auto run = service::PluginVersions(ui.services())
                             .dryRun(req.principal(), req.pathParam("name"), req.pathParam("version"));
        ui.redirect(req, "/audits/" + std::to_string(run.id));
    });
    ui.post("/plugins/{name}/versions/{version}/activate", [&ui](Request& req) {
        service::PluginVersions(ui.services()).activate(req.principal(), req.pathParam("name"), req.pathParam("version"));
        ui.redirect(req, "/plugins/" + req.pathParam("name") + "?msg=activated");
    });
    ui.post("/plugins/{name}/deactivate", [&ui](Request& req) {
        service::PluginVersions(ui.services()).deactivate(req.principal(), req.pathParam("name"));
        ui.redirect(req, "/plugins/" + req.pathParam("name") + "?msg=deactivated");
    });
    ui.get("/users", [&ui](Request& req) { usersPage(ui, req, userForm(req), 200); });
    ui.post("/users", [&ui](Request& req) { addUser(ui, req); });
}

} // namespace registry::web
