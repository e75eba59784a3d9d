// For district IT: which plugins run (and reloading them); for admins: the users and a form to add one.

#include "codec/RecordDecode.h"
#include "store/Errors.h"
#include "store/UserRepository.h"
#include "web/Forms.h"
#include "web/Views.h"

namespace registry::web {
namespace {

using auth::Action;

void pluginsPage(WebUi& ui, Request& req, const std::string& notice = "") {
    mstch::array rows;
    if (ui.api().plugins)
        for (const auto& p : ui.api().plugins->plugins()) {
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
    mstch::map view{{"rows", rows},
                    {"enabled", ui.api().plugins != nullptr},
                    {"may_reload", auth::decide(req.principal(), Action::ManagePlugins) == auth::Decision::Allow}};
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
    req.require(Action::ManageUsers);
    store::PageRequest page = req.page();
    const auto users = store::UserRepository(ui.api().db).list(page);
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
    req.require(Action::ManageUsers);
    Form form = userForm(req);
    form.fillFrom(req);
    domain::Validator decodeErrors;
    std::optional<std::string> password;
    auto user = codec::decodeUser(*form.toJson(), decodeErrors, true, password);
    auto validation = domain::validate(user);
    if (password)
        if (auto err = domain::checkPassword(*password)) validation.push_back(*err);
    form.addErrors(req, mergeErrors(decodeErrors, validation));
    if (form.ok()) {
        try {
            store::UserRepository(ui.api().db)
                .create(user, ui.api().authenticator.hasher().hash(*password), req.principal().username);
            return ui.redirect(req, "/users?msg=created");
        } catch (const store::ValidationFailed& e) {
            form.addErrors(req, e.errors());
        }
    }
    usersPage(ui, req, std::move(form), 422);
}

} // namespace

void addAdminPages(WebUi& ui) {
    ui.get("/plugins", [&ui](Request& req) { pluginsPage(ui, req); });
    ui.post("/plugins/reload", [&ui](Request& req) {
        req.require(Action::ManagePlugins);
        if (!ui.api().plugins) throw store::NotFound("plugins");
        const auto report = ui.api().plugins->reload();
        pluginsPage(ui, req, req.t("msg_plugins_reloaded") + " " + std::to_string(report.active) + " / " +
                                 std::to_string(report.failed));
    });
    ui.get("/users", [&ui](Request& req) { usersPage(ui, req, userForm(req), 200); });
    ui.post("/users", [&ui](Request& req) { addUser(ui, req); });
}

} // namespace registry::web
