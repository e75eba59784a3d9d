// kill -9 of the server at random moments during concurrent writes, 20 rounds: every write that got a 2xx
// is there after the restart with exactly the acknowledged content, none is half there, and the change log
// has exactly one entry per write.
#include "fault/FaultSupport.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timespan.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace registry::faulttest;

namespace {

/// A record as stored, without what later writes or the answer alone change.
std::string content(JsonObject o, std::initializer_list<const char*> ignore) {
    o = parseObject(stringify(o));
    o->remove("checks");
    for (const char* name : ignore) o->remove(name);
    return stringify(o);
}

std::string dayString(int day) {
    Poco::DateTime d(2020, 1, 1);
    d += Poco::Timespan(day, 0, 0, 0, 0);
    return Poco::DateTimeFormatter::format(d, "%Y-%m-%d");
}

/// One writer: its own facility (updated with If-Match) and its own price item (each new price supersedes the
/// last), plus new facilities now and then.
struct Writer {
    int index = 0;
    long long facility = 0;
    std::string etag;
    int day = 0;   // the next price's effective_from, never reused
    int serial = 0;
    std::map<long long, std::string> ackedPrices;     // id -> content
    std::map<long long, std::string> ackedFacilities; // created ones: id -> content at creation
    long long ackedVersion = 0;                        // of `facility`
    std::string ackedFacility;                         // its content at that version
    std::optional<std::string> inFlightName;           // an update whose answer never came, this round
    std::string error;                                 // an answer that was not the success expected
    std::string item() const { return index == 0 ? "basic.cremation" : index == 1 ? "basic.transport" : "basic.storage"; }
};

void writeUntilKilled(int port, const std::string& token, Writer& w, std::mt19937 random) {
    for (;;) {
        const int op = static_cast<int>(random() % 5);
        try {
            if (op <= 1) {
                const auto body = priceBody(w.facility, w.item(), 10000 + w.serial, dayString(w.day++));
                const auto a = call(port, "POST", "/api/v1/prices", token, stringify(body));
                if (a.status != 201) throw std::runtime_error("price: " + std::to_string(a.status) + " " + a.body);
                w.ackedPrices[a.obj()->getValue<long long>("id")] = content(a.obj(), {"effective_to", "superseded_by"});
            } else if (op <= 3) {
                const std::string name = "断电测试馆 " + std::to_string(w.index) + "-" + std::to_string(w.serial);
                auto body = facilityBody(name);
                w.inFlightName = name;
                const auto a = call(port, "PUT", "/api/v1/facilities/" + std::to_string(w.facility), token,
                                    stringify(body), w.etag);
                if (a.status != 200) throw std::runtime_error("update: " + std::to_string(a.status) + " " + a.body);
                w.inFlightName.reset();
                w.etag = a.header("ETag");
                w.ackedVersion = a.obj()->getValue<long long>("version");
                w.ackedFacility = content(a.obj(), {});
            } else {
                const auto a = call(port, "POST", "/api/v1/facilities", token,
                                    stringify(facilityBody("新增测试馆 " + std::to_string(w.serial))));
                if (a.status != 201) throw std::runtime_error("create: " + std::to_string(a.status) + " " + a.body);
                w.ackedFacilities[a.obj()->getValue<long long>("id")] = content(a.obj(), {});
            }
            ++w.serial;
        } catch (const Poco::Exception&) {
            return; // the server is gone; this write's fate is unknown
        } catch (const std::exception& e) {
            w.error = e.what(); // reported by the test's own thread
            return;
        }
    }
}

void verify(int port, const std::string& token, std::vector<Writer>& writers, int round) {
    BOOST_TEST_CONTEXT("after round " << round) {
        std::map<std::tuple<std::string, long long, std::string>, int> changes; // (entity, id, action) -> count
        std::map<long long, std::set<long long>> facilityUpdateVersions;
        for (const auto& c : listAll(port, token, "/api/v1/changes")) {
            const auto entity = c->getValue<std::string>("entity");
            const auto id = c->getValue<long long>("entity_id");
            const auto action = c->getValue<std::string>("action");
            ++changes[{entity, id, action}];
            if (entity == "facility" && action == "update")
                facilityUpdateVersions[id].insert(c->getObject("after")->getValue<long long>("version"));
        }
        std::map<long long, JsonObject> facilities;
        for (const auto& f : listAll(port, token, "/api/v1/facilities")) facilities[f->getValue<long long>("id")] = f;
        for (const auto& [id, f] : facilities) {
            BOOST_TEST(changes[std::make_tuple(std::string("facility"), id, std::string("create"))] == 1,
                       "facility " << id << " has not exactly one create entry");
            const auto version = f->getValue<long long>("version");
            BOOST_TEST(static_cast<long long>(facilityUpdateVersions[id].size()) == version - 1,
                       "facility " << id << " at version " << version << " has " << facilityUpdateVersions[id].size()
                                   << " update entries");
            BOOST_TEST(changes[std::make_tuple(std::string("facility"), id, std::string("update"))] == version - 1);
        }
        for (auto& w : writers) {
            for (const auto& [id, stored] : w.ackedFacilities) {
                BOOST_TEST_REQUIRE(facilities.count(id) == 1, "acknowledged facility " << id << " is missing");
                BOOST_TEST(content(facilities[id], {}) == stored);
            }
            // The writer's own facility: the acknowledged version, or the one after it if the update that
            // never got its answer was committed.
            BOOST_TEST_REQUIRE(facilities.count(w.facility) == 1);
            const auto& f = facilities[w.facility];
            const auto version = f->getValue<long long>("version");
            if (version == w.ackedVersion) {
                BOOST_TEST(content(f, {}) == w.ackedFacility);
            } else {
                BOOST_TEST(version == w.ackedVersion + 1, "facility " << w.facility << " is at version " << version
                                                                       << ", acknowledged " << w.ackedVersion);
                BOOST_TEST((w.inFlightName && f->getValue<std::string>("name") == *w.inFlightName));
                w.ackedVersion = version; // from now on the committed one is the one to keep
                w.ackedFacility = content(f, {});
            }
            w.inFlightName.reset();
            w.etag = "\"" + std::to_string(version) + "\"";

            // The writer's price chain: every acknowledged price, each closed by the next one.
            auto chain = listAll(port, token, "/api/v1/prices?facility_id=" + std::to_string(w.facility) +
                                                  "&item=" + w.item());
            std::sort(chain.begin(), chain.end(), [](const JsonObject& a, const JsonObject& b) {
                return a->getValue<std::string>("effective_from") < b->getValue<std::string>("effective_from");
            });
            std::set<long long> present;
            for (std::size_t i = 0; i < chain.size(); ++i) {
                const auto id = chain[i]->getValue<long long>("id");
                present.insert(id);
                BOOST_TEST(changes[std::make_tuple(std::string("price"), id, std::string("create"))] == 1,
                           "price " << id << " has not exactly one create entry");
                if (i + 1 < chain.size()) {
                    const auto next = chain[i + 1];
                    BOOST_TEST(chain[i]->getValue<long long>("superseded_by") == next->getValue<long long>("id"),
                               "price " << id << " is not closed by the next one");
                    BOOST_TEST(!chain[i]->isNull("effective_to"));
                    BOOST_TEST(changes[std::make_tuple(std::string("price"), id, std::string("supersede"))] == 1);
                } else {
                    BOOST_TEST(chain[i]->isNull("superseded_by"), "the last price " << id << " is closed");
                    BOOST_TEST(chain[i]->isNull("effective_to"));
                    BOOST_TEST(changes[std::make_tuple(std::string("price"), id, std::string("supersede"))] == 0);
                }
                const auto acked = w.ackedPrices.find(id);
                if (acked != w.ackedPrices.end())
                    BOOST_TEST(content(chain[i], {"effective_to", "superseded_by"}) == acked->second);
            }
            for (const auto& [id, stored] : w.ackedPrices)
                BOOST_TEST(present.count(id) == 1, "acknowledged price " << id << " is missing");
        }
    }
}

void killDuringWrites() {
    Registry registry;
    ServerProcess server(registry);
    server.start();
    const auto token = registry.token("admin");
    std::vector<Writer> writers(3);
    for (int i = 0; i < 3; ++i) {
        writers[i].index = i;
        const auto a = call(server.port(), "POST", "/api/v1/facilities", token,
                            stringify(facilityBody("断电测试馆 " + std::to_string(i))));
        BOOST_REQUIRE_MESSAGE(a.status == 201, a.body);
        writers[i].facility = a.obj()->getValue<long long>("id");
        writers[i].etag = a.header("ETag");
        writers[i].ackedVersion = a.obj()->getValue<long long>("version");
        writers[i].ackedFacility = content(a.obj(), {});
        writers[i].ackedFacilities[writers[i].facility] = content(a.obj(), {});
    }
    for (auto& w : writers) w.ackedFacilities.clear(); // the writers' own facilities are checked by version

    std::mt19937 random(20261129);
    int acknowledged = 0;
    for (int round = 1; round <= 20; ++round) {
        std::vector<std::thread> threads;
        for (auto& w : writers)
            threads.emplace_back(writeUntilKilled, server.port(), token, std::ref(w), std::mt19937(random()));
        std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 1300));
        server.kill9();
        for (auto& t : threads) t.join();
        for (auto& w : writers) {
            BOOST_TEST(w.error.empty(), "round " << round << ", writer " << w.index << ": " << w.error);
            w.error.clear();
        }
        server.start();
        verify(server.port(), token, writers, round);
    }
    for (const auto& w : writers) acknowledged += static_cast<int>(w.ackedPrices.size() + w.ackedFacilities.size()) + static_cast<int>(w.ackedVersion) - 1;
    BOOST_TEST_MESSAGE("20 kill -9 rounds on " << registry.url().substr(0, registry.url().find(":")) << ": " << acknowledged
                                               << " acknowledged writes, every one intact");
    BOOST_TEST(acknowledged > 60, "too few writes were acknowledged to prove anything");
    BOOST_TEST(server.stop() == 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(kill_during_writes)

BOOST_AUTO_TEST_CASE(twenty_kill_9_rounds_lose_no_acknowledged_write_and_leave_none_half_done) { killDuringWrites(); }

BOOST_AUTO_TEST_SUITE_END()
