#pragma once
// Price records. Never updated in place and never deleted: a new record for the same facility and item
// closes the current one (effective_to = the day before the new effective_from, superseded_by = the new
// id) in the same transaction, so every price's history stays readable.

#include "domain/Price.h"
#include "domain/Finding.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>
#include <vector>

namespace registry::store {

struct PriceFilter {
    std::optional<long long> facilityId;
    std::optional<std::string> item;
    std::optional<std::string> district; // the facility's district
    bool currentOnly = false;            // only records not yet superseded
};

class PriceRepository {
public:
    explicit PriceRepository(Database& db) : _db(db) {}

    /// Stores a new record and supersedes the current one for the same facility and item. The new
    /// effective_from must be after the current record's (or the same day, as a correction carrying a
    /// note). Throws ValidationFailed (also for an unknown facility), nothing stored.
    /// `findings`: the checks' findings of the record as it will be stored, written in the same transaction.
    domain::PriceRecord create(const domain::PriceRecord& price, const std::string& actor,
                               const std::vector<domain::Finding>& findings = {});
    /// Several records (a facility's price list) in one transaction: all of them, or none. An error of
    /// the record at index i names its field `prices[i].<field>` (with `indexFields`; else `<field>`).
    struct NewPrice {
        domain::PriceRecord price;
        std::vector<domain::Finding> findings;
    };
    std::vector<domain::PriceRecord> createMany(const std::vector<NewPrice>& prices, const std::string& actor,
                                                bool indexFields = true);

    std::optional<domain::PriceRecord> get(long long id);
    Page<domain::PriceRecord> list(const PriceFilter& filter, const PageRequest& page);

    /// The record that `id` replaced, if any.
    std::optional<domain::PriceRecord> previous(long long id);
    /// previous() of each of `ids` at once (an audit batch's), in one query: the records that they
    /// replaced, in id order (each names the record that replaced it in supersededBy).
    std::vector<domain::PriceRecord> previousOfMany(const std::vector<long long>& ids);
    /// Every current record of a facility, by item.
    std::vector<domain::PriceRecord> currentForFacility(long long facilityId);
    /// A facility's whole history of one item, oldest first.
    std::vector<domain::PriceRecord> history(long long facilityId, const std::string& item);

private:
    Database& _db;
};

} // namespace registry::store
