#include "web/WebUi.h"

#include "http/RequestMetrics.h"
#include "http/Responses.h"
#include "service/Permissions.h"

#include "auth/Tokens.h"
#include "domain/District.h"
#include "domain/LogText.h"
#include "plugins/WorkerPool.h"
#include "store/Database.h"
#include "store/Errors.h"
#include "web/Assets.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace registry::web {
namespace {

using Poco::Net::HTTPResponse;

const std::string kSessionCookie = "registry_session";
const std::string kLoginCookie = "registry_login";
const std::string kLangCookie = "registry_lang";

/// Keeps every file part of a multipart form, by field and in posted order (a field may hold several).
class UploadHandler : public Poco::Net::PartHandler {
public:
    explicit UploadHandler(Request& request) : _request(request) {}
    void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
        std::string disposition;
        Poco::Net::NameValueCollection params;
        Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, params);
        Request::UploadedFile file{params.get("filename", ""), header.get("Content-Type", ""), {}};
        // StreamCopier reads the part to its boundary only; `out << stream.rdbuf()` lost the parts after it.
        Poco::StreamCopier::copyToString(stream, file.content);
        _request.files[params.get("name", "")].push_back(std::move(file));
    }

private:
    Request& _request;
};

std::string cookie(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    return cookies.get(name, "");
}

/// A path inside this site to go back to after signing in; "/" for anything else. No control character
/// at all: CR/LF would reach the Location header, and browsers drop tabs and newlines from a URL, so that
/// "/\t/evil.example" is "//evil.example", another site. No backslash either: browsers read it as "/".
std::string localPath(const std::string& next) {
    if (next.empty() || next[0] != '/') return "/";
    for (const char c : next) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || c == '\\') return "/";
    }
    if (next.size() > 1 && next[1] == '/') return "/";
    return next;
}

class WebHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit WebHandler(std::shared_ptr<WebUi> web) : _web(std::move(web)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        _web->handle(request, response);
    }

private:
    std::shared_ptr<WebUi> _web;
};

} // namespace

std::string Request::t(const std::string& key) const { return message(lang, key); }

const Session& Request::signedInSession() const {
    if (!session) throw http::HttpError::unauthorized();
    return *session;
}

std::string Request::field(const std::string& name) const { return form.get(name, ""); }

const Request::UploadedFile* Request::file(const std::string& name) const {
    const auto found = files.find(name);
    if (found == files.end()) return nullptr;
    for (const auto& f : found->second)
        if (!f.fileName.empty()) return &f;
    return nullptr;
}

std::vector<const Request::UploadedFile*> Request::filesOf(const std::string& name) const {
    std::vector<const UploadedFile*> out;
    if (const auto found = files.find(name); found != files.end())
        for (const auto& f : found->second)
            if (!f.fileName.empty()) out.push_back(&f);
    return out;
}

const audit::TimeZone& Request::timeZone() const {
    static const audit::TimeZone fallback(WebSettings{}.timeZone);
    return _timeZone ? *_timeZone : fallback;
}

std::vector<std::string> Request::fieldValues(const std::string& name) const {
    std::vector<std::string> out;
    for (auto it = form.find(name); it != form.end() && Poco::icompare(it->first, name) == 0; ++it)
        out.push_back(it->second);
    return out;
}

