// /api/v1/inspections of facilities and burial sites.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;

BOOST_AUTO_TEST_SUITE(Inspections)

BOOST_AUTO_TEST_CASE(inspections_of_facilities_and_burial_sites) {
    const auto facility = createFacility("insp", kOwn, "检查对象殡仪馆").id();
    const auto site = createBurialSite("insp", kOwn).id();
    const auto insp = as("insp");

    const auto r = insp.post("/api/v1/inspections", inspectionBody("facility", facility));
    BOOST_TEST(r.status == 201, r.describe());
    BOOST_TEST(r.header("Location") == pathOf("inspections", r.id()));
    BOOST_TEST(r.etag() == "\"1\"");
    BOOST_TEST(r.str("subject_type") == "facility");
    BOOST_TEST(r.num("subject_id") == facility);
    BOOST_TEST(r.str("district") == "110108", "the district comes from the subject");
    BOOST_TEST(r.str("result") == "issues_found");
    BOOST_TEST(r.str("inspector") == "insp");
    BOOST_TEST(r.obj()->getObject("checklist")->getValue<bool>("price_displayed") == false);
    BOOST_TEST(r.str("notes") == "价格未公示");

    const auto onSite = insp.post("/api/v1/inspections", with(inspectionBody("burial_site", site), {{"result", "pass"}}));
    BOOST_TEST(onSite.status == 201, onSite.describe());

    const auto read = insp.get(r.header("Location"));
    BOOST_TEST(read.status == 200);
    BOOST_TEST(read.record() == r.record());

    const auto bySubject = insp.get("/api/v1/inspections?subject_type=facility&subject_id=" + std::to_string(facility));
    BOOST_TEST(bySubject.status == 200);
    BOOST_REQUIRE_EQUAL(bySubject.items()->size(), 1u);
    BOOST_TEST(bySubject.items()->getObject(0)->getValue<long long>("id") == r.id());
    const auto sites = insp.get("/api/v1/inspections?subject_type=burial_site&subject_id=" + std::to_string(site));
    BOOST_TEST(sites.items()->size() == 1u);
    BOOST_TEST(as("admin").get("/api/v1/inspections/999999").status == 404);
    for (const char* q : {"subject_type=shop", "subject_id=x", "district=1", "limit=9999"})
        BOOST_TEST(insp.get(std::string("/api/v1/inspections?") + q).status == 400, q);
}

BOOST_AUTO_TEST_CASE(inspection_fields_are_checked_all_at_once) {
    const auto state = dbState();
    const auto admin = as("admin");
    const auto r = admin.post("/api/v1/inspections", object({{"subject_type", "shop"},
                                                             {"subject_id", "one"},
                                                             {"date", "01/05/2024"},
                                                             {"result", "meh"},
                                                             {"checklist", "all fine"},
                                                             {"notes", std::string(4001, 'x')},
                                                             {"score", 3}}));
    BOOST_TEST(r.status == 422, r.describe());
    BOOST_TEST(r.hasError("subject_type", "enum"));
    BOOST_TEST(r.hasError("subject_id", "type"));
    BOOST_TEST(r.hasError("date", "date"));
    BOOST_TEST(r.hasError("result", "enum"));
    BOOST_TEST(r.hasError("checklist", "type"));
    BOOST_TEST(r.hasError("notes", "too_long"));
    BOOST_TEST(r.hasError("score", "unknown"));

    const auto unknownSubject = admin.post("/api/v1/inspections", inspectionBody("facility", 999999));
    BOOST_TEST(unknownSubject.status == 422, unknownSubject.describe());
    BOOST_TEST(unknownSubject.hasError("subject_id", "not_found"));
    const auto price = admin.post("/api/v1/inspections", inspectionBody("price", 1));
    BOOST_TEST(price.hasError("subject_type", "enum"), price.describe());
    const auto future = admin.post("/api/v1/inspections",
                                   with(inspectionBody("facility", createFacility("admin", kOwn).id()),
                                        {{"date", "2999-12-31"}}));
    BOOST_TEST(future.hasError("date", "future"), future.describe());
    BOOST_TEST(dbState().inspections == state.inspections);
}

