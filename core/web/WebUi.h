#pragma once
// The web forms for inspectors: server-rendered pages (mstch templates, labels from the zh/en message
// catalogues), served by the same server as the API. Every path except /api/..., /healthz and /readyz
// belongs to the web UI. Signed-in pages need a session cookie; every POST carries the session's CSRF
// token; reads and writes go through the same use cases as the API (core/service), so the same
// permission table decides.

#include "audit/Cron.h"
#include "http/Api.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "service/Sessions.h"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <mstch/mstch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace registry::web {

// Browser sessions are kept by core/auth (they are auth_tokens of kind web).
using service::Session;
using service::Sessions;

struct WebSettings {
    int idleMinutes = 30;
    /// A session ends this long after sign-in, however active (web.session_max_hours; minutes here so that
    /// tests can use short lives).
    int sessionMaxMinutes = 12 * 60;
    /// The IANA zone pages show times in (audit.timezone); timestamps are stored in UTC.
    std::string timeZone = "Asia/Shanghai";
    /// Secure cookies: "auto" (when the request came over HTTPS or a proxy says X-Forwarded-Proto: https),
    /// "always" or "never".
    std::string secureCookies = "auto";
    /// How long the dashboard's counts (facilities, open findings, burial-site progress) are reused
    /// before they are counted again: counting a city's tables costs tenths of a second per view. A
    /// write committed by this server recounts at once; this bounds how late writes through other
    /// instances (or the CLI) show. 0: count on every view. The last audit is always read fresh.
    int dashboardCacheSeconds = 10;
    /// The public facility finder's map: a tile URL template ({z}/{x}/{y}) from public.map_tiles_url; empty
    /// (the default): no map, the plain list only. Nothing is fetched from a CDN: Leaflet itself is Debian's
    /// libjs-leaflet in `leafletDir` (public.leaflet_dir), served by the registry.
    std::string mapTilesUrl;
    std::string mapAttribution = "© OpenStreetMap contributors";
    std::string leafletDir = "/usr/share/javascript/leaflet";
};

/// One request to the web UI: the API's Exchange (query, path parameters, permission checks) plus the
/// language, the session and the posted form.
class Request : public http::Exchange {
public:
    Request(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
            std::map<std::string, std::string> pathParams, const http::HttpLimits& limits)
        : http::Exchange(request, response, std::move(pathParams), limits) {}

    std::string lang = "zh";
    bool en() const { return lang == "en"; }
    std::string t(const std::string& key) const; // a catalogue message
    std::optional<Session> session;
    const Session& signedInSession() const; // throws 401 page when signed out (never, behind the dispatcher)

    Poco::Net::HTMLForm form; // the POSTed fields
    struct UploadedFile {
        std::string fileName, contentType, content; // contentType: as the browser declared it
    };
    /// The first file chosen for the form field `name`; null when none was (a file input left empty sends
    /// a part without a file name).
    const UploadedFile* file(const std::string& name) const;
    /// Every file chosen for `name` (an <input type="file" multiple>), in posted order.
    std::vector<const UploadedFile*> filesOf(const std::string& name) const;
    std::map<std::string, std::vector<UploadedFile>> files; // the parts of a multipart form, by field
    std::string field(const std::string& name) const;
    std::vector<std::string> fieldValues(const std::string& name) const;
    std::string path; // without the query

    /// The zone pages show times in (WebSettings::timeZone, set by WebUi for each request; a Request made
    /// by a page without setting it has the default zone).
    const audit::TimeZone& timeZone() const;
    void setTimeZone(const audit::TimeZone& zone) { _timeZone = &zone; }

private:
    const audit::TimeZone* _timeZone = nullptr;
};

using Page = std::function<void(Request&)>;

class WebUi {
public:
    WebUi(http::ApiContext& api, WebSettings settings);

    /// True for the paths of the web UI (everything but the API and the health probes).
    static bool handles(const std::string& path);
    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

    http::ApiContext& api() { return _api; }
    /// What the use cases of core/service need (they hold the logic; pages only translate).
    service::Context services() const { return _api.services(); }
    Sessions& sessions() { return _sessions; }
    const WebSettings& settings() const { return _settings; }

    void get(const std::string& pattern, Page page, bool signedIn = true);
    void post(const std::string& pattern, Page page, bool signedIn = true);

    /// Renders templates/<name>.mustache inside the layout; `view` is the page's own data, the layout adds
    /// the labels ({{t.key}}), the user, the CSRF token ({{csrf}}) and the language switch.
    void render(Request& request, const std::string& name, mstch::map view, int status = 200,
                const std::string& titleKey = "");
    /// The same for a public page (no sign-in needed): cacheable with an ETag when nobody is signed in.
    void renderPublic(Request& request, const std::string& name, mstch::map view, const std::string& titleKey = "",
                      bool withMap = false);
    /// The page as the last signed-out visitor got it, if still fresh (public.cache_seconds): sent, true.
    /// Public pages ask first, before any query.
    bool sendKeptPublic(Request& request);
    void redirect(Request& request, const std::string& location);
    /// Sets a cookie with the attributes every cookie of the UI has (Path=/, HttpOnly, SameSite=Strict,
    /// Secure per the setting); maxAge -1: a browser-session cookie, 0: delete.
    void setCookie(Request& request, const std::string& name, const std::string& value, int maxAge = -1);

private:
    std::string page(Request& request, const std::string& name, mstch::map view, const std::string& titleKey);
    void loadLeaflet();
    static std::string publicKey(Request& request);
    void dispatch(Request& request, const http::Router::Match& match);
    void errorPage(Request& request, int status, const std::string& title, const std::string& detail);
    void problemPage(Request& request, const http::HttpError& error);
    bool secure(const Poco::Net::HTTPServerRequest& request) const;

    http::ApiContext& _api;
    WebSettings _settings;
    audit::TimeZone _timeZone;
    Sessions _sessions;
    http::Router _router;
    std::map<std::string, std::string> _leaflet; // file under leafletDir → its bytes; empty: no map
    std::string _mapOrigin; // the tiles' origin for the CSP's img-src ("" for data: tiles)

public:
    /// True when the finder shows a map (a tile URL is set and Leaflet was found).
    bool mapEnabled() const { return !_leaflet.empty(); }
};

/// Sends /api/..., /healthz and /readyz to the API's handler factory and every other path to the web UI.
class SiteHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    SiteHandlerFactory(std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> api, std::shared_ptr<WebUi> web);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> _api;
    std::shared_ptr<WebUi> _web;
};

// The pages, one function per area (in the files of the same name).
void addDashboardPages(WebUi& ui);
void addFacilityPages(WebUi& ui);
void addPriceListPages(WebUi& ui);
void addNoticePages(WebUi& ui);
void addBurialSitePages(WebUi& ui);
void addFindingPages(WebUi& ui);
void addTransferPages(WebUi& ui);
void addAdminPages(WebUi& ui);
void addPublicPages(WebUi& ui); // /public/: price disclosure, no sign-in
void addAuditPages(WebUi& ui);
void addAttachmentPages(WebUi& ui); // /attachments/{id}: the evidence of notices (Evidence.cpp)

} // namespace registry::web