WebUi::WebUi(http::ApiContext& api, WebSettings settings)
    : _api(api), _settings(std::move(settings)), _timeZone(_settings.timeZone),
      _sessions(api.db, api.authenticator, _settings.idleMinutes, _settings.sessionMaxMinutes) {
    loadLeaflet();
    for (const std::string folder : {"/static/leaflet/{name}", "/static/leaflet/images/{name}"})
        get(folder, [this, folder](Request& req) {
            const std::string file = (folder.find("/images/") != std::string::npos ? "images/" : "") + req.pathParam("name");
            const auto found = _leaflet.find(file);
            if (found == _leaflet.end()) throw store::NotFound("asset");
            auto& response = req.response();
            const auto ends = [&](const std::string& suffix) {
                return file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
            };
            response.setContentType(ends(".js") ? "text/javascript; charset=utf-8" : ends(".css") ? "text/css; charset=utf-8" : "image/png");
            response.set("Cache-Control", "public, max-age=86400");
            response.set("X-Content-Type-Options", "nosniff");
            response.setContentLength(static_cast<std::streamsize>(found->second.size()));
            response.send() << found->second;
        }, false);
    get("/static/{name}", [](Request& req) {
        const auto found = embeddedAssets().find("static/" + req.pathParam("name"));
        if (found == embeddedAssets().end()) throw store::NotFound("asset");
        const std::string& name = found->first;
        auto& response = req.response();
        response.setContentType(name.size() > 3 && name.compare(name.size() - 3, 3, ".js") == 0
                                    ? "text/javascript; charset=utf-8"
                                    : "text/css; charset=utf-8");
        response.set("Cache-Control", "public, max-age=3600");
        response.set("X-Content-Type-Options", "nosniff");
        response.setContentLength(static_cast<std::streamsize>(found->second.size()));
        response.send() << found->second;
    }, false);

    get("/login", [this](Request& req) {
        if (req.session) return redirect(req, "/");
        const std::string token = auth::newSecret();
        setCookie(req, kLoginCookie, token);
        mstch::map view{{"csrf", token}, {"next", localPath(req.query("next").value_or("/"))}};
        if (req.query("msg") == std::optional<std::string>("signed_out")) view["notice"] = req.t("msg_signed_out");
        if (req.query("msg") == std::optional<std::string>("expired")) view["notice"] = req.t("msg_session_expired");
        render(req, "login", view, 200, "login_title");
    }, false);

    post("/login", [this](Request& req) {
        const std::string username = Poco::trim(req.field("username"));
        auto started = _sessions.signIn(username, req.field("password"));
        if (!started) {
            const std::string token = auth::newSecret();
            setCookie(req, kLoginCookie, token);
            mstch::map view{{"csrf", token}, {"next", localPath(req.field("next"))}, {"username", username},
                            {"login_error", req.t("login_failed")}};
            return render(req, "login", view, 401, "login_title");
        }
        if (req.session) _sessions.end(*req.session); // a new session id at every sign-in
        setCookie(req, kLoginCookie, "", 0);
        setCookie(req, kSessionCookie, started->secret);
        Poco::Logger::get("registry").information("web sign-in of %s", domain::logSafe(started->session.user.username));
        redirect(req, localPath(req.field("next")));
    }, false);

    post("/logout", [this](Request& req) {
        _sessions.end(req.signedInSession());
        setCookie(req, kSessionCookie, "", 0);
        redirect(req, "/login?msg=signed_out");
    });

    addDashboardPages(*this);
    addFacilityPages(*this);
    addPriceListPages(*this);
    addNoticePages(*this);
    addBurialSitePages(*this);
    addFindingPages(*this);
    addTransferPages(*this);
    addAdminPages(*this);
    addPublicPages(*this);
    addAuditPages(*this);
    addAttachmentPages(*this);
}

bool WebUi::handles(const std::string& path) {
    return !(path == "/api" || path.rfind("/api/", 0) == 0 || path == "/healthz" || path == "/readyz" ||
             path == "/metrics");
}

void WebUi::get(const std::string& pattern, Page page, bool signedIn) {
    _router.add("GET", pattern, [page](http::Exchange& ex) { page(static_cast<Request&>(ex)); }, signedIn);
}

void WebUi::post(const std::string& pattern, Page page, bool signedIn) {
    _router.add("POST", pattern, [page](http::Exchange& ex) { page(static_cast<Request&>(ex)); }, signedIn);
}

bool WebUi::secure(const Poco::Net::HTTPServerRequest& request) const {
    if (_settings.secureCookies == "always") return true;
    if (_settings.secureCookies == "never") return false;
    return request.secure() || Poco::icompare(request.get("X-Forwarded-Proto", ""), "https") == 0;
}

void WebUi::setCookie(Request& req, const std::string& name, const std::string& value, int maxAge) {
    Poco::Net::HTTPCookie c(name, value);
    c.setPath("/");
    c.setHttpOnly(true);
    c.setSameSite(Poco::Net::HTTPCookie::SAME_SITE_STRICT);
    c.setSecure(secure(req.request()));
    if (maxAge >= 0) c.setMaxAge(maxAge);
    req.response().addCookie(c);
}

