// For district IT: which plugins run (and reloading them); for admins: the users and a form to add one.

#include "codec/RecordDecode.h"
#include "service/Refusal.h"
#include "service/Plugins.h"
#include "service/Users.h"
#include "web/Forms.h"
#include "web/Views.h"

namespace registry::web {
namespace {

void pluginsPage(WebUi& ui, Request& req, const std::string& notice = "") {
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
                                  {"error", p.error},
                                  {"loaded_at", timeText(req, p.loadedAt)}});
    }
    mstch::map view{{"rows", rows}, {"enabled", plugins.enabled()}, {"may_reload", plugins.mayReload(req.principal())}};
    if (!notice.empty()) view["notice"] = notice;
    ui.render(req, "plugins", view, 200, "plugins_title");
}

Form userForm(const Request& req) {
    return Form({
        {"username", "username", FieldKind::Text, true, {}, "hint_username"},
        {"display_name", "display_name", FieldKind::Text, false, {}, ""},
        {"role", "role", FieldKind::Select, true, enumOptions<domain::Role>(req, true), ""},
        {"district", "user_district", FieldKind::Select, false, districtOptions(req, false), "hint_user_district"},
        {"password", "password", FieldKind::Password, true, {}, "hint_password"},
    });
}

void usersPage(WebUi& ui, Request& req, Form form, int status) {
    const auto users = service::Users(ui.services()).list(req.principal(), req.page());
    mstch::array rows;
    for (const auto& u : users.items)
        rows.push_back(mstch::map{{"username", u.username},
                                  {"display_name", u.displayName},
                                  {"role", enumLabel(req, u.role)},
                                  {"district", u.district ? districtName(req, *u.district) : req.t("citywide")},
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
            draft.user = codec::decodeUser(*form.toJson(), decodeErrors, true, draft.password);
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
    ui.get("/users", [&ui](Request& req) { usersPage(ui, req, userForm(req), 200); });
    ui.post("/users", [&ui](Request& req) { addUser(ui, req); });
}

} // namespace registry::web
