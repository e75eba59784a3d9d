#pragma once
// Deterministic demo data: the same seed and scale give the same registry on every machine. Scale 1 is a
// small demo (about 800 facilities, 10 000 price records, 1 000 burial sites); scale 100 gives about
// 1 million price records and 100 000 burial sites for benchmarks. Written through the bulk writer in
// one transaction: a load is all or nothing. Reference prices are illustrative, labelled as such.

#include "domain/BurialSite.h"
#include "store/BulkWriter.h"
#include "store/Database.h"

#include <cstdint>
#include <functional>
#include <string>

namespace registry::store {

struct DemoDataOptions {
    int scale = 1;
    std::uint64_t seed = 20211231;
    BulkStrategy strategy = BulkStrategy::Auto;
    domain::PlanWindow window;
    std::string today; // YYYY-MM-DD: no date in the data lies after it; defaults to today in UTC
    /// Called now and then with rows written so far and the total expected.
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct DemoDataReport {
    std::size_t facilities = 0, burialSites = 0, progressEntries = 0, prices = 0, referencePrices = 0,
                inspections = 0;
};

/// True when the registry holds no facilities, burial sites or prices.
bool registryIsEmpty(Database& db);

/// Fills an empty registry. Throws std::runtime_error when it already holds facilities, burial sites or
/// prices (demo data never mixes with real records).
DemoDataReport loadDemoData(Database& db, const DemoDataOptions& options);

} // namespace registry::store
