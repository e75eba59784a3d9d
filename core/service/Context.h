#pragma once
// What the use cases need from the rest of the program, wired once by the app, and the shapes their
// inputs and results take.

#include "auth/Access.h"
#include "domain/BurialSite.h"
#include "plugins/Plugin.h"
#include "store/AttachmentFiles.h"
#include "store/BulkWriter.h"
#include "store/Database.h"
#include "store/Page.h"

#include <functional>
#include <vector>

namespace registry::plugins {
class PluginHost;
}

namespace registry::service {

class Alerts;
class AuditService;
class Authenticator;
class RecordChecks;

using auth::Principal;
using store::Page;
using store::PageRequest;

struct Context {
    store::Database& db;
    domain::PlanWindow window;
    store::BulkStrategy bulkStrategy = store::BulkStrategy::Auto;
    /// Passwords are hashed with its settings; tokens of changed users end through it.
    service::Authenticator* authenticator = nullptr;
    /// The plugin host and the on-write checks; null when the server runs without plugins.
    plugins::PluginHost* plugins = nullptr;
    service::RecordChecks* checks = nullptr;
    /// Audits run by this server; null without plugins.
    service::AuditService* audits = nullptr;
    /// Where attachments' bytes live and how large one may be (attachments.*).
    store::AttachmentSettings attachments{};
    /// Mail alerts; null when mail.smtp_url is not set (then no mail is recorded).
    const service::Alerts* alerts = nullptr;
};

/// A record as a front end decoded it from a request or a form: the value, the errors of decoding (a
/// field of the wrong type, an unknown field), and for an update the version the client read. A use case
/// asks for it only once it knows the principal may write at all, so that a role that may not write is
/// told so before anything about its fields.
template <class T> struct Draft {
    T value;
    domain::FieldErrors decodeErrors;
    long long expectedVersion = 0;
};
template <class T> using DraftSource = std::function<Draft<T>()>;

/// A stored record and what the district rules found about it at once (also stored as findings).
template <class T> struct Written {
    T record;
    std::vector<plugins::Finding> checks;
};

} // namespace registry::service
