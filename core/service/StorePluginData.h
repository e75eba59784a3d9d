#pragma once
// What a plugin's ctx reads (reference prices, previous and current prices, facilities), backed by the
// store. One object per write or per audit worker; it keeps what it looked up, since many records of one
// facility ask the same questions.

#include "plugins/Views.h"
#include "store/Database.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::service {

class StorePluginData : public plugins::PluginData {
public:
    explicit StorePluginData(store::Database& db);

    std::optional<domain::ReferencePrice> referencePrice(const std::string& item, const std::string& district,
                                                         const std::string& date) override;
    Poco::JSON::Object::Ptr previousPrice(const Poco::JSON::Object& price) override;
    bool previousRecord(std::int64_t priceId, const domain::PriceRecord*& previous,
                        const domain::Facility*& facility) override;
    bool referencePricesOf(const std::string& item, std::vector<domain::ReferencePrice>& caps) override;
    std::vector<Poco::JSON::Object::Ptr> currentPrices(std::int64_t facilityId) override;
    Poco::JSON::Object::Ptr facility(std::int64_t facilityId) override;

    /// The facility record (cached); nullopt when it does not exist.
    std::optional<domain::Facility> facilityRecord(std::int64_t facilityId);
    /// The same without a copy: valid until forgetRecords; null when it does not exist.
    const domain::Facility* facilityOf(std::int64_t facilityId);

    /// Reads, in two queries, what the checks of `prices` (an audit batch) will ask for one record at a
    /// time: their facilities and the records they replaced (ctx.previous_price). Answers stay the same.
    void preload(const std::vector<domain::PriceRecord>& prices);

    /// A price about to be stored (RecordChecks runs the checks before the write's transaction):
    /// ctx.current_prices of its facility shows it in place of the current price of its item.
    void pendingPrice(const domain::PriceRecord& price) { _pending = price; }

    /// Drops the facilities and previous prices looked up so far, keeping the reference prices (a handful
    /// of rows): an audit worker calls it between batches, so that its caches stay the size of one batch.
    void forgetRecords();

private:
    const std::vector<domain::ReferencePrice>& caps(const std::string& item);

    store::Database& _db;
    std::map<std::string, std::vector<domain::ReferencePrice>> _caps;
    std::map<std::int64_t, std::optional<domain::Facility>> _facilities;
    std::map<std::int64_t, std::optional<domain::PriceRecord>> _previous; // by the id of the record that replaced it
    std::optional<domain::PriceRecord> _pending;
};

} // namespace registry::service
