#pragma once
// The plugins on a write: the blocking `validate` hooks before a record is stored, and the `checks`
// after, whose findings are stored and returned to the writer. A plugin that fails or runs out of time
// becomes an `error` finding; it never refuses or loses the write.

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/Finding.h"
#include "domain/Price.h"
#include "plugins/PluginHost.h"
#include "store/Database.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace registry::audit {

/// A plugin's finding about `subject` (stored as `subjectId`) as the findings table keeps it.
domain::Finding storedFinding(const plugins::Finding& finding, const plugins::Subject& subject, long long subjectId);

class RecordChecks {
public:
    /// `today` gives the date plugins see as ctx.today() (audit.timezone's); UTC when not given.
    RecordChecks(store::Database& db, plugins::PluginHost& host, std::function<std::string()> today = {});

    /// The refusal of a plugin's validate hook for a price about to be stored ("plugin: message"), or
    /// nullopt when every plugin lets it through.
    std::optional<std::string> validatePrice(const domain::PriceRecord& price);
    std::optional<std::string> validateFacility(const domain::Facility& facility);
    std::optional<std::string> validateBurialSite(const domain::BurialSite& site);

    /// Runs the checks on a stored record, stores their findings, and returns them (the API's `checks`).
    std::vector<plugins::Finding> checkPrice(const domain::PriceRecord& price);
    std::vector<plugins::Finding> checkFacility(const domain::Facility& facility);
    std::vector<plugins::Finding> checkBurialSite(const domain::BurialSite& site);

private:
    std::optional<std::string> validate(const plugins::Subject& subject);
    std::vector<plugins::Finding> check(const plugins::Subject& subject, long long subjectId);

    store::Database& _db;
    plugins::PluginHost& _host;
    std::function<std::string()> _today;
};

} // namespace registry::audit
