#pragma once
// Every setting the program reads, in one place: each with its one default (the initialisers here and in
// the modules' own settings structs) and its range, read once from the layered configuration (the settings
// file, then REGISTRY_DB_URL / REGISTRY_HTTP_PORT, then --set) by Settings::load. etc/registry.properties
// documents each one; a test (test/app/SettingsTest.cpp) keeps the two in step.

#include "service/MailSender.h"
#include "service/Scheduler.h"
#include "service/Authenticator.h"
#include "domain/BurialSite.h"
#include "http/Exchange.h"
#include "http/HeadGate.h"
#include "plugins/Limits.h"
#include "store/AttachmentFiles.h"
#include "store/BulkWriter.h"
#include "store/Database.h"
#include "web/WebUi.h"

#include <string>
#include <vector>

namespace Poco::Util {
class AbstractConfiguration;
}

namespace registry::app {

struct Settings {
    // --- http.*
    std::string httpHost = "127.0.0.1";
    int httpPort = 8080;
    int httpThreads = 16;
    int httpQueue = 64;
    int httpTimeoutSeconds = 30;
    int httpKeepAliveSeconds = 10;
    int httpKeepAliveMaxRequests = 1000;
    int httpBacklog = 128;
    http::HttpLimits httpLimits;     // http.max_body_bytes, http.max_upload_bytes
    http::HeadGateSettings headGate; // http.head_timeout_ms, http.max_head_bytes, http.max_pending_connections

    // --- db.*
    std::string dbUrl = "sqlite3:data/registry.db";
    store::DatabaseOptions database; // pool, timeouts
    bool autoMigrate = true;
    store::BulkStrategy bulkWriter = store::BulkStrategy::Auto;

    // --- attachments.*
    store::AttachmentSettings attachments;

    // --- plan.*, auth.*, web.*
    domain::PlanWindow planWindow;
    service::AuthSettings auth;
    web::WebSettings web;

    // --- plugins.* and plugin.<name>.<key>
    std::string pluginsDir = "plugins";
    long pluginsWatchIntervalMs = 2000; // 0: no watching
    int pluginsSyncSeconds = 5;         // how often an instance looks for newly activated managed versions
    plugins::HostSettings plugins;

    // --- audit.*
    service::Scheduler::Settings schedule; // its instanceId is left empty: serve names the instance
    std::string auditInstanceId;         // "" means hostname:http.port
    std::string clockToday;              // clock.today: a fixed "today" (tests, training); "" the real date
    int auditWorkers = 0;                // 0 until loaded: then the number of processor cores unless set
    int auditStaleAfterSeconds = 300;

    // --- mail.*
    service::MailSettings mail; // mail.smtp_url "" (the default): no mail, nothing recorded

    /// Reads and checks every setting. Throws std::invalid_argument "setting KEY: what is wrong (got 'VALUE')"
    /// for the first value out of its range or not of its type.
    static Settings load(const Poco::Util::AbstractConfiguration& config);

    /// Every key load() reads.
    static std::vector<std::string> keys();
    /// The prefixes whose keys are passed on whole: plugin.<name>.<key> to the plugins, logging.* to Poco's
    /// LoggingConfigurator.
    static std::vector<std::string> prefixes();
};

} // namespace registry::app