void WebUi::redirect(Request& req, const std::string& location) {
    auto& response = req.response();
    response.set("Location", location);
    response.set("Cache-Control", "no-store");
    response.setStatusAndReason(HTTPResponse::HTTP_SEE_OTHER);
    response.setContentLength(0);
    response.send();
}

std::string WebUi::page(Request& req, const std::string& name, mstch::map view, const std::string& titleKey) {
    view["t"] = labels(req.lang);
    view["lang"] = req.lang;
    view["html_lang"] = std::string(req.en() ? "en" : "zh-CN");
    if (!titleKey.empty()) view["title"] = req.t(titleKey);
    // The other language, on the page the user is on.
    view["other_lang"] = std::string(req.en() ? "zh" : "en");
    view["other_lang_label"] = std::string(req.en() ? "中文" : "English");
    view["path"] = req.path;
    // The same page, its query kept (a comparison, a filtered list), in the other language.
    {
        Poco::URI uri(req.request().getURI());
        Poco::URI::QueryParameters kept;
        for (const auto& [key, value] : uri.getQueryParameters())
            if (key != "lang") kept.emplace_back(key, value);
        kept.emplace_back("lang", req.en() ? "zh" : "en");
        uri.setQueryParameters(kept);
        view["lang_link"] = uri.getPathAndQuery();
    }
    if (req.session) {
        const auto principal = req.session->principal();
        const auto& user = req.session->user;
        if (!view.count("csrf")) view["csrf"] = req.session->csrfToken;
        std::string district = user.district ? *user.district : "";
        if (user.district)
            if (const auto* d = domain::findDistrict(*user.district)) district = req.en() ? d->nameEn : d->nameZh;
        view["user"] = mstch::map{
            {"name", user.displayName.empty() ? user.username : user.displayName},
            {"role", req.en() ? domain::enName(user.role) : domain::zhName(user.role)},
            {"district", district.empty() ? req.t("citywide") : district},
            {"is_admin", service::mayOwn(principal, service::Action::ManageUsers)},
            {"may_plugins", service::mayOwn(principal, service::Action::ManagePlugins)},
            {"may_write", service::mayOwn(principal, service::Action::WriteRecord)},
            {"staff", !service::isOperator(principal)},
            {"operator_facility", user.facilityId ? std::to_string(*user.facilityId) : std::string()},
        };
    }
    const auto& all = templates();
    view["content"] = mstch::render(all.at(name), view, all);
    return mstch::render(all.at("layout"), view, all);
}

void WebUi::loadLeaflet() {
    const auto& tiles = _settings.mapTilesUrl;
    if (tiles.empty()) return;
    // Only what the map uses, read once: nothing under the folder is served by a name from a request.
    for (const std::string file : {"leaflet.js", "leaflet.css", "images/marker-icon.png", "images/marker-icon-2x.png",
                                   "images/marker-shadow.png", "images/layers.png", "images/layers-2x.png"}) {
        std::ifstream in(_settings.leafletDir + "/" + file, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in || bytes.str().empty()) {
            Poco::Logger::get("registry").warning(
                "public.map_tiles_url is set but %s/%s cannot be read (install libjs-leaflet): the finder shows no map",
                _settings.leafletDir, file);
            _leaflet.clear();
            return;
        }
        _leaflet[file] = bytes.str();
    }
    // The tiles' origin, for the pages' img-src: scheme://host[:port].
    const auto scheme = tiles.find("://");
    if (scheme != std::string::npos) {
        _mapOrigin = tiles.substr(0, tiles.find('/', scheme + 3));
        // Leaflet's {s} subdomains (a.tile..., b.tile...): a wildcard host in the policy.
        const auto sub = _mapOrigin.find("{s}.");
        if (sub != std::string::npos) _mapOrigin.replace(sub, 3, "*");
    }
}

namespace {
void securityHeaders(Poco::Net::HTTPServerResponse& response, const std::string& imageOrigin = "") {
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" +
                     (imageOrigin.empty() ? std::string() : " " + imageOrigin) +
                     "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "same-origin");
}
} // namespace

void WebUi::render(Request& req, const std::string& name, mstch::map view, int status, const std::string& titleKey) {
    const std::string html = page(req, name, std::move(view), titleKey);
    auto& response = req.response();
    response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    securityHeaders(response);
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    response.send() << html;
}

