#include "PluginTestSupport.h"

#include "domain/Facility.h"
#include "domain/Price.h"
#include "plugins/Views.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace registry::test {

using namespace registry::plugins;

TempPluginDir::TempPluginDir() {
    static std::atomic<int> counter{0};
    _path = (std::filesystem::temp_directory_path() /
             ("registry-plugins-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                .string();
    std::filesystem::remove_all(_path);
    std::filesystem::create_directories(_path);
}

TempPluginDir::~TempPluginDir() {
    std::error_code ignored;
    std::filesystem::remove_all(_path, ignored);
}

void TempPluginDir::write(const std::string& relative, const std::string& content) const {
    const std::filesystem::path file = path(relative);
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
}

void TempPluginDir::remove(const std::string& relative) const {
    std::filesystem::remove(path(relative));
}

HostSettings defaultSettings() {
    HostSettings settings;
    settings.workerExecutable = REGISTRY_BINARY; // sandbox processes of the real binary
    return settings;
}

HostSettings fastSettings() {
    HostSettings settings = defaultSettings();
    settings.limits.memoryBytes = 16u << 20;
    settings.limits.instructionsPerCall = 200'000;
    settings.limits.wallTimePerCall = std::chrono::milliseconds(2000);
    settings.states = 2;
    return settings;
}

Poco::JSON::Object::Ptr samplePriceView() {
    domain::Facility facility;
    facility.id = 3;
    facility.name = "海淀区殡仪馆";
    facility.kind = domain::FacilityKind::FuneralHome;
    facility.district = "110108";
    domain::PriceRecord price;
    price.id = 42;
    price.facilityId = 3;
    price.item = "basic.cremation";
    price.amountFen = 80000;
    price.unit = "per_body";
    price.effectiveFrom = "2024-05-01";
    price.displayed = true;
    return priceView(price, facility);
}

LogSink CapturedLog::sink() {
    return
        [this](const std::string& plugin, const std::string& line) { lines.push_back(plugin + ": " + line); };
}

std::shared_ptr<PluginSource> sourceOf(const std::string& file, const std::string& code,
                                       const Manifest& manifest) {
    auto source = std::make_shared<PluginSource>();
    source->file = file;
    source->code = code;
    source->manifest = manifest;
    // Where it applies, as the registry places it: a district folder implies its district.
    const auto slash = file.find('/');
    if (slash != std::string::npos) source->districts = placePlugin(manifest, file.substr(0, slash)).districts;
    return source;
}

OnePlugin::OnePlugin(const std::string& code, HostSettings settings, const std::string& file)
    : _settings(std::move(settings)) {
    _state = std::make_unique<PluginState>(_settings, log.sink());
    const LoadResult loaded = _state->load(code, file, Poco::JSON::Object());
    BOOST_REQUIRE_MESSAGE(loaded.ok(), "plugin did not load: " + loaded.call.message);
    _source = sourceOf(file, code, loaded.manifest);
    environment.data = &noData;
    environment.today = "2024-06-01";
    environment.district = "110108";
    environment.asOfDate = "2024-05-01";
}

HookResult OnePlugin::call(HookKind kind, domain::SubjectType subject, Poco::JSON::Object::Ptr view) {
    if (!view) view = samplePriceView();
    return _state->call(*_source, kind, subject, *view, environment);
}

} // namespace registry::test
