// /api/v1/burial-sites and their progress log: forward-only status, `accepted` for inspectors and admins,
// graves_handled as the sum of the log, never past grave_count.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <regex>

using namespace registry::apitest;
using Poco::Dynamic::Var;

namespace {

JsonObject progress(long long graves, const Var& status = Var(), const std::string& date = "2024-05-01") {
    auto o = object({{"date", date}, {"graves_handled", graves}, {"note", "迁入公益性公墓"}});
    if (!status.isEmpty()) o->set("status", status);
    return o;
}

// PUTs the site with a new status as `user`, reading the current version first.
Response moveTo(const std::string& user, long long id, const std::string& status) {
    const auto client = as(user);
    const auto current = as("admin").get(pathOf("burial-sites", id));
    return client.put(pathOf("burial-sites", id), with(current.obj(), {{"status", status}}), current.etag());
}

} // namespace

BOOST_AUTO_TEST_SUITE(BurialSites)

BOOST_AUTO_TEST_CASE(create_read_and_edit) {
    const auto created = as("insp").post("/api/v1/burial-sites", burialSiteBody(kOwn, 12));
    BOOST_TEST(created.status == 201, created.describe());
    BOOST_TEST(created.header("Location") == pathOf("burial-sites", created.id()));
    BOOST_TEST(created.etag() == "\"1\"");
    BOOST_TEST(std::regex_match(created.str("code"), std::regex("B-110108-[0-9]{5}")), created.str("code"));
    BOOST_TEST(created.num("grave_count") == 12);
    BOOST_TEST(created.num("graves_handled") == 0);
    BOOST_TEST(created.str("status") == "surveyed");
    BOOST_TEST(created.str("township") == "温泉镇");
    const auto zones = created.obj()->getArray("zones");
    BOOST_REQUIRE(zones);
    BOOST_TEST(zones->size() == 1u);
    BOOST_TEST(zones->getElement<std::string>(0) == "forest");

    const auto read = as("insp").get(created.header("Location"));
    BOOST_TEST(read.status == 200);
    BOOST_TEST(read.etag() == "\"1\"");

    auto changed = with(read.obj(), {{"zones", array({"forest", "farmland"})}, {"graves_handled", 999}});
    const auto put = as("insp").put(created.header("Location"), changed, read.etag());
    BOOST_TEST(put.status == 200, put.describe());
    BOOST_TEST(put.etag() == "\"2\"");
    BOOST_TEST(put.obj()->getArray("zones")->size() == 2u);
    BOOST_TEST(put.num("graves_handled") == 0, "graves_handled is read-only");

    BOOST_TEST(as("insp").put(created.header("Location"), changed, "").status == 428);
    const auto stale = as("insp").put(created.header("Location"), changed, "\"1\"");
    BOOST_TEST(stale.status == 409);
    BOOST_TEST(stale.obj()->getObject("current")->getValue<int>("version") == 2);
    BOOST_TEST(as("admin").get("/api/v1/burial-sites/999999").status == 404);
}