BOOST_AUTO_TEST_CASE(an_inspection_keeps_its_photos_for_those_who_read_it) {
    const auto facility = createFacility("insp", kOwn, "检查取证殡仪馆").id();
    const auto insp = as("insp");
    const auto photo = insp.postRaw("/api/v1/attachments?name=" + std::string("%E7%8E%B0%E5%9C%BA.jpg"), jpeg(2000, 'I'), "image/jpeg");
    BOOST_REQUIRE_MESSAGE(photo.status == 201, photo.describe());

    // Another inspector's upload is not the writer's to name: nothing is recorded.
    const auto theirs = as("insp105").postRaw("/api/v1/attachments", jpeg(2000, 'T'), "image/jpeg");
    BOOST_REQUIRE_EQUAL(theirs.status, 201);
    const auto before = as("admin").count("/api/v1/inspections");
    Poco::JSON::Array::Ptr wrong = new Poco::JSON::Array;
    wrong->add(theirs.id());
    const auto refused = insp.post("/api/v1/inspections", with(inspectionBody("facility", facility), {{"attachment_ids", wrong}}));
    BOOST_TEST(refused.status == 422, refused.describe());
    BOOST_TEST(refused.hasError("attachment_ids", "not_found"), refused.describe());
    BOOST_TEST(as("admin").count("/api/v1/inspections") == before, "a refused inspection stores nothing");

    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    ids->add(photo.id());
    const auto r = insp.post("/api/v1/inspections", with(inspectionBody("facility", facility), {{"attachment_ids", ids}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    const auto files = r.obj()->getArray("attachments");
    BOOST_REQUIRE_EQUAL(files->size(), 1u);
    BOOST_TEST(files->getObject(0)->getValue<std::string>("purpose") == "inspection");
    BOOST_TEST(files->getObject(0)->getValue<std::string>("file_name") == "现场.jpg");
    BOOST_TEST(insp.get(r.header("Location")).obj()->getArray("attachments")->size() == 1u, "read back with it");
    const auto listed = insp.get("/api/v1/inspections?subject_type=facility&subject_id=" + std::to_string(facility));
    BOOST_TEST(listed.items()->getObject(0)->getArray("attachments")->size() == 1u, "and in the list");

    // Whoever reads the inspection reads the photo; another district's inspector is told it does not exist.
    const auto file = "/api/v1/attachments/" + std::to_string(photo.id());
    BOOST_TEST(insp.get(file).status == 200);
    BOOST_TEST(as("inspcity").get(file).status == 200);
    BOOST_TEST(as("insp105").get(file).status == 404);
    BOOST_TEST(as("insp105").get(r.header("Location")).status == 404);

    // Attached once for good.
    const auto again = insp.post("/api/v1/inspections", with(inspectionBody("facility", facility), {{"attachment_ids", ids}}));
    BOOST_TEST(again.status == 422, again.describe());
    BOOST_TEST(again.hasError("attachment_ids", "attached"), again.describe());
}

BOOST_AUTO_TEST_CASE(the_web_forms_take_photos_with_an_inspection_and_a_progress_entry) {
    const auto facility = createFacility("insp", kOwn, "网页检查取证殡仪馆").id();
    const auto site = createBurialSite("insp", kOwn, 5).id();
    WebSession web("insp");
    const std::string formPath = "/facilities/" + std::to_string(facility) + "/inspections/new";
    const auto form = web.get(formPath);
    BOOST_REQUIRE_EQUAL(form.status, 200);
    BOOST_TEST(form.body.find("enctype=\"multipart/form-data\"") != std::string::npos);
    BOOST_TEST(form.body.find("type=\"file\" id=\"f-files\" name=\"files\" multiple") != std::string::npos);

    std::vector<std::pair<std::string, std::string>> fields{{"date", "2024-05-01"}, {"result", "pass"}, {"notes", "现场照片"}};
    for (const char* check : {"licence_shown", "prices_displayed", "no_bundled_sale", "records_complete", "fire_safety"})
        fields.emplace_back(std::string("check_") + check, "pass");
    const auto count = [&] { return as("admin").count("/api/v1/inspections?subject_type=facility&subject_id=" + std::to_string(facility)); };

    // A page renamed .jpg is refused beside the input, and nothing is recorded.
    const auto refused = web.postFiles(formPath, fields, {{"files", "假照片.jpg", "image/jpeg", "<html>not a photo</html>"}});
    BOOST_TEST(refused.status == 422, refused.describe().substr(0, 500));
    BOOST_TEST(refused.body.find("假照片.jpg") != std::string::npos);
    BOOST_TEST(count() == 0);

    const auto saved = web.postFiles(formPath, fields, {{"files", "大厅.jpg", "image/jpeg", jpeg(3000, 'W')}});
    BOOST_REQUIRE_MESSAGE(saved.status == 303, saved.describe().substr(0, 2000));
    const auto listed = as("admin").get("/api/v1/inspections?subject_type=facility&subject_id=" + std::to_string(facility));
    BOOST_REQUIRE_EQUAL(listed.items()->size(), 1u);
    const auto files = listed.items()->getObject(0)->getArray("attachments");
    BOOST_REQUIRE_EQUAL(files->size(), 1u);
    const auto photo = "/attachments/" + std::to_string(files->getObject(0)->getValue<long long>("id"));
    BOOST_TEST(web.get("/facilities/" + std::to_string(facility)).body.find("<img src=\"" + photo + "\"") != std::string::npos);
    BOOST_TEST(web.get(photo).status == 200);
    BOOST_TEST(WebSession("insp105").get(photo).status == 404);

    // A burial site's progress entry with its photo, shown in the site's progress log.
    const std::string progressPath = "/burial-sites/" + std::to_string(site) + "/progress/new";
    BOOST_TEST(web.get(progressPath).body.find("enctype=\"multipart/form-data\"") != std::string::npos);
    const auto entry = web.postFiles(progressPath, {{"date", "2024-05-02"}, {"graves_handled", "2"}, {"note", "迁出两座"}},
                                     {{"files", "迁坟.jpg", "image/jpeg", jpeg(2500, 'P')}});
    BOOST_REQUIRE_MESSAGE(entry.status == 303, entry.describe().substr(0, 2000));
    const auto log = as("admin").get(pathOf("burial-sites", site) + "/progress");
    BOOST_REQUIRE_EQUAL(log.items()->size(), 1u);
    const auto entryFiles = log.items()->getObject(0)->getArray("attachments");
    BOOST_REQUIRE_EQUAL(entryFiles->size(), 1u);
    const auto entryPhoto = "/attachments/" + std::to_string(entryFiles->getObject(0)->getValue<long long>("id"));
    BOOST_TEST(web.get("/burial-sites/" + std::to_string(site)).body.find("<img src=\"" + entryPhoto + "\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
