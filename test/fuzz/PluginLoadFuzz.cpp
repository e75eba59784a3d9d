// libFuzzer target: a plugin file's text, loaded as the registry loads plugins.dir (checkPluginSource: run
// in a throwaway sandbox, manifest read, placed in its folder), then, when it loads, each of its hooks called
// once on a sample record as the server would. A hostile or broken plugin must end as a load error or a
// failed call (error, timeout, out of memory), never as a crash of the host.

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/Price.h"
#include "plugins/PluginRegistry.h"
#include "plugins/PluginState.h"
#include "plugins/Views.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace registry;
using namespace registry::plugins;

namespace {

/// Limits small enough that every input ends within milliseconds, even `while true do end`.
HostSettings fuzzSettings() {
    HostSettings settings;
    settings.isolation = Isolation::Thread; // the loader itself, in this process: a process per input is too slow
    settings.limits.memoryBytes = 4u << 20;
    settings.limits.instructionsPerCall = 100'000;
    settings.limits.wallTimePerCall = std::chrono::milliseconds(200);
    settings.maxFindingsPerCall = 10;
    settings.maxLogLinesPerCall = 5;
    return settings;
}

struct Records {
    Poco::JSON::Object::Ptr price, facility, burialSite;
};

Records sampleRecords() {
    domain::Facility facility;
    facility.id = 3;
    facility.name = "海淀区殡仪馆";
    facility.district = "110108";
    domain::PriceRecord price;
    price.id = 42;
    price.facilityId = 3;
    price.item = "basic.cremation";
    price.amountFen = 80000;
    price.unit = "per_body";
    price.effectiveFrom = "2024-05-01";
    domain::BurialSite site;
    site.id = 7;
    site.district = "110108";
    site.graveCount = 12;
    site.targetDate = "2024-06-30";
    return {priceView(price, facility), facilityView(facility), burialSiteView(site)};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const HostSettings settings = fuzzSettings();
    static const Records records = sampleRecords();
    static const LogSink quiet = [](const std::string&, const std::string&) {};

    const std::string code(reinterpret_cast<const char*>(data), size);
    // The folder decides where a plugin may apply: citywide, one district, or a draft outside any tree.
    static const char* const files[] = {"common/fuzz.lua", "haidian/fuzz.lua", "fuzz.lua"};
    const CheckedPlugin checked = checkPluginSource(code, files[size % 3], settings, quiet);
    if (!checked.source) return 0;

    PluginState state(settings, quiet);
    state.load(*checked.source);
    NoPluginData noData;
    CallEnvironment environment{&noData, "2024-06-01", "110108", "2024-05-01"};
    const std::pair<domain::SubjectType, const Poco::JSON::Object::Ptr*> subjects[] = {
        {domain::SubjectType::Price, &records.price},
        {domain::SubjectType::Facility, &records.facility},
        {domain::SubjectType::BurialSite, &records.burialSite}};
    for (const HookKind kind : {HookKind::Checks, HookKind::Validate})
        for (const auto& [subject, view] : subjects) {
            state.call(*checked.source, kind, subject, **view, environment);
            if (state.exhausted()) return 0; // the server drops such a state and builds another
        }
    return 0;
}
