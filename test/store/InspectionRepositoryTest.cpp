// Inspections of facilities and burial sites: the district comes from the subject (not from the client),
// a subject that does not exist is a field error, and the list filters.

#include "StoreTestSupport.h"

#include "store/BurialSiteRepository.h"
#include "store/FacilityRepository.h"
#include "store/InspectionRepository.h"

using namespace registry;
using namespace registry::test;
using domain::Inspection;
using domain::SubjectType;

namespace {

Inspection inspection(SubjectType type, long long subject, const std::string& date = "2023-05-10") {
    Inspection i;
    i.subjectType = type;
    i.subjectId = subject;
    i.date = date;
    i.result = domain::InspectionResult::IssuesFound;
    i.checklistJson = R"({"明码标价":"否","price_board":false})";
    i.notes = "未公示火化价格";
    return i;
}

std::vector<long long> ids(const std::vector<Inspection>& list) {
    std::vector<long long> out;
    for (const auto& i : list)
        out.push_back(i.id);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(inspection_repository)

BOOST_AUTO_TEST_CASE(district_is_taken_from_the_subject) {
    TestDatabase t;
    store::InspectionRepository repo(t.db());
    const auto facility =
        store::FacilityRepository(t.db()).create(sampleFacility("朝阳公墓", "110105"), actor);
    const auto site = store::BurialSiteRepository(t.db()).create(sampleSite("110111"), actor);

    auto onFacility = inspection(SubjectType::Facility, facility.id);
    onFacility.district = "110108"; // whatever the client says
    const auto a = repo.create(onFacility, "inspector1");
    BOOST_TEST(a.id > 0);
    BOOST_TEST(a.district == "110105");
    BOOST_TEST(a.inspector == "inspector1");
    BOOST_TEST(a.version == 1);

    const auto b = repo.create(inspection(SubjectType::BurialSite, site.id), "inspector2");
    BOOST_TEST(b.district == "110111");

    const auto got = repo.get(a.id);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST((got->subjectType == SubjectType::Facility));
    BOOST_TEST(got->subjectId == facility.id);
    BOOST_TEST(got->district == "110105");
    BOOST_TEST(got->date == "2023-05-10");
    BOOST_TEST((got->result == domain::InspectionResult::IssuesFound));
    BOOST_TEST(parseJson(got->checklistJson)->getValue<std::string>("明码标价") == "否");
    BOOST_TEST(got->notes == "未公示火化价格");
    BOOST_TEST(got->inspector == "inspector1");
    BOOST_TEST(got->createdAt == a.createdAt);
    BOOST_TEST((repo.get(b.id)->subjectType == SubjectType::BurialSite));
    BOOST_TEST(!repo.get(b.id + 10).has_value());
    BOOST_TEST(countRows(t.db(), "change_log", "entity = 'inspection'") == 2);
}

BOOST_AUTO_TEST_CASE(unknown_subject_and_invalid_fields_are_refused) {
    TestDatabase t;
    store::InspectionRepository repo(t.db());
    const auto facility = store::FacilityRepository(t.db()).create(sampleFacility("某公墓", "110105"), actor);
    const auto changes = countRows(t.db(), "change_log");

    BOOST_TEST(hasError(
        validationErrors([&] { repo.create(inspection(SubjectType::Facility, facility.id + 50), actor); }),
        "subject_id", "not_found"));
    // A facility id is not a burial site id.
    BOOST_TEST(hasError(
        validationErrors([&] { repo.create(inspection(SubjectType::BurialSite, facility.id), actor); }),
        "subject_id", "not_found"));
    BOOST_TEST(
        hasError(validationErrors([&] { repo.create(inspection(SubjectType::Price, facility.id), actor); }),
                 "subject_type"));

    auto bad = inspection(SubjectType::Facility, 0, "2023-02-29");
    const auto errors = validationErrors([&] { repo.create(bad, actor); });
    BOOST_TEST(hasError(errors, "subject_id", "required"));
    BOOST_TEST(hasError(errors, "date"));
    BOOST_TEST(hasError(validationErrors([&] {
                            repo.create(inspection(SubjectType::Facility, facility.id, "2999-01-01"), actor);
                        }),
                        "date", "future"));

    BOOST_TEST(countRows(t.db(), "inspections") == 0);
    BOOST_TEST(countRows(t.db(), "change_log") == changes);
}

BOOST_AUTO_TEST_CASE(malformed_checklist_is_a_field_error) {
    TestDatabase t;
    store::InspectionRepository repo(t.db());
    const auto facility = store::FacilityRepository(t.db()).create(sampleFacility("某公墓", "110105"), actor);
    auto bad = inspection(SubjectType::Facility, facility.id);
    bad.checklistJson = "{not json";
    BOOST_TEST(hasError(validationErrors([&] { repo.create(bad, actor); }), "checklist"));
    bad.checklistJson = "[1, 2]";
    BOOST_TEST(hasError(validationErrors([&] { repo.create(bad, actor); }), "checklist"));
    BOOST_TEST(countRows(t.db(), "inspections") == 0);
}

BOOST_AUTO_TEST_CASE(list_filters) {
    TestDatabase t;
    store::InspectionRepository repo(t.db());
    store::FacilityRepository facilities(t.db());
    const auto f1 = facilities.create(sampleFacility("朝阳公墓", "110105"), actor).id;
    const auto f2 = facilities.create(sampleFacility("海淀公墓", "110108"), actor).id;
    const auto s1 = store::BurialSiteRepository(t.db()).create(sampleSite("110108"), actor).id;
    const auto i1 = repo.create(inspection(SubjectType::Facility, f1), actor).id;
    const auto i2 = repo.create(inspection(SubjectType::Facility, f2), actor).id;
    const auto i3 = repo.create(inspection(SubjectType::BurialSite, s1), actor).id;
    const auto i4 = repo.create(inspection(SubjectType::Facility, f1, "2023-06-01"), actor).id;
    using V = std::vector<long long>;

    store::InspectionFilter filter;
    BOOST_TEST(ids(repo.list(filter, {}).items) == (V{i1, i2, i3, i4}), boost::test_tools::per_element());
    filter.subjectType = SubjectType::Facility;
    BOOST_TEST(ids(repo.list(filter, {}).items) == (V{i1, i2, i4}), boost::test_tools::per_element());
    filter.subjectId = f1;
    BOOST_TEST(ids(repo.list(filter, {}).items) == (V{i1, i4}), boost::test_tools::per_element());
    filter = {};
    filter.subjectType = SubjectType::BurialSite;
    filter.subjectId = s1;
    BOOST_TEST(ids(repo.list(filter, {}).items) == (V{i3}), boost::test_tools::per_element());
    filter = {};
    filter.district = "110108";
    BOOST_TEST(ids(repo.list(filter, {}).items) == (V{i2, i3}), boost::test_tools::per_element());
    filter.subjectType = SubjectType::Facility;
    BOOST_TEST(ids(repo.list(filter, {}).items) == (V{i2}), boost::test_tools::per_element());
    filter = {};
    filter.district = "110119";
    BOOST_TEST(repo.list(filter, {}).items.empty());

    const auto page1 = repo.list({}, {3, 0});
    BOOST_TEST(ids(page1.items) == (V{i1, i2, i3}), boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(page1.nextAfterId.has_value());
    const auto page2 = repo.list({}, {3, *page1.nextAfterId});
    BOOST_TEST(ids(page2.items) == (V{i4}), boost::test_tools::per_element());
    BOOST_TEST(!page2.nextAfterId.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
