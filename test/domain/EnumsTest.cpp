// The enumerations' string forms are part of the API and the plugin contract (DOMAIN.md, API.md): every
// value has exactly one entry, the codes are the documented ones, and parsing is exact.

#include "domain/Enums.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using namespace registry::domain;

namespace {

// Every enumerator from 0 to `last` has exactly one entry, with a distinct, non-empty code and names, and
// survives parseEnum(toString(v)).
template <class E> void checkComplete(const char* name, E last) {
    BOOST_TEST_CONTEXT(name) {
        const auto& entries = EnumTraits<E>::entries;
        const int count = static_cast<int>(last) + 1;
        BOOST_TEST(entries.size() == static_cast<std::size_t>(count));
        std::set<std::string> codes;
        for (int i = 0; i < count; ++i) {
            const E value = static_cast<E>(i);
            int seen = 0;
            for (const auto& e : entries)
                if (e.value == value) ++seen;
            BOOST_TEST(seen == 1, "value " << i << " has " << seen << " entries");
            const std::string code = toString(value);
            BOOST_TEST(!code.empty());
            BOOST_TEST(!zhName(value).empty());
            BOOST_TEST(!enName(value).empty());
            codes.insert(code);
            const auto parsed = parseEnum<E>(code);
            BOOST_TEST_REQUIRE(parsed.has_value(), "code " << code << " does not parse");
            BOOST_TEST(static_cast<int>(*parsed) == i);
        }
        BOOST_TEST(codes.size() == static_cast<std::size_t>(count), "codes are not distinct");
        BOOST_TEST(allEnumValues<E>().size() == static_cast<std::size_t>(count));
    }
}

// The codes in declaration order, exactly.
template <class E> std::vector<std::string> codesOf() {
    std::vector<std::string> out;
    for (E v : allEnumValues<E>())
        out.push_back(toString(v));
    return out;
}

using Codes = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(enums)

BOOST_AUTO_TEST_CASE(every_value_has_one_entry_and_a_distinct_code) {
    checkComplete("FacilityKind", FacilityKind::FuneralServiceStation);
    checkComplete("FacilityStatus", FacilityStatus::Closed);
    checkComplete("PlanAction", PlanAction::Close);
    checkComplete("PlanPhase", PlanPhase::P2031_2035);
    checkComplete("BurialSiteKind", BurialSiteKind::ScatteredGraves);
    checkComplete("Zone", Zone::RailHighway);
    checkComplete("Measure", Measure::RetainProtect);
    checkComplete("BurialSiteStatus", BurialSiteStatus::Accepted);
    checkComplete("PriceCategory", PriceCategory::Goods);
    checkComplete("PriceRegime", PriceRegime::Market);
    checkComplete("PriceSource", PriceSource::Import);
    checkComplete("SubjectType", SubjectType::Price);
    checkComplete("InspectionResult", InspectionResult::IssuesFound);
    checkComplete("Role", Role::Operator);
    checkComplete("Severity", Severity::Error);
    checkComplete("FindingStatus", FindingStatus::Waived);
    checkComplete("AuditStatus", AuditStatus::Cancelled);
    checkComplete("AuditTrigger", AuditTrigger::Manual);
    checkComplete("NoticeStatus", NoticeStatus::Verified);
    checkComplete("VerificationResult", VerificationResult::NotRectified);
}

BOOST_AUTO_TEST_CASE(facility_codes_are_those_of_the_domain_brief) {
    BOOST_TEST(codesOf<FacilityKind>() ==
                   (Codes{"funeral_home", "crematorium", "operating_cemetery", "public_welfare_cemetery",
                          "rural_public_welfare_cemetery", "columbarium", "funeral_service_station"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<FacilityStatus>() ==
                   (Codes{"planned", "under_construction", "operating", "suspended", "closed"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<PlanAction>() ==
                   (Codes{"retain", "expand", "upgrade", "relocate", "new_build", "close"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<PlanPhase>() == (Codes{"2021-2025", "2026-2030", "2031-2035"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(burial_site_codes_are_those_of_the_domain_brief) {
    BOOST_TEST(codesOf<BurialSiteKind>() == (Codes{"historical_burial_point", "scattered_graves"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<Zone>() ==
                   (Codes{"farmland", "forest", "park_scenic", "water_source", "rail_highway"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<Measure>() == (Codes{"relocate", "deep_bury_no_mound", "greening_screen",
                                            "renovate_upgrade", "consolidate", "retain_protect"}),
               boost::test_tools::per_element());
    // Declared in the only order a site may move through.
    BOOST_TEST(codesOf<BurialSiteStatus>() ==
                   (Codes{"surveyed", "planned", "in_progress", "completed", "accepted"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(price_and_workflow_codes_are_those_of_the_api) {
    BOOST_TEST(codesOf<PriceCategory>() == (Codes{"basic", "extended", "cemetery", "goods"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<PriceRegime>() == (Codes{"government_set", "government_guided", "market"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<PriceSource>() == (Codes{"inspection", "self_report", "import"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<SubjectType>() == (Codes{"facility", "burial_site", "price"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<InspectionResult>() == (Codes{"pass", "issues_found"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<Role>() == (Codes{"admin", "inspector", "district_it", "auditor", "operator"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<Severity>() == (Codes{"info", "warning", "violation", "error"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<FindingStatus>() == (Codes{"open", "acknowledged", "resolved", "waived"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<AuditStatus>() == (Codes{"queued", "running", "succeeded", "failed", "cancelled"}),
               boost::test_tools::per_element());
    BOOST_TEST(codesOf<AuditTrigger>() == (Codes{"schedule", "manual"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(chinese_names_are_those_of_the_domain_brief) {
    BOOST_TEST(zhName(FacilityKind::FuneralHome) == "殡仪馆");
    BOOST_TEST(zhName(FacilityKind::Crematorium) == "火化场");
    BOOST_TEST(zhName(FacilityKind::OperatingCemetery) == "经营性公墓");
    BOOST_TEST(zhName(FacilityKind::PublicWelfareCemetery) == "城市公益性公墓");
    BOOST_TEST(zhName(FacilityKind::RuralPublicWelfareCemetery) == "农村公益性墓地");
    BOOST_TEST(zhName(FacilityKind::Columbarium) == "骨灰堂");
    BOOST_TEST(zhName(FacilityKind::FuneralServiceStation) == "殡葬服务站");
    BOOST_TEST(zhName(PlanAction::Upgrade) == "提升改造");
    BOOST_TEST(zhName(PlanAction::Relocate) == "迁建");
    BOOST_TEST(zhName(PlanAction::NewBuild) == "新建");
    BOOST_TEST(zhName(PlanAction::Close) == "关停");
    BOOST_TEST(zhName(BurialSiteKind::HistoricalBurialPoint) == "历史埋葬点");
    BOOST_TEST(zhName(BurialSiteKind::ScatteredGraves) == "散坟");
    BOOST_TEST(zhName(Zone::Farmland) == "耕地");
    BOOST_TEST(zhName(Zone::Forest) == "林地");
    BOOST_TEST(zhName(Measure::Relocate) == "迁入公益性公墓");
    BOOST_TEST(zhName(Measure::DeepBuryNoMound) == "深埋不留坟头");
    BOOST_TEST(zhName(Measure::RetainProtect) == "保留保护(文物)");
    BOOST_TEST(zhName(BurialSiteStatus::Accepted) == "已验收");
    BOOST_TEST(zhName(PriceRegime::GovernmentSet) == "政府定价");
    BOOST_TEST(zhName(PriceRegime::GovernmentGuided) == "政府指导价");
    BOOST_TEST(zhName(PriceRegime::Market) == "市场调节价");
}

BOOST_AUTO_TEST_CASE(exact_api_strings_parse) {
    BOOST_TEST((parseEnum<FacilityKind>("rural_public_welfare_cemetery") ==
                FacilityKind::RuralPublicWelfareCemetery));
    BOOST_TEST((parseEnum<Measure>("deep_bury_no_mound") == Measure::DeepBuryNoMound));
    BOOST_TEST((parseEnum<PlanPhase>("2021-2025") == PlanPhase::P2021_2025));
    BOOST_TEST((parseEnum<PlanPhase>("2031-2035") == PlanPhase::P2031_2035));
    BOOST_TEST((parseEnum<BurialSiteStatus>("in_progress") == BurialSiteStatus::InProgress));
    BOOST_TEST((parseEnum<PlanAction>("new_build") == PlanAction::NewBuild));
    BOOST_TEST((parseEnum<Role>("district_it") == Role::DistrictIt));
    BOOST_TEST((parseEnum<PriceSource>("self_report") == PriceSource::SelfReport));
    // "planned" is a code of two enumerations, each parsing to its own.
    BOOST_TEST((parseEnum<FacilityStatus>("planned") == FacilityStatus::Planned));
    BOOST_TEST((parseEnum<BurialSiteStatus>("planned") == BurialSiteStatus::Planned));
}

BOOST_AUTO_TEST_CASE(unknown_and_case_different_strings_are_rejected) {
    for (const char* text :
         {"", "Funeral_Home", "FUNERAL_HOME", "funeral-home", "funeralhome", " funeral_home", "funeral_home ",
          "funeral_home\n", "殡仪馆", "Funeral home", "cemetery"})
        BOOST_TEST(!parseEnum<FacilityKind>(text).has_value(), "accepted '" << text << "'");
    for (const char* text : {"2021_2025", "2021–2025", "2021-2035", "2021", "P2021_2025"})
        BOOST_TEST(!parseEnum<PlanPhase>(text).has_value(), "accepted '" << text << "'");
    for (const char* text : {"In_Progress", "in progress", "inprogress", "done", "已验收"})
        BOOST_TEST(!parseEnum<BurialSiteStatus>(text).has_value(), "accepted '" << text << "'");
    // A value of another enumeration is not one of this one.
    BOOST_TEST(!parseEnum<Measure>("farmland").has_value());
    BOOST_TEST(!parseEnum<Zone>("relocate").has_value());
    // A string with an embedded NUL is not the code it starts with.
    BOOST_TEST(!parseEnum<Role>(std::string_view("admin\0x", 7)).has_value());
}

BOOST_AUTO_TEST_CASE(allowed_values_lists_codes_for_error_messages) {
    BOOST_TEST(allowedValues<BurialSiteStatus>() == "surveyed, planned, in_progress, completed, accepted");
    BOOST_TEST(allowedValues<InspectionResult>() == "pass, issues_found");
}

BOOST_AUTO_TEST_SUITE_END()
