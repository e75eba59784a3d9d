#pragma once
// Shared helpers of the store tests: records a user could submit, row counts as a person inspecting the
// database would take them, and checks for the failures a caller turns into 404, 409 and 422.
// Every test runs the same on SQLite and MariaDB (REGISTRY_TEST_BACKEND).

#include "domain/BurialSite.h"
#include "domain/Facility.h"
#include "domain/Inspection.h"
#include "domain/Price.h"
#include "domain/User.h"
#include "store/Database.h"
#include "store/Errors.h"
#include "support/TestDatabase.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace registry::test {

inline const std::string actor = "tester";

/// A valid facility in `district`.
inline domain::Facility sampleFacility(const std::string& name, const std::string& district = "110108",
                                       domain::FacilityKind kind = domain::FacilityKind::OperatingCemetery) {
    domain::Facility f;
    f.name = name;
    f.kind = kind;
    f.district = district;
    f.address = "北京市某区某路 1 号";
    f.operatorName = "某殡葬服务中心";
    f.approvalNo = "京民殡字[2021]001号";
    f.status = domain::FacilityStatus::Operating;
    f.planAction = domain::PlanAction::Retain;
    f.planPhase = domain::PlanPhase::P2021_2025;
    f.capacityTotal = 1000;
    f.capacityUsed = 250;
    f.areaM2 = 12345.5;
    f.lat = 39.9;
    f.lon = 116.3;
    f.notes = "备注";
    return f;
}

/// A valid burial site in `district` with `graves` graves.
inline domain::BurialSite sampleSite(const std::string& district = "110108", std::int64_t graves = 10) {
    domain::BurialSite s;
    s.kind = domain::BurialSiteKind::ScatteredGraves;
    s.district = district;
    s.township = "温泉镇";
    s.village = "白家疃村";
    s.location = "村北山坡";
    s.lat = 40.05;
    s.lon = 116.2;
    s.graveCount = graves;
    s.zones = {domain::Zone::Farmland, domain::Zone::WaterSource};
    s.measure = domain::Measure::Relocate;
    s.responsibleUnit = "温泉镇人民政府";
    return s;
}

/// A valid price for facility `facilityId`.
inline domain::PriceRecord samplePrice(long long facilityId, const std::string& item, std::int64_t amountFen,
                                       const std::string& effectiveFrom) {
    domain::PriceRecord p;
    p.facilityId = facilityId;
    p.item = item;
    p.amountFen = amountFen;
    p.effectiveFrom = effectiveFrom;
    p.displayed = true;
    p.bundled = false;
    p.source = domain::PriceSource::Inspection;
    return p;
}

/// SELECT COUNT(*) FROM table [WHERE condition].
inline long long countRows(store::Database& db, const std::string& table, const std::string& where = "") {
    store::Database::Session session(db);
    long long n = 0;
    session.sql() << "SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where),
        soci::into(n);
    return n;
}

/// Runs `write`, which must fail with ValidationFailed; returns its field errors.
inline domain::FieldErrors validationErrors(const std::function<void()>& write) {
    try {
        write();
    } catch (const store::ValidationFailed& e) {
        return e.errors();
    }
    BOOST_ERROR("expected ValidationFailed, but the write succeeded");
    return {};
}

/// True when `errors` has an error for `field` (with `code`, when given) carrying both messages.
inline bool hasError(const domain::FieldErrors& errors, const std::string& field,
                     const std::string& code = "") {
    for (const auto& e : errors)
        if (e.field == field && (code.empty() || e.code == code))
            return !e.messageZh.empty() && !e.messageEn.empty();
    return false;
}

inline std::set<std::string> errorFields(const domain::FieldErrors& errors) {
    std::set<std::string> out;
    for (const auto& e : errors)
        out.insert(e.field);
    return out;
}

/// Runs `write`, which must fail with Conflict<Record>; returns the current record it carries.
template <class Record> std::optional<Record> conflictCurrent(const std::function<void()>& write) {
    try {
        write();
    } catch (const store::Conflict<Record>& e) {
        return e.current();
    }
    BOOST_ERROR("expected Conflict, but the write succeeded");
    return std::nullopt;
}

inline Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// Releases every waiting thread at once, so that concurrent writers really overlap.
class StartLine {
public:
    explicit StartLine(int parties) : _waiting(parties) {}
    void arriveAndWait() {
        std::unique_lock<std::mutex> lock(_mutex);
        if (--_waiting == 0) {
            _cv.notify_all();
            return;
        }
        _cv.wait(lock, [this] { return _waiting == 0; });
    }

private:
    std::mutex _mutex;
    std::condition_variable _cv;
    int _waiting;
};

} // namespace registry::test
