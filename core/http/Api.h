#pragma once
// The routes of shared/spec/API.md and what they need from the rest of the program.

#include "service/AuditService.h"
#include "service/RecordChecks.h"
#include "service/Authenticator.h"
#include "domain/BurialSite.h"
#include "domain/Price.h"
#include "http/RateLimiter.h"
#include "http/ResponseCache.h"
#include "http/Router.h"
#include "service/Context.h"
#include "store/BulkWriter.h"
#include "store/Database.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <functional>
#include <memory>
#include <string>

namespace registry::http {

struct ApiContext {
    store::Database& db;
    service::Authenticator& authenticator;
    domain::PlanWindow window;
    store::BulkStrategy bulkStrategy = store::BulkStrategy::Auto;
    HttpLimits limits;
    /// The plugin host and the on-write checks; null when the server runs without plugins.
    plugins::PluginHost* plugins = nullptr;
    service::RecordChecks* checks = nullptr;
    /// Audits run by this server; null without plugins (the audit routes then answer 503).
    service::AuditService* audits = nullptr;
    /// Mail alerts; null without mail.smtp_url.
    const service::Alerts* alerts = nullptr;
    /// An audit report (audit::reportJson) as a standalone HTML page in `lang` ("zh" or "en"), for
    /// ?format=html. The page's template and labels are the web UI's, so the app wires this to
    /// web::reportHtml (http cannot depend on web); null only where no route renders HTML (tests).
    std::function<std::string(const Poco::JSON::Object& report, const std::string& lang)> reportHtml = nullptr;

    /// Today's date where the registry is (audit.timezone): caps in force and the 24 months of the public
    /// pages are counted from it. Null: the UTC date (tests).
    std::function<std::string()> today{};
    std::string todayDate() const;

    /// Requests per client address to the public pages and API (built by addPublicRoutes from
    /// limits.publicPerMinute; the web's public pages share it).
    std::shared_ptr<RateLimiter> publicLimiter{};
    /// Public answers reused for public.cache_seconds (built with the limiter; the web's pages share it).
    std::shared_ptr<ResponseCache> publicCache{};
    /// attachments.dir and attachments.max_mb.
    store::AttachmentSettings attachments{};

    /// What the use cases of core/service need, from the above.
    service::Context services() const {
        service::Context c{db, window, bulkStrategy};
        c.authenticator = &authenticator;
        c.plugins = plugins;
        c.checks = checks;
        c.audits = audits;
        c.attachments = attachments;
        c.alerts = alerts;
        return c;
    }
};

/// Every route of the API, ready to serve.
std::shared_ptr<Router> buildRouter(ApiContext& context);

// One function per resource, each adding its routes (in the files of the same name).
void addOperationRoutes(Router& router, ApiContext& context);
void addAuthRoutes(Router& router, ApiContext& context);
void addReferenceRoutes(Router& router, ApiContext& context);
void addFacilityRoutes(Router& router, ApiContext& context);
void addBurialSiteRoutes(Router& router, ApiContext& context);
void addPriceRoutes(Router& router, ApiContext& context);
void addInspectionRoutes(Router& router, ApiContext& context);
void addNoticeRoutes(Router& router, ApiContext& context);
void addAttachmentRoutes(Router& router, ApiContext& context);
void addFindingRoutes(Router& router, ApiContext& context);
void addUserRoutes(Router& router, ApiContext& context);
void addTransferRoutes(Router& router, ApiContext& context);
void addPluginRoutes(Router& router, ApiContext& context);
void addAuditRoutes(Router& router, ApiContext& context);
void addOpenApiRoutes(Router& router, ApiContext& context); // GET /api/v1/openapi.json (OpenApiRoutes.cpp)
void addPublicRoutes(Router& router, ApiContext& context);  // /api/v1/public/*, no sign-in

/// The public limiter's verdict for this request's client address: throws a 429 problem with Retry-After
/// when it is spent.
void limitPublic(ApiContext& context, const Poco::Net::HTTPServerRequest& request, double cost = 1);

} // namespace registry::http
