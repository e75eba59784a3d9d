// Validation as a user of the forms and the API sees it: every invalid field reported at once, each with
// its API field name, a stable code, a Chinese message and an English one.

#include "domain/BurialSite.h"
#include "domain/Dates.h"
#include "domain/Facility.h"
#include "domain/FieldError.h"
#include "domain/Inspection.h"
#include "domain/Price.h"
#include "domain/User.h"

#include <boost/test/unit_test.hpp>

#include <limits>
#include <map>
#include <string>

using namespace registry::domain;

namespace {

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

bool hasChinese(const std::string& s) {
    // A three-byte UTF-8 sequence in the CJK Unified Ideographs block (U+4E00–U+9FFF) starts with E4–E9.
    for (unsigned char c : s)
        if (c >= 0xE4 && c <= 0xE9) return true;
    return false;
}

bool isAscii(const std::string& s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

/// field → code; fails the test when a field is reported twice.
std::map<std::string, std::string> byField(const FieldErrors& errors) {
    std::map<std::string, std::string> out;
    for (const auto& e : errors)
        BOOST_TEST(out.emplace(e.field, e.code).second, "field " << e.field << " twice");
    return out;
}

/// A copy of the one error of `field`, which must have `code` and both messages.
FieldError expectError(const FieldErrors& errors, const std::string& field, const std::string& code) {
    const FieldError* found = nullptr;
    for (const auto& e : errors)
        if (e.field == field) found = &e;
    BOOST_TEST_REQUIRE(found != nullptr, "no error for " << field);
    BOOST_TEST(found->code == code, field);
    BOOST_TEST(hasChinese(found->messageZh), field << ": Chinese message '" << found->messageZh << "'");
    BOOST_TEST(!found->messageEn.empty(), field);
    BOOST_TEST(isAscii(found->messageEn), field << ": English message '" << found->messageEn << "'");
    return *found;
}

std::string describe(const FieldErrors& errors) {
    std::string out;
    for (const auto& e : errors)
        out += e.field + "/" + e.code + ": " + e.messageEn + "; ";
    return out;
}

Facility validFacility() {
    Facility f;
    f.name = "北京市八宝山殡仪馆";
    f.kind = FacilityKind::FuneralHome;
    f.district = "110107";
    f.address = "石景山区石景山路9号";
    f.operatorName = "北京市殡葬事务管理中心";
    f.approvalNo = "京民殡字[2021]1号";
    f.status = FacilityStatus::Operating;
    f.planAction = PlanAction::Upgrade;
    f.planPhase = PlanPhase::P2021_2025;
    f.capacityTotal = 5000;
    f.capacityUsed = 5000;
    f.areaM2 = 12000.5;
    f.lat = 39.9067;
    f.lon = 116.2397;
    f.notes = "第一行\n第二行\t制表";
    return f;
}

BurialSite validSite() {
    BurialSite s;
    s.kind = BurialSiteKind::ScatteredGraves;
    s.district = "110117";
    s.township = "峪口镇";
    s.village = "西营村";
    s.location = "村北耕地内";
    s.lat = 40.17;
    s.lon = 117.05;
    s.graveCount = 12;
    s.zones = {Zone::Farmland, Zone::WaterSource};
    s.measure = Measure::Relocate;
    s.status = BurialSiteStatus::Planned;
    s.targetDate = "2023-06-30";
    s.responsibleUnit = "峪口镇人民政府";
    return s;
}

PriceRecord validPrice() {
    PriceRecord p;
    p.facilityId = 7;
    p.item = "cemetery.plot";
    p.amountFen = 2'880'000;
    p.unit = "per_plot";
    p.effectiveFrom = "2024-03-01";
    p.displayed = true;
    p.areaM2 = 1.0;
    p.termYears = 20;
    p.source = PriceSource::Inspection;
    p.note = "现场公示牌";
    return p;
}

ReferencePrice validReference() {
    ReferencePrice r;
    r.item = "basic.cremation";
    r.district = "110108";
    r.capFen = 48000;
    r.effectiveFrom = "2022-01-01";
    r.effectiveTo = "2024-12-31";
    r.basis = "示例数据,非官方限价";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

// ---- text -------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(length_counts_characters_not_bytes) {
    BOOST_TEST(utf8Length("").value() == 0u);
    BOOST_TEST(utf8Length("abc").value() == 3u);
    BOOST_TEST(utf8Length("海淀区").value() == 3u);
    BOOST_TEST(utf8Length("€ 𠀀 é").value() == 5u); // 3-, 4- and 2-byte sequences
    BOOST_TEST(utf8Length("a\tb\nc\r\n").value() == 7u);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected) {
    for (const char* bad : {"\xff", "caf\xe9", "\xe6\xae", "\xe6\xae\xa1\xe6", "\x80", "\xc0\xaf",
                            "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80"})
        BOOST_TEST(!utf8Length(bad).has_value(), "accepted bytes of '" << bad << "'");
    Facility f = validFacility();
    f.name = "殡仪馆\xe9";
    expectError(validate(f), "name", "encoding");
}

BOOST_AUTO_TEST_CASE(control_characters_are_rejected) {
    for (const std::string& bad : {std::string("a\x01"), std::string("\x1b[31m"), std::string("a\0b", 3),
                                   std::string("a\x7f"), std::string("a\xc2\x85"), std::string("\x0b")})
        BOOST_TEST(!utf8Length(bad).has_value(), "accepted a control character");
    Facility f = validFacility();
    f.name = "八宝山\x07殡仪馆";
    f.notes = std::string("备注\0", 7);
    const auto errors = validate(f);
    BOOST_TEST(byField(errors).size() == 2u, describe(errors));
    expectError(errors, "name", "encoding");
    expectError(errors, "notes", "encoding");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- facility -----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(facility)

BOOST_AUTO_TEST_CASE(a_valid_facility_has_no_errors) {
    const auto errors = validate(validFacility());
    BOOST_TEST(errors.empty(), describe(errors));
    // Optional fields may all be left out.
    Facility minimal;
    minimal.name = "怀柔区殡葬服务站";
    minimal.district = "110116";
    BOOST_TEST(validate(minimal).empty(), describe(validate(minimal)));
}

BOOST_AUTO_TEST_CASE(a_new_funeral_home_is_a_finding_not_an_invalid_record) {
    Facility f = validFacility();
    f.planAction = PlanAction::NewBuild;
    BOOST_TEST(validate(f).empty());
}

BOOST_AUTO_TEST_CASE(all_errors_are_reported_at_once) {
    Facility f = validFacility();
    f.name = "";
    f.district = "110100";
    f.capacityTotal = 100;
    f.capacityUsed = 101;
    f.lat = 31.23; // Shanghai
    f.lon = 121.47;
    const auto errors = validate(f);
    const auto fields = byField(errors);
    BOOST_TEST(fields.size() == 5u, describe(errors));
    expectError(errors, "name", "required");
    expectError(errors, "district", "enum");
    expectError(errors, "capacity_used", "exceeds_total");
    expectError(errors, "lat", "outside_beijing");
    expectError(errors, "lon", "outside_beijing");
}

BOOST_AUTO_TEST_CASE(blank_name_is_required) {
    Facility f = validFacility();
    f.name = " \t\n ";
    expectError(validate(f), "name", "required");
    f.district = "";
    expectError(validate(f), "district", "required");
}

BOOST_AUTO_TEST_CASE(name_is_at_most_200_characters) {
    Facility f = validFacility();
    f.name = repeat("墓", 200); // 600 bytes, 200 characters
    BOOST_TEST(validate(f).empty(), describe(validate(f)));
    f.name = repeat("a", 200);
    BOOST_TEST(validate(f).empty());
    f.name = repeat("墓", 201);
    const auto& error = expectError(validate(f), "name", "too_long");
    BOOST_TEST(error.messageZh.find("200") != std::string::npos, error.messageZh);
    BOOST_TEST(error.messageEn.find("200") != std::string::npos, error.messageEn);
}

BOOST_AUTO_TEST_CASE(lat_without_lon_is_an_error) {
    Facility f = validFacility();
    f.lon.reset();
    auto errors = validate(f);
    BOOST_TEST(errors.size() == 1u, describe(errors));
    expectError(errors, "lon", "required");
    f = validFacility();
    f.lat.reset();
    errors = validate(f);
    BOOST_TEST(errors.size() == 1u, describe(errors));
    expectError(errors, "lat", "required");
    f.lon.reset();
    BOOST_TEST(validate(f).empty());
}

BOOST_AUTO_TEST_CASE(location_must_lie_inside_beijing) {
    Facility f = validFacility();
    f.lat = 39.4;
    f.lon = 117.6; // the box's edges are inside
    BOOST_TEST(validate(f).empty());
    f.lat = 41.11;
    f.lon = 116.4;
    expectError(validate(f), "lat", "outside_beijing");
    f.lat = 40.0;
    f.lon = 115.39;
    expectError(validate(f), "lon", "outside_beijing");
    f.lon = std::numeric_limits<double>::quiet_NaN();
    expectError(validate(f), "lon", "outside_beijing");
}

BOOST_AUTO_TEST_CASE(capacity_rules) {
    Facility f = validFacility();
    f.capacityTotal.reset();
    expectError(validate(f), "capacity_total", "required"); // used without total
    f = validFacility();
    f.capacityUsed = -1;
    auto errors = validate(f);
    BOOST_TEST(errors.size() == 1u, describe(errors)); // no exceeds_total on top of min
    expectError(errors, "capacity_used", "min");
    f = validFacility();
    f.capacityTotal = -5;
    f.capacityUsed.reset();
    expectError(validate(f), "capacity_total", "min");
    f = validFacility();
    f.areaM2 = -1.0;
    expectError(validate(f), "area_m2", "min");
    f.areaM2 = std::numeric_limits<double>::infinity();
    expectError(validate(f), "area_m2", "type");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- burial site --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(burial_site)

BOOST_AUTO_TEST_CASE(a_valid_site_has_no_errors) {
    const auto errors = validate(validSite(), PlanWindow{});
    BOOST_TEST(errors.empty(), describe(errors));
}

BOOST_AUTO_TEST_CASE(grave_count_must_be_at_least_one) {
    BurialSite s = validSite();
    s.graveCount = 0;
    expectError(validate(s, PlanWindow{}), "grave_count", "min");
    s.graveCount = 1;
    BOOST_TEST(validate(s, PlanWindow{}).empty());
}

BOOST_AUTO_TEST_CASE(target_date_inside_the_plan_window) {
    BurialSite s = validSite();
    s.targetDate = "2022-01-01";
    BOOST_TEST(validate(s, PlanWindow{}).empty());
    s.targetDate = "2024-12-31";
    BOOST_TEST(validate(s, PlanWindow{}).empty());
    s.targetDate = "2025-01-01";
    const auto& error = expectError(validate(s, PlanWindow{}), "target_date", "outside_plan");
    BOOST_TEST(error.messageZh.find("2024-12-31") != std::string::npos, error.messageZh);
    s.targetDate = "2021-12-31";
    expectError(validate(s, PlanWindow{}), "target_date", "outside_plan");
    // The window is a setting.
    s.targetDate = "2025-06-30";
    BOOST_TEST(validate(s, PlanWindow{"2023-01-01", "2025-12-31"}).empty());
    // An invalid or missing date is reported once, as such.
    s.targetDate = "2024-02-30";
    auto errors = validate(s, PlanWindow{});
    BOOST_TEST(errors.size() == 1u, describe(errors));
    expectError(errors, "target_date", "date");
    s.targetDate = "";
    expectError(validate(s, PlanWindow{}), "target_date", "required");
}

BOOST_AUTO_TEST_CASE(zones_may_not_repeat) {
    BurialSite s = validSite();
    s.zones = {Zone::Forest, Zone::Farmland, Zone::Forest, Zone::Farmland};
    const auto errors = validate(s, PlanWindow{});
    BOOST_TEST(errors.size() == 1u, describe(errors));
    expectError(errors, "zones", "duplicate");
    s.zones = {};
    BOOST_TEST(validate(s, PlanWindow{}).empty());
}

BOOST_AUTO_TEST_CASE(all_site_errors_at_once) {
    BurialSite s = validSite();
    s.district = "999999";
    s.township = "";
    s.graveCount = -3;
    s.lat.reset();
    s.targetDate = "2030-01-01";
    const auto errors = validate(s, PlanWindow{});
    BOOST_TEST(byField(errors).size() == 5u, describe(errors));
    expectError(errors, "district", "enum");
    expectError(errors, "township", "required");
    expectError(errors, "grave_count", "min");
    expectError(errors, "lat", "required");
    expectError(errors, "target_date", "outside_plan");
}

BOOST_AUTO_TEST_CASE(zones_text_round_trip) {
    const std::vector<Zone> zones{Zone::Farmland, Zone::ParkScenic, Zone::RailHighway};
    BOOST_TEST(joinZones(zones) == "farmland,park_scenic,rail_highway");
    BOOST_TEST((splitZones("farmland,park_scenic,rail_highway") == zones));
    BOOST_TEST(joinZones({}) == "");
    BOOST_TEST(splitZones("").value().empty());
    BOOST_TEST(!splitZones("farmland,desert").has_value());
    BOOST_TEST(!splitZones("Farmland").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- status transitions -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(status_change)

BOOST_AUTO_TEST_CASE(only_forward_one_step_at_a_time) {
    const auto all = allEnumValues<BurialSiteStatus>();
    for (auto from : all)
        for (auto to : all) {
            BOOST_TEST_CONTEXT(toString(from) << " -> " << toString(to)) {
                const int step = static_cast<int>(to) - static_cast<int>(from);
                const auto error = checkStatusChange(from, to);
                if (step == 0 || step == 1) {
                    BOOST_TEST(!error.has_value());
                } else {
                    BOOST_TEST_REQUIRE(error.has_value());
                    BOOST_TEST(error->field == "status");
                    BOOST_TEST(error->code == (step > 1 ? "skip" : "backward"));
                    BOOST_TEST(hasChinese(error->messageZh));
                    BOOST_TEST(isAscii(error->messageEn));
                }
            }
        }
}

BOOST_AUTO_TEST_CASE(messages_name_the_statuses) {
    const auto skip = checkStatusChange(BurialSiteStatus::Surveyed, BurialSiteStatus::InProgress);
    BOOST_TEST_REQUIRE(skip.has_value());
    BOOST_TEST(skip->code == "skip");
    BOOST_TEST(skip->messageZh.find("已制定方案") != std::string::npos, skip->messageZh); // the next step
    BOOST_TEST(skip->messageEn.find("planned") != std::string::npos, skip->messageEn);
    const auto back = checkStatusChange(BurialSiteStatus::Accepted, BurialSiteStatus::Completed);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(back->code == "backward");
    BOOST_TEST(back->messageZh.find("已验收") != std::string::npos, back->messageZh);
    BOOST_TEST(back->messageEn.find("accepted") != std::string::npos, back->messageEn);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- progress entries ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(an_entry_up_to_the_grave_count_is_valid) {
    BurialSite site = validSite();
    site.graveCount = 10;
    site.gravesHandled = 7;
    site.status = BurialSiteStatus::InProgress;
    ProgressEntry e;
    e.date = todayUtc();
    e.gravesHandled = 3;
    e.status = BurialSiteStatus::Completed;
    e.note = "全部迁入公益性公墓";
    BOOST_TEST(validate(e, site).empty(), describe(validate(e, site)));
    e.gravesHandled = 0;
    e.status.reset();
    BOOST_TEST(validate(e, site).empty());
}

BOOST_AUTO_TEST_CASE(exceeding_the_grave_count_names_the_totals) {
    BurialSite site = validSite();
    site.graveCount = 10;
    site.gravesHandled = 7;
    ProgressEntry e;
    e.date = "2023-05-01";
    e.gravesHandled = 4;
    const auto& error = expectError(validate(e, site), "graves_handled", "exceeds_total");
    for (const std::string& message : {error.messageZh, error.messageEn}) {
        BOOST_TEST(message.find('7') != std::string::npos, message);
        BOOST_TEST(message.find("10") != std::string::npos, message);
    }
    e.gravesHandled = -1;
    expectError(validate(e, site), "graves_handled", "min");
}

BOOST_AUTO_TEST_CASE(dates_in_the_future_are_rejected) {
    BurialSite site = validSite();
    ProgressEntry e;
    e.gravesHandled = 1;
    e.date = addDays(todayUtc(), 3);
    expectError(validate(e, site), "date", "future");
    e.date = "2999-01-01";
    expectError(validate(e, site), "date", "future");
    e.date = "2023-13-01";
    expectError(validate(e, site), "date", "date");
    e.date = "";
    expectError(validate(e, site), "date", "required");
}

BOOST_AUTO_TEST_CASE(a_status_with_the_entry_must_be_the_next_step) {
    BurialSite site = validSite();
    site.status = BurialSiteStatus::Surveyed;
    ProgressEntry e;
    e.date = "2023-05-01";
    e.gravesHandled = 2;
    e.status = BurialSiteStatus::Completed;
    expectError(validate(e, site), "status", "skip");
    site.status = BurialSiteStatus::Accepted;
    e.gravesHandled = 0;
    expectError(validate(e, site), "status", "backward");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- prices ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(price)

BOOST_AUTO_TEST_CASE(a_valid_price_has_no_errors) {
    BOOST_TEST(validate(validPrice()).empty(), describe(validate(validPrice())));
    // An item outside the catalogue is recorded; plugins flag it as an unauthorised fee.
    PriceRecord p = validPrice();
    p.item = "ext.parking_fee";
    p.unit = "";
    p.areaM2.reset();
    p.termYears.reset();
    p.amountFen = 0;
    BOOST_TEST(validate(p).empty(), describe(validate(p)));
}

BOOST_AUTO_TEST_CASE(all_price_errors_at_once) {
    PriceRecord p = validPrice();
    p.facilityId = 0;
    p.item = "Basic Cremation";
    p.amountFen = -100;
    p.unit = "每具";
    p.effectiveFrom = "2024/03/01";
    p.areaM2 = 0.0;
    p.termYears = 0;
    const auto errors = validate(p);
    BOOST_TEST(byField(errors).size() == 7u, describe(errors));
    expectError(errors, "facility_id", "required");
    expectError(errors, "item", "format");
    expectError(errors, "amount_fen", "min");
    expectError(errors, "unit", "format");
    expectError(errors, "effective_from", "date");
    expectError(errors, "attributes.area_m2", "min");
    expectError(errors, "attributes.term_years", "min");
}

BOOST_AUTO_TEST_CASE(item_codes_and_amount_limits) {
    PriceRecord p = validPrice();
    for (const char* bad :
         {"basic.", ".basic", "basic..cremation", "1basic", "basic-cremation", "基本.火化"}) {
        p.item = bad;
        expectError(validate(p), "item", "format");
    }
    p.item = "";
    expectError(validate(p), "item", "required");
    p = validPrice();
    p.amountFen = maxAmountFen;
    BOOST_TEST(validate(p).empty());
    p.amountFen = maxAmountFen + 1;
    expectError(validate(p), "amount_fen", "max");
    p = validPrice();
    p.effectiveFrom = "";
    expectError(validate(p), "effective_from", "required");
    p = validPrice();
    p.termYears = 1;
    BOOST_TEST(validate(p).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- reference prices -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(reference_price)

BOOST_AUTO_TEST_CASE(a_valid_reference_price_has_no_errors) {
    BOOST_TEST(validate(validReference()).empty(), describe(validate(validReference())));
    ReferencePrice citywide = validReference();
    citywide.district.reset();
    citywide.effectiveTo.reset();
    BOOST_TEST(validate(citywide).empty());
    ReferencePrice oneDay = validReference();
    oneDay.effectiveTo = oneDay.effectiveFrom;
    BOOST_TEST(validate(oneDay).empty());
}

BOOST_AUTO_TEST_CASE(unknown_item_is_rejected) {
    ReferencePrice r = validReference();
    r.item = "goods.coffin";
    expectError(validate(r), "item", "enum");
    r.item = "";
    expectError(validate(r), "item", "required");
}

BOOST_AUTO_TEST_CASE(effective_to_before_effective_from_is_rejected) {
    ReferencePrice r = validReference();
    r.effectiveFrom = "2024-01-01";
    r.effectiveTo = "2023-12-31";
    expectError(validate(r), "effective_to", "before_start");
    r.effectiveTo = "2023-02-29";
    const auto errors = validate(r);
    BOOST_TEST(errors.size() == 1u, describe(errors));
    expectError(errors, "effective_to", "date");
}

BOOST_AUTO_TEST_CASE(all_reference_errors_at_once) {
    ReferencePrice r = validReference();
    r.item = "basic.coffin";
    r.district = "110100";
    r.capFen = -1;
    r.effectiveFrom = "2024-13-01";
    r.basis = "";
    const auto errors = validate(r);
    BOOST_TEST(byField(errors).size() == 5u, describe(errors));
    expectError(errors, "item", "enum");
    expectError(errors, "district", "enum");
    expectError(errors, "cap_fen", "min");
    expectError(errors, "effective_from", "date");
    expectError(errors, "basis", "required");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- inspections ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(inspection)

BOOST_AUTO_TEST_CASE(inspection_rules) {
    Inspection i;
    i.subjectType = SubjectType::BurialSite;
    i.subjectId = 3;
    i.date = "2023-09-12";
    i.result = InspectionResult::IssuesFound;
    i.checklistJson = R"({"price_displayed":false})";
    BOOST_TEST(validate(i).empty(), describe(validate(i)));
    i.subjectType = SubjectType::Price;
    i.subjectId = 0;
    i.date = addDays(todayUtc(), 5);
    const auto errors = validate(i);
    BOOST_TEST(byField(errors).size() == 3u, describe(errors));
    expectError(errors, "subject_type", "enum");
    expectError(errors, "subject_id", "required");
    expectError(errors, "date", "future");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- users ----------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(user)

BOOST_AUTO_TEST_CASE(valid_users) {
    for (const char* name : {"zhang.san", "li_si", "inspector-07", "ab", "admin"}) {
        User u;
        u.username = name;
        u.displayName = "张三";
        u.district = "110108";
        BOOST_TEST(validate(u).empty(), name << ": " << describe(validate(u)));
    }
}

BOOST_AUTO_TEST_CASE(bad_usernames_are_rejected) {
    for (const std::string& name :
         {std::string("Zhang"), std::string("zhang san"), std::string("张三"), std::string("a"),
          repeat("a", 65), std::string("zhang@bureau"), std::string("a\nb")}) {
        User u;
        u.username = name;
        expectError(validate(u), "username", "format");
    }
    User u;
    expectError(validate(u), "username", "required");
    u.username = repeat("a", 64);
    BOOST_TEST(validate(u).empty());
}

BOOST_AUTO_TEST_CASE(district_must_be_a_beijing_district) {
    User u;
    u.username = "wang";
    u.district = "110100";
    expectError(validate(u), "district", "enum");
    u.district.reset(); // citywide
    BOOST_TEST(validate(u).empty());
}

BOOST_AUTO_TEST_CASE(emails_are_plain_addresses_that_cannot_reach_another_header) {
    User u;
    u.username = "wang";
    for (const char* good : {"wang@example.cn", "li.si+alerts@mca.beijing.gov.cn", "a@b.cn"}) {
        u.email = good;
        BOOST_TEST(validate(u).empty(), good << ": " << describe(validate(u)));
    }
    for (const std::string& bad :
         {std::string("wang"), std::string("wang@"), std::string("@example.cn"), std::string("wang@example"),
          std::string("wang@example."), std::string("wang@@example.cn"), std::string("wang @example.cn"),
          std::string("wang@example.cn\r\nBcc: x@evil.cn"), std::string("a@example.cn, b@example.cn"),
          std::string("王@example.cn"), std::string("<wang@example.cn>"), std::string("wang@example..cn"),
          std::string(""), repeat("a", 250) + "@b.cn"}) {
        u.email = bad;
        expectError(validate(u), "email", "format");
    }
    u.email.reset(); // none
    BOOST_TEST(validate(u).empty());
}

BOOST_AUTO_TEST_CASE(passwords) {
    const auto tooShort = checkPassword("short");
    BOOST_TEST_REQUIRE(tooShort.has_value());
    BOOST_TEST(tooShort->field == "password");
    BOOST_TEST(tooShort->code == "too_short");
    BOOST_TEST(hasChinese(tooShort->messageZh));
    BOOST_TEST(tooShort->messageEn.find("10") != std::string::npos);
    BOOST_TEST(checkPassword("").has_value());
    BOOST_TEST(checkPassword("123456789").has_value());
    BOOST_TEST(!checkPassword("1234567890").has_value());
    BOOST_TEST(!checkPassword(repeat("密", 10)).has_value()); // characters, not bytes
    BOOST_TEST(checkPassword(repeat("密", 9)).has_value());
    BOOST_TEST(!checkPassword(repeat("x", 200)).has_value());
    const auto tooLong = checkPassword(repeat("x", 201));
    BOOST_TEST_REQUIRE(tooLong.has_value());
    BOOST_TEST(tooLong->code == "too_long");
    // A long password with a byte that is not text is refused for that, not as "too short".
    const auto binary = checkPassword("correct horse battery\x01staple");
    BOOST_TEST_REQUIRE(binary.has_value());
    BOOST_TEST(binary->code == "encoding");
    BOOST_TEST(hasChinese(binary->messageZh));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
