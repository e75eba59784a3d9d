#include "service/RecordChecks.h"

#include "service/StorePluginData.h"
#include "domain/Dates.h"
#include "domain/LogText.h"
#include "plugins/Views.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <memory>
#include <sstream>

namespace registry::service {

RecordChecks::RecordChecks(store::Database& db, plugins::PluginHost& host, std::function<std::string()> today)
    : _db(db), _host(host), _today(today ? std::move(today) : [] { return domain::todayUtc(); }) {}

domain::Finding storedFinding(const plugins::Finding& f, const plugins::Subject& subject, long long subjectId) {
    domain::Finding stored;
    stored.plugin = f.plugin;
    stored.pluginVersion = f.pluginVersion;
    stored.rule = f.rule;
    stored.severity = f.severity;
    stored.subjectType = subject.type;
    stored.subjectId = subjectId;
    stored.district = subject.district;
    stored.message = f.message;
    std::ostringstream details;
    f.details->stringify(details);
    stored.detailsJson = details.str();
    return stored;
}

std::optional<std::string> RecordChecks::validate(const plugins::Subject& subject, plugins::PluginData& data) {
    auto run = _host.newRun();
    const auto result = _host.runValidate(subject, data, _today(), &run);
    for (const auto& f : result.findings)
        Poco::Logger::get("registry.plugins").warning("%s %s on a %s being written: %s", domain::logSafe(f.plugin),
                                                      domain::logSafe(f.hook), domain::toString(subject.type),
                                                      domain::logSafe(f.message));
    if (!result.refusal) return std::nullopt;
    // Which rule, in which version, refused a write: the answer names the plugin, the log its version too.
    Poco::Logger::get("registry.plugins")
        .information("a %s write in %s was refused by %s %s: %s", domain::toString(subject.type),
                     domain::logSafe(subject.district), domain::logSafe(result.refusal->plugin),
                     domain::logSafe(result.refusal->version), domain::logSafe(result.refusal->message));
    return result.refusal->plugin + ": " + result.refusal->message;
}

RecordChecks::Verdict RecordChecks::check(const plugins::Subject& subject, plugins::PluginData& data) {
    auto run = _host.newRun();
    Verdict verdict;
    try {
        verdict.reported = _host.runChecks(subject, data, _today(), &run);
    } catch (const std::exception& e) {
        // The write goes on (and is answered as stored): the next audit checks the record.
        Poco::Logger::get("registry.plugins")
            .error("the checks of a %s being written did not run: %s", domain::toString(subject.type),
                   domain::logSafe(e.what()));
        return {};
    }
    for (const auto& f : verdict.reported) verdict.toStore.push_back(storedFinding(f, subject, 0));
    return verdict;
}

std::optional<std::string> RecordChecks::validatePriceWith(const domain::PriceRecord& price, StorePluginData& data) {
    const domain::Facility* facility = data.facilityOf(price.facilityId);
    if (!facility) return std::nullopt;
    const auto view = plugins::priceView(price, *facility);
    return validate({domain::SubjectType::Price, view.get(), facility->district}, data);
}

std::optional<std::string> RecordChecks::validatePrice(const domain::PriceRecord& price) {
    StorePluginData data(_db);
    return validatePriceWith(price, data);
}

std::function<std::optional<std::string>(const domain::PriceRecord&)> RecordChecks::priceValidator() {
    auto data = std::make_shared<StorePluginData>(_db);
    return [this, data](const domain::PriceRecord& price) { return validatePriceWith(price, *data); };
}

std::optional<std::string> RecordChecks::validateFacility(const domain::Facility& facility) {
    StorePluginData data(_db);
    const auto view = plugins::facilityView(facility);
    return validate({domain::SubjectType::Facility, view.get(), facility.district}, data);
}

std::optional<std::string> RecordChecks::validateBurialSite(const domain::BurialSite& site) {
    StorePluginData data(_db);
    const auto view = plugins::burialSiteView(site);
    return validate({domain::SubjectType::BurialSite, view.get(), site.district}, data);
}

RecordChecks::Verdict RecordChecks::checkPrice(const domain::PriceRecord& price) {
    StorePluginData data(_db);
    const auto facility = data.facilityRecord(price.facilityId);
    if (!facility) return {};
    data.pendingPrice(price);
    const auto view = plugins::priceView(price, *facility);
    return check({domain::SubjectType::Price, view.get(), facility->district}, data);
}

RecordChecks::Verdict RecordChecks::checkFacility(const domain::Facility& facility) {
    StorePluginData data(_db);
    const auto view = plugins::facilityView(facility);
    return check({domain::SubjectType::Facility, view.get(), facility.district}, data);
}

RecordChecks::Verdict RecordChecks::checkBurialSite(const domain::BurialSite& site) {
    StorePluginData data(_db);
    const auto view = plugins::burialSiteView(site);
    return check({domain::SubjectType::BurialSite, view.get(), site.district}, data);
}

} // namespace registry::service