std::string WebUi::publicKey(Request& req) { return "web:" + req.lang + ":" + req.request().getURI(); }

bool WebUi::sendKeptPublic(Request& req) {
    if (req.session || req.response().has("Set-Cookie") || !_api.publicCache) return false;
    const auto kept = _api.publicCache->get(publicKey(req));
    if (!kept) return false;
    securityHeaders(req.response(), _mapOrigin); // the kept page may hold the map
    req.sendCacheable("text/html; charset=utf-8", *kept, 300, true);
    return true;
}

void WebUi::renderPublic(Request& req, const std::string& name, mstch::map view, const std::string& titleKey,
                         bool withMap) {
    view["public_page"] = true;
    // A signed-in visitor's page carries their name and token, and a language switch sets a cookie: neither
    // is for a shared cache.
    const bool personal = req.session || req.response().has("Set-Cookie");
    const std::string html = page(req, name, std::move(view), titleKey);
    auto& response = req.response();
    securityHeaders(response, withMap ? _mapOrigin : "");
    if (!personal) {
        if (_api.publicCache)
            return req.sendCacheable("text/html; charset=utf-8", *_api.publicCache->put(publicKey(req), html), 300, true);
        return req.sendCacheable("text/html; charset=utf-8", html, 300, true);
    }
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    response.send() << html;
}

void WebUi::errorPage(Request& req, int status, const std::string& title, const std::string& detail) {
    if (req.response().sent()) return;
    render(req, "error", mstch::map{{"title", title}, {"detail", detail}, {"status", std::to_string(status)}},
           status);
}

void WebUi::problemPage(Request& req, const http::HttpError& e) {
    const auto& p = e.problem();
    std::string detail = req.en() ? p.detailEn : p.detailZh;
    for (const auto& fe : p.errors) detail += (detail.empty() ? "" : ";") + (req.en() ? fe.messageEn : fe.messageZh);
    for (const auto& [name, value] : e.headers) req.response().set(name, value);
    if (p.status == HTTPResponse::HTTP_NOT_FOUND)
        errorPage(req, 404, req.t("error_not_found"), req.t("error_not_found_detail"));
    else
        errorPage(req, p.status, req.en() ? p.titleEn : p.titleZh, detail);
}

