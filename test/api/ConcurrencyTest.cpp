// Many clients at once: updates with the same version (exactly one wins per version, the rest get 409,
// one change-log entry per success), and creations that must not share a code.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

using namespace registry::apitest;

namespace {

constexpr int kClients = 8;

// Runs `work(i)` on kClients threads released together, and returns each thread's answer.
template <class Work> std::vector<Response> together(Work work) {
    std::vector<Response> answers(kClients);
    std::vector<std::string> failures(kClients);
    std::mutex mutex;
    std::condition_variable go;
    int ready = 0;
    bool released = false;
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            {
                std::unique_lock<std::mutex> lock(mutex);
                ++ready;
                go.notify_all();
                go.wait(lock, [&] { return released; });
            }
            try {
                answers[i] = work(i);
            } catch (const std::exception& e) {
                failures[i] = e.what();
            }
        });
    }
    {
        std::unique_lock<std::mutex> lock(mutex);
        go.wait(lock, [&] { return ready == kClients; });
        released = true;
    }
    go.notify_all();
    for (auto& t : threads) t.join();
    for (int i = 0; i < kClients; ++i) BOOST_TEST(failures[i].empty(), "client " << i << ": " << failures[i]);
    return answers;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Concurrency)

BOOST_AUTO_TEST_CASE(same_version_updates_one_wins_the_rest_get_409) {
    const auto created = createFacility("insp", kOwn, "并发修改");
    const auto path = created.header("Location");
    const std::string changes = "/api/v1/changes?entity=facility&entity_id=" + std::to_string(created.id());
    const auto admin = as("admin");

    for (int round = 0; round < 3; ++round) {
        const auto current = admin.get(path);
        const auto logBefore = admin.all(changes);
        const auto answers = together([&](int i) {
            return as(i % 2 ? "insp" : "inspcity")
                .put(path, with(facilityBody(kOwn, "并发修改 第" + std::to_string(round) + "轮 客户" + std::to_string(i)),
                                {{"capacity_used", 100 + i}}),
                     current.etag());
        });
        int ok = 0, conflicts = 0;
        std::string winner;
        for (const auto& a : answers) {
            if (a.status == 200) {
                ++ok;
                winner = a.str("name");
            } else if (a.status == 409) {
                ++conflicts;
                BOOST_TEST(a.isProblem());
                BOOST_TEST(a.obj()->getObject("current")->getValue<long long>("version") == current.num("version") + 1);
            } else {
                BOOST_ERROR("round " << round << ": neither 200 nor 409: " << a.describe());
            }
        }
        BOOST_TEST(ok == 1, "round " << round);
        BOOST_TEST(conflicts == kClients - 1, "round " << round);

        const auto after = admin.get(path);
        BOOST_TEST(after.num("version") == current.num("version") + 1);
        BOOST_TEST(after.str("name") == winner, "the stored record is the winner's");
        const auto logAfter = admin.all(changes);
        BOOST_REQUIRE_EQUAL(logAfter.size(), logBefore.size() + 1);
        BOOST_TEST(logAfter.back()->getValue<std::string>("action") == "update");
        BOOST_TEST(logAfter.back()->getObject("after")->getValue<std::string>("name") == winner);
        BOOST_TEST(logAfter.back()->getObject("before")->getValue<long long>("version") == current.num("version"));
    }
}

BOOST_AUTO_TEST_CASE(same_version_burial_site_updates_one_wins) {
    const auto path = createBurialSite("insp", kOwn).header("Location");
    const auto created = as("insp").get(path); // what a client edits: the record as read
    const auto before = as("admin").count("/api/v1/changes?entity=burial_site&entity_id=" + std::to_string(created.id()));
    const auto answers = together([&](int i) {
        return as("insp").put(path, with(created.obj(), {{"village", "村 " + std::to_string(i)}, {"status", "planned"}}),
                              created.etag());
    });
    int ok = 0, conflicts = 0;
    for (const auto& a : answers) {
        ok += a.status == 200;
        conflicts += a.status == 409;
    }
    BOOST_TEST(ok == 1);
    BOOST_TEST(conflicts == kClients - 1);
    BOOST_TEST(as("admin").count("/api/v1/changes?entity=burial_site&entity_id=" + std::to_string(created.id())) ==
               before + 1);
}

BOOST_AUTO_TEST_CASE(concurrent_creations_get_distinct_codes) {
    const auto answers = together([](int i) {
        return as(i % 2 ? "inspcity" : "admin").post("/api/v1/facilities", facilityBody("110109", "并发登记 " + std::to_string(i)));
    });
    std::set<std::string> codes;
    for (const auto& a : answers) {
        BOOST_TEST(a.status == 201, a.describe());
        if (a.status == 201) codes.insert(a.str("code"));
    }
    BOOST_TEST(codes.size() == static_cast<std::size_t>(kClients));
}

BOOST_AUTO_TEST_CASE(concurrent_progress_never_exceeds_grave_count) {
    const auto site = createBurialSite("admin", kOwn, 5);
    const auto path = site.header("Location") + "/progress";
    const auto answers = together([&](int) {
        return as("inspcity").post(path, object({{"date", "2024-05-01"}, {"graves_handled", 1}, {"note", "并发"}}));
    });
    int created = 0;
    for (const auto& a : answers) {
        BOOST_TEST((a.status == 201 || a.status == 422 || a.status == 409), a.describe());
        created += a.status == 201;
    }
    BOOST_TEST(created == 5);
    BOOST_TEST(as("admin").get(site.header("Location")).num("graves_handled") == 5);
    BOOST_TEST(as("admin").get(path).items()->size() == 5u);
}

BOOST_AUTO_TEST_CASE(concurrent_prices_keep_one_current_record) {
    const auto facility = createFacility("admin", kOwn, "并发价格").id();
    const auto answers = together([&](int i) {
        return as("admin").post("/api/v1/prices",
                                with(priceBody(facility, "basic.cremation", 50000 + i, "2024-0" + std::to_string(1 + i) + "-01"),
                                     {{"note", "并发 " + std::to_string(i)}}));
    });
    int created = 0;
    for (const auto& a : answers) {
        BOOST_TEST((a.status == 201 || a.status == 422), a.describe());
        created += a.status == 201;
    }
    BOOST_TEST(created >= 1);
    const std::string list = "/api/v1/prices?facility_id=" + std::to_string(facility);
    BOOST_TEST(as("admin").get(list + "&current=true").items()->size() == 1u);
    BOOST_TEST(as("admin").get(list).items()->size() == static_cast<std::size_t>(created));
}

BOOST_AUTO_TEST_SUITE_END()
