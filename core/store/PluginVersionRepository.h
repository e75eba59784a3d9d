#pragma once
// Managed plugin versions (plugin_versions) and the generation counter every instance watches
// (plugin_generation). Activating or deactivating a version bumps the counter in the same transaction, so
// an instance that sees the new counter also sees the new active set.

#include "domain/PluginVersion.h"
#include "store/Database.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::store {

class PluginVersionRepository {
public:
    explicit PluginVersionRepository(Database& db) : _db(db) {}

    struct Created {
        domain::PluginVersion version;
        bool existed = false; // the same name, version and text was stored before: nothing changed
    };
    /// Stores a draft. Throws Conflict<PluginVersion> when name+version exists with another text.
    Created create(const domain::PluginVersion& version, const std::string& actor);

    std::optional<domain::PluginVersion> find(const std::string& name, const std::string& version);
    /// Every version of `name`, newest first.
    std::vector<domain::PluginVersion> versions(const std::string& name);
    /// The active version of every managed plugin, in name order.
    std::vector<domain::PluginVersion> active();

    /// Makes `version` the active one of its name (the one active before is retired), bumps the
    /// generation. Throws NotFound. Activating the active version changes nothing and returns it.
    domain::PluginVersion activate(const std::string& name, const std::string& version, const std::string& actor);
    /// Retires the active version of `name`; false when none was active.
    bool deactivate(const std::string& name, const std::string& actor);

    /// The counter bumped by every activation and deactivation.
    long long generation();

private:
    Database& _db;
};

} // namespace registry::store