BOOST_AUTO_TEST_CASE(every_invalid_field_is_listed_at_once) {
    const auto state = dbState();
    const auto r = as("admin").post("/api/v1/burial-sites", object({{"kind", "tomb"},
                                                                     {"district", "110108x"},
                                                                     {"township", "   "},
                                                                     {"grave_count", 0},
                                                                     {"zones", array({"forest", "moon"})},
                                                                     {"protected_relic", "no"},
                                                                     {"measure", "pave"},
                                                                     {"status", "done"},
                                                                     {"target_date", "2030-01-01"},
                                                                     {"lat", 40.0}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("kind", "enum"));
    BOOST_TEST(r.hasError("district", "enum"));
    BOOST_TEST(r.hasError("township", "required"));
    BOOST_TEST(r.hasError("grave_count", "min"));
    BOOST_TEST(r.hasError("zones", "enum"));
    BOOST_TEST(r.hasError("protected_relic", "type"));
    BOOST_TEST(r.hasError("measure", "enum"));
    BOOST_TEST(r.hasError("status", "enum"));
    BOOST_TEST(r.hasError("target_date", "outside_plan"));
    BOOST_TEST(r.hasError("lon", "required"));

    const auto badDate = as("admin").post("/api/v1/burial-sites",
                                          with(burialSiteBody(kOwn), {{"target_date", "2024-02-30"}, {"zones", "forest"}}));
    BOOST_TEST(badDate.hasError("target_date", "date"), badDate.describe());
    BOOST_TEST(badDate.hasError("zones", "type"), badDate.describe());
    const auto twice = as("admin").post("/api/v1/burial-sites",
                                        with(burialSiteBody(kOwn), {{"zones", array({"forest", "forest"})}}));
    BOOST_TEST(twice.hasError("zones", "duplicate"), twice.describe());
    BOOST_TEST(dbState() == state);
}

BOOST_AUTO_TEST_CASE(status_moves_forward_one_step_at_a_time) {
    const auto id = createBurialSite("insp", kOwn).id();
    const auto skip = moveTo("insp", id, "in_progress");
    BOOST_TEST(skip.status == 422, skip.describe());
    BOOST_TEST(skip.hasError("status", "skip"));
    BOOST_TEST(moveTo("insp", id, "planned").status == 200);
    const auto back = moveTo("insp", id, "surveyed");
    BOOST_TEST(back.status == 422, back.describe());
    BOOST_TEST(back.hasError("status", "backward"));
    const auto en = as("insp").english().put(pathOf("burial-sites", id),
                                             with(as("insp").get(pathOf("burial-sites", id)).obj(),
                                                  {{"status", "surveyed"}}),
                                             as("insp").get(pathOf("burial-sites", id)).etag());
    BOOST_TEST(en.message("status") ==
                   "status only moves forward: planned cannot go back to surveyed",
               en.describe());
    BOOST_TEST(moveTo("insp", id, "accepted").hasError("status", "skip"));
    // Staying in the same status is an ordinary edit.
    BOOST_TEST(moveTo("insp", id, "planned").status == 200);
    BOOST_TEST(moveTo("insp", id, "in_progress").status == 200);
    BOOST_TEST(moveTo("insp", id, "completed").status == 200);
    BOOST_TEST(as("insp").get(pathOf("burial-sites", id)).str("status") == "completed");
}

BOOST_AUTO_TEST_CASE(accepted_needs_an_inspector_or_admin) {
    const auto id = createBurialSite("admin", kOwn).id();
    for (const char* s : {"planned", "in_progress", "completed"}) BOOST_REQUIRE_EQUAL(moveTo("admin", id, s).status, 200);
    for (const char* user : {"it", "aud"}) {
        const auto r = moveTo(user, id, "accepted");
        BOOST_TEST(r.status == 403, user << ": " << r.describe());
    }
    BOOST_TEST(as("admin").get(pathOf("burial-sites", id)).str("status") == "completed");
    const auto accepted = moveTo("insp", id, "accepted");
    BOOST_TEST(accepted.status == 200, accepted.describe());
    BOOST_TEST(accepted.str("status") == "accepted");

    const auto viaAdmin = createBurialSite("admin", kOther).id();
    for (const char* s : {"planned", "in_progress", "completed", "accepted"})
        BOOST_TEST(moveTo("admin", viaAdmin, s).status == 200, s);
}

BOOST_AUTO_TEST_CASE(progress_adds_up_and_may_not_exceed_grave_count) {
    const auto site = createBurialSite("insp", kOwn, 10);
    const auto path = pathOf("burial-sites", site.id()) + "/progress";
    const auto insp = as("insp");

    const auto first = insp.post(path, progress(4));
    BOOST_TEST(first.status == 201, first.describe());
    BOOST_TEST(first.num("graves_handled") == 4);
    BOOST_TEST(first.num("site_id") == site.id());
    BOOST_TEST(first.str("recorded_by") == "insp");
    BOOST_TEST(first.obj()->getObject("site")->getValue<int>("graves_handled") == 4);

    const auto state = dbState();
    const auto tooMany = insp.post(path, progress(7));
    BOOST_TEST(tooMany.status == 422, tooMany.describe());
    BOOST_TEST(tooMany.hasError("graves_handled", "exceeds_total"));
    const auto negative = insp.post(path, progress(-1));
    BOOST_TEST(negative.hasError("graves_handled", "min"), negative.describe());
    const auto future = insp.post(path, progress(1, Var(), "2999-01-01"));
    BOOST_TEST(future.hasError("date", "future"), future.describe());
    const auto skip = insp.post(path, progress(1, "in_progress"));
    BOOST_TEST(skip.hasError("status", "skip"), skip.describe());
    const auto missing = insp.post(path, object({{"extra", 1}}));
    BOOST_TEST(missing.status == 422);
    BOOST_TEST(missing.hasError("date", "required"));
    BOOST_TEST(missing.hasError("graves_handled", "required"));
    BOOST_TEST(missing.hasError("extra", "unknown"));
    BOOST_TEST(dbState() == state);

    const auto second = insp.post(path, progress(6, "planned"));
    BOOST_TEST(second.status == 201, second.describe());
    BOOST_TEST(second.str("status") == "planned");
    const auto after = insp.get(pathOf("burial-sites", site.id()));
    BOOST_TEST(after.num("graves_handled") == 10);
    BOOST_TEST(after.str("status") == "planned");
    BOOST_TEST(after.num("version") > 1);
    BOOST_TEST(second.etag() == after.etag());

    const auto full = insp.post(path, progress(1));
    BOOST_TEST(full.hasError("graves_handled", "exceeds_total"));

    const auto log = insp.get(path);
    BOOST_TEST(log.status == 200);
    BOOST_REQUIRE_EQUAL(log.items()->size(), 2u);
    BOOST_TEST(log.items()->getObject(0)->getValue<int>("graves_handled") == 4);
    BOOST_TEST(log.items()->getObject(1)->getValue<int>("graves_handled") == 6);
    BOOST_TEST(log.isNull("next_cursor"));

    BOOST_TEST(insp.get("/api/v1/burial-sites/999999/progress").status == 404);
    BOOST_TEST(insp.post("/api/v1/burial-sites/999999/progress", progress(1)).status == 404);
}

BOOST_AUTO_TEST_CASE(grave_count_may_not_drop_below_the_graves_handled) {
    const auto site = createBurialSite("insp", kOwn, 10);
    BOOST_REQUIRE_EQUAL(as("insp").post(site.header("Location") + "/progress", progress(8)).status, 201);
    const auto current = as("insp").get(site.header("Location"));
    const auto state = dbState();
    const auto r = as("insp").put(site.header("Location"), with(current.obj(), {{"grave_count", 7}}), current.etag());
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("grave_count", "below_handled"));
    BOOST_TEST(dbState() == state);
    const auto ok = as("insp").put(site.header("Location"), with(current.obj(), {{"grave_count", 8}}), current.etag());
    BOOST_TEST(ok.status == 200, ok.describe());
    BOOST_TEST(ok.num("graves_handled") == 8);
}

BOOST_AUTO_TEST_CASE(progress_to_accepted_needs_an_inspector_or_admin) {
    const auto id = createBurialSite("admin", kOwn, 3).id();
    for (const char* s : {"planned", "in_progress", "completed"}) BOOST_REQUIRE_EQUAL(moveTo("admin", id, s).status, 200);
    const auto path = pathOf("burial-sites", id) + "/progress";
    BOOST_TEST(as("it").post(path, progress(3, "accepted")).status == 403);
    BOOST_TEST(as("aud").post(path, progress(3, "accepted")).status == 403);
    const auto ok = as("inspcity").post(path, progress(3, "accepted"));
    BOOST_TEST(ok.status == 201, ok.describe());
    BOOST_TEST(as("admin").get(pathOf("burial-sites", id)).str("status") == "accepted");
}

BOOST_AUTO_TEST_CASE(lists_filter_by_kind_status_measure_and_overdue) {
    const auto admin = as("admin");
    const std::string district = "110117"; // Pinggu: only this test's sites
    BOOST_REQUIRE_EQUAL(admin.post("/api/v1/burial-sites", burialSiteBody(district)).status, 201);
    BOOST_REQUIRE_EQUAL(admin.post("/api/v1/burial-sites", with(burialSiteBody(district), {{"kind", "scattered_graves"},
                                                                                          {"measure", "greening_screen"},
                                                                                          {"status", "completed"}}))
                            .status,
                        201);
    const std::string base = "/api/v1/burial-sites?district=" + district;
    BOOST_TEST(admin.get(base).items()->size() == 2u);
    BOOST_TEST(admin.get(base + "&kind=scattered_graves").items()->size() == 1u);
    BOOST_TEST(admin.get(base + "&status=completed").items()->size() == 1u);
    BOOST_TEST(admin.get(base + "&measure=relocate").items()->size() == 1u);
    // Target dates lie in the 2022–2024 plan, so an unfinished site is overdue today.
    const auto overdue = admin.get(base + "&overdue=true");
    BOOST_TEST(overdue.items()->size() == 1u);
    BOOST_TEST(overdue.items()->getObject(0)->getValue<std::string>("status") == "surveyed");
    BOOST_TEST(admin.get(base + "&overdue=false").items()->size() == 2u);
    for (const char* q : {"&kind=x", "&status=x", "&measure=x", "&overdue=maybe", "&limit=0", "&cursor=%%%"})
        BOOST_TEST(admin.get(base + q).status == 400, q);
}

BOOST_AUTO_TEST_CASE(progress_entries_keep_their_photos_for_those_who_read_the_site) {
    const auto site = createBurialSite("insp", kOwn, 4).id();
    const auto insp = as("insp");
    const auto photo = insp.postRaw("/api/v1/attachments?name=moved.jpg", jpeg(2000, 'B'), "image/jpeg");
    BOOST_REQUIRE_MESSAGE(photo.status == 201, photo.describe());
    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    ids->add(photo.id());
    const std::string path = pathOf("burial-sites", site) + "/progress";

    // A refused entry attaches nothing: the upload stays the writer's for the next try.
    const auto tooMany = insp.post(path, with(progress(9), {{"attachment_ids", ids}}));
    BOOST_TEST(tooMany.status == 422, tooMany.describe());
    BOOST_TEST(tooMany.hasError("graves_handled", "exceeds_total"), tooMany.describe());

    const auto r = insp.post(path, with(progress(2), {{"attachment_ids", ids}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    BOOST_REQUIRE_EQUAL(r.obj()->getArray("attachments")->size(), 1u);
    BOOST_TEST(r.obj()->getArray("attachments")->getObject(0)->getValue<std::string>("purpose") == "progress");
    const auto log = insp.get(path);
    BOOST_REQUIRE_EQUAL(log.status, 200);
    BOOST_TEST(log.items()->getObject(0)->getArray("attachments")->size() == 1u, "listed with the entry");

    const auto file = "/api/v1/attachments/" + std::to_string(photo.id());
    BOOST_TEST(insp.get(file).status == 200);
    BOOST_TEST(as("aud").get(file).status == 200, "an auditor reads every site");
    BOOST_TEST(as("insp105").get(file).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
