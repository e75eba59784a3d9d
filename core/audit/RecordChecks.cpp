#include "audit/RecordChecks.h"

#include "audit/StorePluginData.h"
#include "domain/Dates.h"
#include "domain/LogText.h"
#include "plugins/Views.h"
#include "store/FindingRepository.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <sstream>

namespace registry::audit {

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

std::optional<std::string> RecordChecks::validate(const plugins::Subject& subject) {
    StorePluginData data(_db);
    auto run = _host.newRun();
    const auto result = _host.runValidate(subject, data, _today(), &run);
    for (const auto& f : result.findings)
        Poco::Logger::get("registry.plugins").warning("%s %s on a %s being written: %s", domain::logSafe(f.plugin),
                                                      domain::logSafe(f.hook), domain::toString(subject.type),
                                                      domain::logSafe(f.message));
    if (!result.refusal) return std::nullopt;
    return result.refusal->plugin + ": " + result.refusal->message;
}

std::vector<plugins::Finding> RecordChecks::check(const plugins::Subject& subject, long long subjectId) {
    StorePluginData data(_db);
    auto run = _host.newRun();
    std::vector<plugins::Finding> reported;
    try {
        reported = _host.runChecks(subject, data, _today(), &run);
    } catch (const std::exception& e) {
        // The write is stored already (and answered as such): the next audit checks the record.
        Poco::Logger::get("registry.plugins")
            .error("the checks of a %s being written did not run: %s", domain::toString(subject.type),
                   domain::logSafe(e.what()));
        return {};
    }
    std::vector<domain::Finding> stored;
    for (const auto& f : reported) stored.push_back(storedFinding(f, subject, subjectId));
    try {
        if (!stored.empty()) store::FindingRepository(_db).report(stored); // one commit for them all
    } catch (const std::exception& e) {
        // The write is stored already; findings that cannot be are found again by the next audit.
        Poco::Logger::get("registry.plugins")
            .error("cannot store the %s findings of a %s being written: %s", std::to_string(stored.size()),
                   domain::toString(subject.type), domain::logSafe(e.what()));
    }
    return reported;
}

std::optional<std::string> RecordChecks::validatePrice(const domain::PriceRecord& price) {
    StorePluginData data(_db);
    const auto facility = data.facilityRecord(price.facilityId);
    if (!facility) return std::nullopt;
    const auto view = plugins::priceView(price, *facility);
    return validate({domain::SubjectType::Price, view.get(), facility->district});
}

std::optional<std::string> RecordChecks::validateFacility(const domain::Facility& facility) {
    const auto view = plugins::facilityView(facility);
    return validate({domain::SubjectType::Facility, view.get(), facility.district});
}

std::optional<std::string> RecordChecks::validateBurialSite(const domain::BurialSite& site) {
    const auto view = plugins::burialSiteView(site);
    return validate({domain::SubjectType::BurialSite, view.get(), site.district});
}

std::vector<plugins::Finding> RecordChecks::checkPrice(const domain::PriceRecord& price) {
    StorePluginData data(_db);
    const auto facility = data.facilityRecord(price.facilityId);
    if (!facility) return {};
    const auto view = plugins::priceView(price, *facility);
    return check({domain::SubjectType::Price, view.get(), facility->district}, price.id);
}

std::vector<plugins::Finding> RecordChecks::checkFacility(const domain::Facility& facility) {
    const auto view = plugins::facilityView(facility);
    return check({domain::SubjectType::Facility, view.get(), facility.district}, facility.id);
}

std::vector<plugins::Finding> RecordChecks::checkBurialSite(const domain::BurialSite& site) {
    const auto view = plugins::burialSiteView(site);
    return check({domain::SubjectType::BurialSite, view.get(), site.district}, site.id);
}

} // namespace registry::audit
