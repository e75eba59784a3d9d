// The permission matrix of API.md: every role × every write route × own and other district, and reads
// scoped by district (another district's record is 404 to read and 403 to write; lists show only the
// user's own district).

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;

namespace {

// Records of both districts, made by the admin once.
struct Records {
    long long facility = 0, site = 0, price = 0, inspection = 0;
};

struct World {
    Records own, other;
};

Records makeRecords(const std::string& district) {
    Records r;
    r.facility = createFacility("admin", district, "权限测试设施 " + district).id();
    r.site = createBurialSite("admin", district, 1000).id();
    const auto price = as("admin").post("/api/v1/prices", priceBody(r.facility, "basic.cremation", 50000, "2024-01-01"));
    BOOST_REQUIRE_EQUAL(price.status, 201);
    r.price = price.id();
    const auto inspection = as("admin").post("/api/v1/inspections", inspectionBody("facility", r.facility));
    BOOST_REQUIRE_EQUAL(inspection.status, 201);
    r.inspection = inspection.id();
    return r;
}

const World& world() {
    static const World w{makeRecords(kOwn), makeRecords(kOther)};
    return w;
}

long long changeCount() { return as("admin").count("/api/v1/changes"); }

// A write that must be refused: the given status, a problem document, and no trace in the change log.
void refused(const std::string& what, const Response& r, int status, long long changesBefore) {
    BOOST_TEST(r.status == status, what << ": " << r.describe());
    BOOST_TEST(r.isProblem(), what);
    BOOST_TEST(changeCount() == changesBefore, what << " left a change-log entry");
}

void allowed(const std::string& what, const Response& r, int status) {
    BOOST_TEST(r.status == status, what << ": " << r.describe());
}

Response putCurrent(const std::string& user, const std::string& collection, long long id,
                    std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> changes = {}) {
    const auto current = as("admin").get(pathOf(collection, id));
    return as(user).put(pathOf(collection, id), with(current.obj(), changes), current.etag());
}

// Every district-scoped write route, as `user`, on records of `district`.
void checkWrites(const std::string& user, const std::string& districtName, const Records& records,
                 const std::string& district, bool mayWrite) {
    const auto client = as(user);
    const std::string where = user + " on " + districtName + " district: ";
    const auto expect = [&](const std::string& route, const Response& r, int okStatus, long long before) {
        if (mayWrite)
            allowed(where + route, r, okStatus);
        else
            refused(where + route, r, 403, before);
    };
    long long before = changeCount();
    expect("POST /facilities", client.post("/api/v1/facilities", facilityBody(district, "由 " + user + " 登记")), 201,
           before);
    before = changeCount();
    expect("POST /burial-sites", client.post("/api/v1/burial-sites", burialSiteBody(district)), 201, before);
    before = changeCount();
    expect("POST /prices",
           client.post("/api/v1/prices", with(priceBody(records.facility, "basic.storage", 1000, "2024-01-01"),
                                              {{"note", "由 " + user + " 登记"}})),
           201,
           before);
    before = changeCount();
    expect("POST /inspections (facility)", client.post("/api/v1/inspections", inspectionBody("facility", records.facility)),
           201, before);
    before = changeCount();
    expect("POST /inspections (burial site)",
           client.post("/api/v1/inspections", inspectionBody("burial_site", records.site)), 201, before);
}

// The writes on a record that already exists in `district` (PUT and progress).
void checkRecordWrites(const std::string& user, const std::string& districtName, const Records& records,
                       bool mayWrite, int refusal) {
    const auto client = as(user);
    const std::string where = user + " on " + districtName + " district: ";
    const auto expect = [&](const std::string& route, const Response& r, int okStatus, long long before) {
        if (mayWrite)
            allowed(where + route, r, okStatus);
        else
            refused(where + route, r, refusal, before);
    };
    long long before = changeCount();
    expect("PUT /facilities/{id}", putCurrent(user, "facilities", records.facility, {{"notes", "改 " + user}}), 200,
           before);
    before = changeCount();
    expect("PUT /burial-sites/{id}", putCurrent(user, "burial-sites", records.site, {{"village", "改 " + user}}), 200,
           before);
    before = changeCount();
    expect("POST /burial-sites/{id}/progress",
           client.post(pathOf("burial-sites", records.site) + "/progress",
                       object({{"date", "2024-05-01"}, {"graves_handled", 1}, {"note", user}})),
           201, before);
}

// GETs of every kind of record of `district`.
void checkReads(const std::string& user, const Records& records, int status) {
    const auto client = as(user);
    for (const auto& path :
         {pathOf("facilities", records.facility), pathOf("burial-sites", records.site),
          pathOf("burial-sites", records.site) + "/progress", pathOf("prices", records.price),
          pathOf("inspections", records.inspection)}) {
        const auto r = client.get(path);
        BOOST_TEST(r.status == status, user << " GET " << path << ": " << r.describe());
    }
}

const char* const kLists[] = {"/api/v1/facilities", "/api/v1/burial-sites", "/api/v1/prices", "/api/v1/inspections"};

// Every item of every list `user` sees is of `district` (when given).
void checkListsScoped(const std::string& user, const std::string& district) {
    const auto client = as(user);
    for (const char* list : kLists) {
        const auto items = client.all(list);
        BOOST_TEST(!items.empty(), user << " " << list);
        for (const auto& item : items) {
            if (std::string(list) == "/api/v1/prices") {
                // Prices carry their facility; it must be readable by the same user.
                const auto facility = client.get(pathOf("facilities", item->getValue<long long>("facility_id")));
                BOOST_TEST(facility.status == 200, user << " sees a price of a hidden facility");
                if (facility.status == 200) BOOST_TEST(facility.str("district") == district);
            } else {
                BOOST_TEST(item->getValue<std::string>("district") == district, user << " " << list);
            }
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(Permissions)

BOOST_AUTO_TEST_CASE(admin_writes_everywhere) {
    const auto& w = world();
    checkWrites("admin", "own", w.own, kOwn, true);
    checkWrites("admin", "other", w.other, kOther, true);
    checkRecordWrites("admin", "own", w.own, true, 0);
    checkRecordWrites("admin", "other", w.other, true, 0);
    checkReads("admin", w.own, 200);
    checkReads("admin", w.other, 200);
}

BOOST_AUTO_TEST_CASE(citywide_inspector_writes_everywhere) {
    const auto& w = world();
    checkWrites("inspcity", "own", w.own, kOwn, true);
    checkWrites("inspcity", "other", w.other, kOther, true);
    checkRecordWrites("inspcity", "own", w.own, true, 0);
    checkRecordWrites("inspcity", "other", w.other, true, 0);
    checkReads("inspcity", w.own, 200);
    checkReads("inspcity", w.other, 200);
}

BOOST_AUTO_TEST_CASE(district_inspector_writes_in_their_district_only) {
    const auto& w = world();
    checkWrites("insp", "own", w.own, kOwn, true);
    checkWrites("insp", "other", w.other, kOther, false);
    checkRecordWrites("insp", "own", w.own, true, 0);
    checkReads("insp", w.own, 200);
    checkReads("insp", w.other, 404);

    // Moving an own facility into another district is a write there too.
    const auto before = changeCount();
    refused("insp moving a facility to 110105", putCurrent("insp", "facilities", w.own.facility, {{"district", kOther}}),
            403, before);
    BOOST_TEST(as("admin").get(pathOf("facilities", w.own.facility)).str("district") == kOwn);
}

BOOST_AUTO_TEST_CASE(district_it_and_auditor_write_nothing) {
    const auto& w = world();
    for (const char* user : {"it", "aud"}) {
        checkWrites(user, "own", w.own, kOwn, false);
        checkWrites(user, "other", w.other, kOther, false);
        checkRecordWrites(user, "own", w.own, false, 403);
    }
    checkRecordWrites("aud", "other", w.other, false, 403);
    checkReads("it", w.own, 200);
    checkReads("it", w.other, 404);
    checkReads("aud", w.own, 200);
    checkReads("aud", w.other, 200);
}

// API.md: "another district's record is 404 for reads and 403 for writes", also for the routes that write
// to an existing record (PUT, progress) or refer to one (prices, inspections).
BOOST_AUTO_TEST_CASE(writes_to_another_districts_record_are_403) {
    const auto& w = world();
    checkRecordWrites("insp", "other", w.other, false, 403);
    checkRecordWrites("it", "other", w.other, false, 403);
    long long before = changeCount();
    refused("insp POST /prices for a 110105 facility",
            as("insp").post("/api/v1/prices", priceBody(w.other.facility, "basic.cremation", 1, "2025-01-01")), 403,
            before);
    refused("insp POST /inspections of a 110105 facility",
            as("insp").post("/api/v1/inspections", inspectionBody("facility", w.other.facility)), 403, before);
    refused("insp POST /inspections of a 110105 burial site",
            as("insp").post("/api/v1/inspections", inspectionBody("burial_site", w.other.site)), 403, before);
}

BOOST_AUTO_TEST_CASE(district_users_list_only_their_district) {
    world();
    for (const char* user : {"insp", "it"}) {
        checkListsScoped(user, kOwn);
        for (const char* list : kLists) {
            const auto other = as(user).get(std::string(list) + "?district=" + kOther);
            BOOST_TEST(other.status == 403, user << " " << list << ": " << other.describe());
            BOOST_TEST(other.isProblem());
            const auto own = as(user).get(std::string(list) + "?district=" + kOwn);
            BOOST_TEST(own.status == 200, user << " " << list);
        }
    }
    checkListsScoped("insp105", kOther);
    BOOST_TEST(as("insp105").get(std::string("/api/v1/facilities?district=") + kOwn).status == 403);
    const auto en = as("insp").english().get(std::string("/api/v1/facilities?district=") + kOther);
    BOOST_TEST(en.str("detail") == "you may only see records of your own district (110108)", en.describe());
}

BOOST_AUTO_TEST_CASE(citywide_users_list_every_district_or_the_one_they_ask_for) {
    world();
    for (const char* user : {"admin", "inspcity", "aud"}) {
        for (const char* list : kLists) {
            const auto own = as(user).all(std::string(list) + "?district=" + kOwn);
            const auto other = as(user).all(std::string(list) + "?district=" + kOther);
            const auto all = as(user).all(list);
            BOOST_TEST(!own.empty(), user << " " << list);
            BOOST_TEST(!other.empty(), user << " " << list);
            BOOST_TEST(all.size() >= own.size() + other.size(), user << " " << list);
            if (std::string(list) != "/api/v1/prices")
                for (const auto& item : other) BOOST_TEST(item->getValue<std::string>("district") == kOther);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