void WebUi::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    const auto start = std::chrono::steady_clock::now();
    const http::InFlight counted;
    std::string path, user = "-";
    std::optional<std::string> langParam;
    try {
        Poco::URI uri(request.getURI());
        path = uri.getPath();
        for (const auto& [key, value] : uri.getQueryParameters())
            if (key == "lang" && knownLanguage(value)) langParam = value;
    } catch (const Poco::Exception&) {
        path.clear();
    }
    auto match = _router.match(request.getMethod(), path.empty() ? "/" : path);
    std::unique_ptr<Request> req;
    try {
        req = std::make_unique<Request>(request, response, match.params, _api.limits);
    } catch (const http::HttpError&) {
        // A malformed query string: answer with the error page of a request without one.
        match.route = nullptr;
        match.allowed.clear();
        request.setURI("/");
        req = std::make_unique<Request>(request, response, std::map<std::string, std::string>{}, _api.limits);
    }
    req->path = path;
    req->setTimeZone(_timeZone);
    req->lang = langParam ? *langParam : cookie(request, kLangCookie);
    if (!knownLanguage(req->lang)) req->lang = "zh";
    try {
        if (langParam) setCookie(*req, kLangCookie, *langParam, 365 * 24 * 3600);
        if (const std::string secret = cookie(request, kSessionCookie); !secret.empty()) {
            req->session = _sessions.find(secret);
            if (req->session) {
                user = req->session->user.username;
                req->setPrincipal(req->session->principal());
            }
        }
        if (path.empty()) throw http::HttpError::badRequest("请求地址格式错误", "the request URI is malformed");
        if (!match.route) {
            if (match.allowed.empty())
                return errorPage(*req, 404, req->t("error_not_found"), req->t("error_not_found_detail"));
            response.set("Allow", Poco::cat(std::string(", "), match.allowed.begin(), match.allowed.end()));
            return errorPage(*req, 405, req->t("error_method"), req->t("error_method_detail"));
        }
        dispatch(*req, match);
    } catch (const http::HttpError& e) {
        problemPage(*req, e);
    } catch (const service::Refusal& e) {
        problemPage(*req, http::problemOf(e, request.getURI()));
    } catch (const store::NotFound&) {
        errorPage(*req, 404, req->t("error_not_found"), req->t("error_not_found_detail"));
    } catch (const store::ValidationFailed& e) {
        std::string detail;
        for (const auto& fe : e.errors()) detail += (detail.empty() ? "" : ";") + (req->en() ? fe.messageEn : fe.messageZh);
        errorPage(*req, 422, req->t("error_invalid"), detail);
    } catch (const store::Unavailable& e) {
        Poco::Logger::get("registry").warning("database unavailable: %s", domain::logSafe(e.what()));
        response.set("Retry-After", "5");
        errorPage(*req, 503, req->t("error_unavailable"), req->t("error_unavailable_detail"));
    } catch (const plugins::Unavailable& e) { // no sandbox process to be had: nothing was written
        Poco::Logger::get("registry").warning("%s", domain::logSafe(e.what()));
        response.set("Retry-After", "5");
        errorPage(*req, 503, req->t("error_unavailable"), req->t("error_unavailable_detail"));
    } catch (const std::exception& e) {
        if (store::isTransient(e)) {
            response.set("Retry-After", "5");
            errorPage(*req, 503, req->t("error_unavailable"), req->t("error_unavailable_detail"));
        } else {
            Poco::Logger::get("registry").error("internal error on %s %s: %s", domain::logSafe(request.getMethod()),
                                                domain::logSafe(request.getURI()), domain::logSafe(e.what()));
            try {
                errorPage(*req, 500, req->t("error_internal"), req->t("error_internal_detail"));
            } catch (const std::exception&) { // the answer was partly sent already: nothing more to say
            }
        }
    }
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    http::countRequest(request.getMethod(), match.route, static_cast<int>(response.getStatus()), ms / 1000);
    Poco::Logger::get("registry.access")
        .information("%s %s %d %.1fms user=%s peer=%s", domain::logSafe(request.getMethod()),
                     domain::logSafe(request.getURI()), static_cast<int>(response.getStatus()), ms,
                     domain::logSafe(user), request.clientAddress().toString());
}

void WebUi::dispatch(Request& req, const http::Router::Match& match) {
    auto& request = req.request();
    if (request.getMethod() == "POST") {
        std::string type = Poco::toLower(request.getContentType());
        const bool multipart = type.rfind("multipart/form-data", 0) == 0;
        const std::string body = req.rawBody(multipart ? _api.limits.maxUploadBytes : _api.limits.maxBodyBytes);
        std::istringstream in(body);
        UploadHandler uploads(req);
        req.form.setFieldLimit(2000);
        try {
            req.form.load(request, in, uploads);
        } catch (const Poco::Exception&) {
            throw http::HttpError::badRequest("提交的表单格式错误", "the submitted form is malformed");
        }
        // The synchronizer token: the session's for signed-in forms; the sign-in form's own before that.
        const std::string sent = req.field("_csrf");
        const std::string expected = req.path == "/login" ? cookie(request, kLoginCookie)
                                     : req.session      ? req.session->csrfToken
                                                        : std::string();
        if (sent.empty() || expected.empty() || !auth::constantTimeEquals(sent, expected))
            return errorPage(req, 403, req.t("error_csrf"), req.t("error_csrf_detail"));
    }
    if (match.route->signedIn && !req.session) {
        std::string next = request.getURI();
        return redirect(req, "/login?next=" + [&] {
            std::string encoded;
            Poco::URI::encode(localPath(next), "&=?#+%", encoded);
            return encoded;
        }());
    }
    match.route->handler(req);
}

SiteHandlerFactory::SiteHandlerFactory(std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> api,
                                       std::shared_ptr<WebUi> web)
    : _api(std::move(api)), _web(std::move(web)) {}

Poco::Net::HTTPRequestHandler* SiteHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest& request) {
    std::string path = request.getURI();
    path = path.substr(0, path.find_first_of("?#"));
    if (WebUi::handles(path)) return new WebHandler(_web);
    return _api->createRequestHandler(request);
}

} // namespace registry::web
