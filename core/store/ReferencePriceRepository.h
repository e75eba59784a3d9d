#pragma once
// Reference prices: caps per item, citywide or per district, over date ranges (admin writes).

#include "domain/Price.h"
#include "store/Database.h"
#include "store/Page.h"

#include <optional>
#include <string>

namespace registry::store {

struct ReferencePriceFilter {
    std::optional<std::string> item;
    std::optional<std::string> district;
};

class ReferencePriceRepository {
public:
    explicit ReferencePriceRepository(Database& db) : _db(db) {}

    domain::ReferencePrice create(const domain::ReferencePrice& reference, const std::string& actor);
    std::optional<domain::ReferencePrice> get(long long id);
    Page<domain::ReferencePrice> list(const ReferencePriceFilter& filter, const PageRequest& page);
    /// Throws NotFound, ValidationFailed or Conflict<ReferencePrice>.
    domain::ReferencePrice update(const domain::ReferencePrice& changed, long long expectedVersion,
                                  const std::string& actor);

    /// The cap in force for `item` on `date`: the district's own if it has one, else the citywide one.
    std::optional<domain::ReferencePrice> capFor(const std::string& item, const std::optional<std::string>& district,
                                                 const std::string& date);

private:
    Database& _db;
};

} // namespace registry::store
