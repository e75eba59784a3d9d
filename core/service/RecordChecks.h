#pragma once
// The plugins on a write, both before its transaction begins (no lock is held while a plugin runs): the
// blocking `validate` hooks, and the `checks` on the record as it will be stored, whose findings the
// repository then writes in the record's own transaction (one commit) and the writer gets back. A plugin
// that fails or runs out of time becomes an `error` finding; it never refuses or loses the write.

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

namespace registry::service {

class StorePluginData;

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
    /// validatePrice for the many rows of one import: the facilities and caps the rows ask for are read once
    /// for all of them (one lookup a row was a network round trip each on MariaDB). Valid while this lives.
    std::function<std::optional<std::string>(const domain::PriceRecord&)> priceValidator();

    /// What the checks say of a record as it will be stored: the API's `checks`, and the findings to store
    /// with it (their subject_id is the record's, set by the repository).
    struct Verdict {
        std::vector<plugins::Finding> reported;
        std::vector<domain::Finding> toStore;
    };
    /// Runs the checks on a record about to be stored (a new one has no id yet; a new price is the current
    /// one of its facility and item as ctx.current_prices and ctx.previous_price see it).
    Verdict checkPrice(const domain::PriceRecord& price);
    Verdict checkFacility(const domain::Facility& facility);
    Verdict checkBurialSite(const domain::BurialSite& site);

private:
    std::optional<std::string> validate(const plugins::Subject& subject, plugins::PluginData& data);
    std::optional<std::string> validatePriceWith(const domain::PriceRecord& price, StorePluginData& data);
    Verdict check(const plugins::Subject& subject, plugins::PluginData& data);

    store::Database& _db;
    plugins::PluginHost& _host;
    std::function<std::string()> _today;
};

} // namespace registry::service
