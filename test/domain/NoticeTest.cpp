// Rectification notices as values: the number, what a new notice, an answer and a verdict must hold, and
// when a notice is overdue.

#include "domain/Notice.h"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace registry::domain;

namespace {
std::set<std::string> fieldsOf(const FieldErrors& errors) {
    std::set<std::string> out;
    for (const auto& e : errors) out.insert(e.field);
    return out;
}

Notice valid() {
    Notice n;
    n.subjectType = SubjectType::Facility;
    n.subjectId = 7;
    n.findingIds = {3};
    n.requirements = "公示全部收费项目";
    n.deadline = "2026-12-31";
    return n;
}
} // namespace

BOOST_AUTO_TEST_SUITE(notice)

BOOST_AUTO_TEST_CASE(numbers_are_per_district_and_year_with_four_digits) {
    BOOST_TEST(noticeNumber("2026", "110108", 7) == "京民殡整〔2026〕110108-0007号");
    BOOST_TEST(noticeNumber("2027", "110105", 12345) == "京民殡整〔2027〕110105-12345号");
}

BOOST_AUTO_TEST_CASE(a_new_notice_names_its_subject_findings_and_a_deadline_ahead) {
    BOOST_TEST(validateNew(valid(), "2026-12-06").empty());
    BOOST_TEST(validateNew(valid(), "2026-12-31").empty(), "the deadline may be today");
    auto n = valid();
    n.subjectType = SubjectType::Price;
    n.subjectId = 0;
    n.findingIds.clear();
    n.requirements.clear();
    n.deadline = "2026-12-05";
    BOOST_TEST((fieldsOf(validateNew(n, "2026-12-06")) ==
                std::set<std::string>{"subject_type", "subject_id", "finding_ids", "requirements", "deadline"}));
    n = valid();
    n.deadline = "2029-01-01";
    BOOST_TEST(fieldsOf(validateNew(n, "2026-12-06")) == std::set<std::string>{"deadline"}, "more than two years ahead");
    n.deadline = "31/12/2026";
    BOOST_TEST(fieldsOf(validateNew(n, "2026-12-06")) == std::set<std::string>{"deadline"});
}

BOOST_AUTO_TEST_CASE(a_verdict_of_not_rectified_needs_a_note_and_a_new_deadline) {
    NoticeVerification v;
    BOOST_TEST(fieldsOf(validate(v, "2026-12-06")) == std::set<std::string>{"result"});
    v.result = VerificationResult::Rectified;
    BOOST_TEST(validate(v, "2026-12-06").empty(), "rectified needs nothing else");
    v.deadline = "2027-01-31";
    BOOST_TEST(fieldsOf(validate(v, "2026-12-06")) == std::set<std::string>{"deadline"}, "and takes no deadline");
    v.result = VerificationResult::NotRectified;
    v.deadline.reset();
    BOOST_TEST((fieldsOf(validate(v, "2026-12-06")) == std::set<std::string>{"note", "deadline"}));
    v.note = "仍未整改";
    v.deadline = "2027-01-31";
    BOOST_TEST(validate(v, "2026-12-06").empty());
    v.attachmentIds = {1};
    BOOST_TEST(validate(v, "2026-12-06").empty(), "which uploads exist is the store's to say");
    v.attachmentIds = {0};
    BOOST_TEST(fieldsOf(validate(v, "2026-12-06")) == std::set<std::string>{"attachment_ids"});
    NoticeResponse r;
    BOOST_TEST(fieldsOf(validate(r)) == std::set<std::string>{"text"});
}

BOOST_AUTO_TEST_CASE(overdue_is_past_the_deadline_and_not_verified) {
    auto n = valid();
    BOOST_TEST(!overdue(n, "2026-12-31"), "the deadline day itself is not late");
    BOOST_TEST(overdue(n, "2027-01-01"));
    n.status = NoticeStatus::Responded;
    BOOST_TEST(overdue(n, "2027-01-01"), "an answer does not stop the clock: the verdict does");
    n.status = NoticeStatus::Verified;
    BOOST_TEST(!overdue(n, "2027-01-01"));
}

BOOST_AUTO_TEST_SUITE_END()
