// Records as JSON with the field names of API.md: what a client reads in responses, the change log and
// exports.

#include "codec/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace registry::domain;
using Poco::JSON::Object;
using registry::codec::stringify;
using registry::codec::toJson;

namespace {

using Names = std::set<std::string>;

Names namesOf(const Object::Ptr& o) {
    Names out;
    for (const auto& name : o->getNames())
        out.insert(name);
    return out;
}

/// The object a client receives: stringified and parsed back, so the test sees the wire form.
Object::Ptr roundTrip(const Object::Ptr& o) {
    Poco::JSON::Parser parser;
    return parser.parse(stringify(o)).extract<Object::Ptr>();
}

bool isNull(const Object::Ptr& o, const std::string& key) {
    return o->has(key) && o->isNull(key);
}

Facility sampleFacility() {
    Facility f;
    f.id = 7;
    f.code = "F-110108-0007";
    f.name = "海淀区温泉公益性公墓";
    f.kind = FacilityKind::PublicWelfareCemetery;
    f.district = "110108";
    f.address = "海淀区温泉镇";
    f.operatorName = "温泉镇人民政府";
    f.approvalNo = "京民殡批[2019]12号";
    f.status = FacilityStatus::Operating;
    f.notes = "";
    f.version = 3;
    f.createdAt = "2024-01-02T03:04:05.678Z";
    f.updatedAt = "2024-02-03T04:05:06.789Z";
    return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(record_json)

BOOST_AUTO_TEST_CASE(facility_field_names_are_those_of_the_api) {
    const auto o = toJson(sampleFacility());
    BOOST_TEST(
        (namesOf(o) == Names{"id",         "code",           "name",          "kind",       "district",
                             "address",    "operator",       "approval_no",   "status",     "plan_action",
                             "plan_phase", "capacity_total", "capacity_used", "area_m2",    "lat",
                             "lon",        "notes",          "version",       "created_at", "updated_at"}));
    const auto wire = roundTrip(o);
    BOOST_TEST(wire->getValue<std::int64_t>("id") == 7);
    BOOST_TEST(wire->getValue<std::string>("code") == "F-110108-0007");
    BOOST_TEST(wire->getValue<std::string>("name") == "海淀区温泉公益性公墓");
    BOOST_TEST(wire->getValue<std::string>("kind") == "public_welfare_cemetery");
    BOOST_TEST(wire->getValue<std::string>("district") == "110108");
    BOOST_TEST(wire->getValue<std::string>("operator") == "温泉镇人民政府");
    BOOST_TEST(wire->getValue<std::string>("approval_no") == "京民殡批[2019]12号");
    BOOST_TEST(wire->getValue<std::string>("status") == "operating");
    BOOST_TEST(wire->getValue<std::int64_t>("version") == 3);
    BOOST_TEST(wire->getValue<std::string>("created_at") == "2024-01-02T03:04:05.678Z");
}

BOOST_AUTO_TEST_CASE(facility_unset_optionals_are_null) {
    const auto wire = roundTrip(toJson(sampleFacility()));
    for (const char* key :
         {"plan_action", "plan_phase", "capacity_total", "capacity_used", "area_m2", "lat", "lon"})
        BOOST_TEST(isNull(wire, key), key << " is not null");
    BOOST_TEST(!isNull(wire, "notes"));
    BOOST_TEST(wire->getValue<std::string>("notes") == "");
}

BOOST_AUTO_TEST_CASE(facility_set_optionals_have_their_values) {
    Facility f = sampleFacility();
    f.planAction = PlanAction::Relocate;
    f.planPhase = PlanPhase::P2026_2030;
    f.capacityTotal = 12000;
    f.capacityUsed = 0;
    f.areaM2 = 85000.5;
    f.lat = 40.0421;
    f.lon = 116.1789;
    const auto wire = roundTrip(toJson(f));
    BOOST_TEST(wire->getValue<std::string>("plan_action") == "relocate");
    BOOST_TEST(wire->getValue<std::string>("plan_phase") == "2026-2030");
    BOOST_TEST(wire->getValue<std::int64_t>("capacity_total") == 12000);
    BOOST_TEST(wire->getValue<std::int64_t>("capacity_used") == 0); // zero is a value, not null
    BOOST_TEST(wire->getValue<double>("area_m2") == 85000.5);
    BOOST_TEST(wire->getValue<double>("lat") == 40.0421);
    BOOST_TEST(wire->getValue<double>("lon") == 116.1789);
}

BOOST_AUTO_TEST_CASE(stringify_is_compact_in_field_order_and_keeps_chinese) {
    const std::string text = stringify(toJson(sampleFacility()));
    BOOST_TEST(text.rfind(R"({"id":7,"code":"F-110108-0007","name":"海淀区温泉公益性公墓",)", 0) == 0u, text);
    BOOST_TEST(text.find(R"("plan_action":null)") != std::string::npos, text);
    BOOST_TEST(text.find('\n') == std::string::npos, text);
    // Text with quotes, backslashes and newlines stays valid JSON.
    Facility f = sampleFacility();
    f.notes = "他说:\"迁建\"\\ 第二行\n\t完";
    BOOST_TEST(roundTrip(toJson(f))->getValue<std::string>("notes") == f.notes);
}

BOOST_AUTO_TEST_CASE(burial_site_has_zones_array_and_graves_handled) {
    BurialSite s;
    s.id = 42;
    s.code = "B-110117-00042";
    s.kind = BurialSiteKind::HistoricalBurialPoint;
    s.district = "110117";
    s.township = "峪口镇";
    s.village = "西营村";
    s.location = "村北";
    s.graveCount = 30;
    s.gravesHandled = 12;
    s.zones = {Zone::Farmland, Zone::WaterSource};
    s.protectedRelic = true;
    s.measure = Measure::DeepBuryNoMound;
    s.status = BurialSiteStatus::InProgress;
    s.targetDate = "2024-06-30";
    s.responsibleUnit = "峪口镇人民政府";
    s.version = 2;
    const auto o = toJson(s);
    BOOST_TEST((namesOf(o) == Names{"id",
                                    "code",
                                    "kind",
                                    "district",
                                    "township",
                                    "village",
                                    "location",
                                    "lat",
                                    "lon",
                                    "grave_count",
                                    "graves_handled",
                                    "zones",
                                    "protected_relic",
                                    "measure",
                                    "status",
                                    "target_date",
                                    "responsible_unit",
                                    "version",
                                    "created_at",
                                    "updated_at"}));
    const auto wire = roundTrip(o);
    BOOST_TEST(wire->getValue<std::string>("kind") == "historical_burial_point");
    BOOST_TEST(wire->getValue<std::int64_t>("grave_count") == 30);
    BOOST_TEST(wire->getValue<std::int64_t>("graves_handled") == 12);
    const auto zones = wire->getArray("zones");
    BOOST_TEST_REQUIRE(zones);
    BOOST_TEST_REQUIRE(zones->size() == 2u);
    BOOST_TEST(zones->getElement<std::string>(0) == "farmland");
    BOOST_TEST(zones->getElement<std::string>(1) == "water_source");
    BOOST_TEST(wire->getValue<bool>("protected_relic") == true);
    BOOST_TEST(wire->getValue<std::string>("measure") == "deep_bury_no_mound");
    BOOST_TEST(wire->getValue<std::string>("status") == "in_progress");
    BOOST_TEST(wire->getValue<std::string>("target_date") == "2024-06-30");
    BOOST_TEST(isNull(wire, "lat"));
    BOOST_TEST(isNull(wire, "lon"));
}

BOOST_AUTO_TEST_CASE(burial_site_without_zones_or_measure) {
    BurialSite s;
    s.district = "110101";
    s.graveCount = 1;
    const auto wire = roundTrip(toJson(s));
    const auto zones = wire->getArray("zones");
    BOOST_TEST_REQUIRE(zones); // an empty array, not null
    BOOST_TEST(zones->size() == 0u);
    BOOST_TEST(isNull(wire, "measure"));
    BOOST_TEST(wire->getValue<bool>("protected_relic") == false);
    BOOST_TEST(wire->getValue<std::string>("status") == "surveyed");
    BOOST_TEST(wire->getValue<std::int64_t>("graves_handled") == 0);
}

BOOST_AUTO_TEST_CASE(progress_entry_fields) {
    ProgressEntry e;
    e.id = 5;
    e.siteId = 42;
    e.date = "2023-05-01";
    e.gravesHandled = 4;
    e.note = "迁入公墓";
    e.recordedBy = "zhang.san";
    auto wire = roundTrip(toJson(e));
    BOOST_TEST(wire->getValue<std::int64_t>("site_id") == 42);
    BOOST_TEST(wire->getValue<std::string>("date") == "2023-05-01");
    BOOST_TEST(wire->getValue<std::int64_t>("graves_handled") == 4);
    BOOST_TEST(isNull(wire, "status"));
    BOOST_TEST(wire->getValue<std::string>("note") == "迁入公墓");
    BOOST_TEST(wire->getValue<std::string>("recorded_by") == "zhang.san");
    e.status = BurialSiteStatus::Completed;
    wire = roundTrip(toJson(e));
    BOOST_TEST(wire->getValue<std::string>("status") == "completed");
}

BOOST_AUTO_TEST_CASE(current_price_without_attributes) {
    PriceRecord p;
    p.id = 100;
    p.facilityId = 7;
    p.item = "basic.cremation";
    p.amountFen = 48000;
    p.unit = "per_body";
    p.effectiveFrom = "2024-03-01";
    p.displayed = true;
    p.bundled = false;
    p.source = PriceSource::SelfReport;
    p.recordedBy = "li.si";
    const auto o = toJson(p);
    for (const char* key :
         {"id", "facility_id", "item", "amount_fen", "unit", "effective_from", "effective_to", "displayed",
          "bundled", "attributes", "source", "note", "recorded_by", "created_at", "version"})
        BOOST_TEST(o->has(key), "missing " << key);
    const auto wire = roundTrip(o);
    BOOST_TEST(wire->getValue<std::int64_t>("facility_id") == 7);
    BOOST_TEST(wire->getValue<std::string>("item") == "basic.cremation");
    BOOST_TEST(wire->getValue<std::int64_t>("amount_fen") == 48000);
    BOOST_TEST(wire->getValue<std::string>("effective_from") == "2024-03-01");
    BOOST_TEST(isNull(wire, "effective_to"));
    BOOST_TEST(wire->getValue<bool>("displayed") == true);
    BOOST_TEST(wire->getValue<bool>("bundled") == false);
    BOOST_TEST(wire->getValue<std::string>("source") == "self_report");
    const auto attributes = wire->getObject("attributes");
    BOOST_TEST_REQUIRE(attributes); // an object even when empty
    BOOST_TEST(attributes->size() == 0u);
}

BOOST_AUTO_TEST_CASE(price_attributes_only_when_set) {
    PriceRecord p;
    p.facilityId = 7;
    p.item = "cemetery.plot";
    p.amountFen = 2'880'000;
    p.effectiveFrom = "2023-01-01";
    p.effectiveTo = "2024-02-29";
    p.supersededBy = 101;
    p.areaM2 = 0.8;
    auto wire = roundTrip(toJson(p));
    auto attributes = wire->getObject("attributes");
    BOOST_TEST_REQUIRE(attributes);
    BOOST_TEST((namesOf(attributes) == Names{"area_m2"}));
    BOOST_TEST(attributes->getValue<double>("area_m2") == 0.8);
    BOOST_TEST(wire->getValue<std::string>("effective_to") == "2024-02-29"); // closed
    BOOST_TEST(wire->getValue<std::int64_t>("superseded_by") == 101);
    p.areaM2.reset();
    p.termYears = 20;
    attributes = roundTrip(toJson(p))->getObject("attributes");
    BOOST_TEST((namesOf(attributes) == Names{"term_years"}));
    BOOST_TEST(attributes->getValue<std::int64_t>("term_years") == 20);
    p.areaM2 = 1.0;
    attributes = roundTrip(toJson(p))->getObject("attributes");
    BOOST_TEST((namesOf(attributes) == Names{"area_m2", "term_years"}));
}

BOOST_AUTO_TEST_CASE(reference_price_fields) {
    ReferencePrice r;
    r.id = 3;
    r.item = "basic.cremation";
    r.capFen = 48000;
    r.effectiveFrom = "2022-01-01";
    r.basis = "示例数据,非官方限价";
    auto wire = roundTrip(toJson(r));
    BOOST_TEST((namesOf(wire) == Names{"id", "item", "district", "cap_fen", "effective_from", "effective_to",
                                       "basis", "version", "created_at", "updated_at"}));
    BOOST_TEST(isNull(wire, "district")); // citywide
    BOOST_TEST(isNull(wire, "effective_to"));
    BOOST_TEST(wire->getValue<std::int64_t>("cap_fen") == 48000);
    BOOST_TEST(wire->getValue<std::string>("basis") == "示例数据,非官方限价");
    r.district = "110108";
    r.effectiveTo = "2024-12-31";
    wire = roundTrip(toJson(r));
    BOOST_TEST(wire->getValue<std::string>("district") == "110108");
    BOOST_TEST(wire->getValue<std::string>("effective_to") == "2024-12-31");
}

BOOST_AUTO_TEST_CASE(inspection_checklist_is_an_embedded_object) {
    Inspection i;
    i.id = 9;
    i.subjectType = SubjectType::BurialSite;
    i.subjectId = 42;
    i.district = "110117";
    i.date = "2023-09-12";
    i.result = InspectionResult::IssuesFound;
    i.checklistJson = R"({"price_displayed":false,"graves_counted":28,"备注":"坟头未平"})";
    i.notes = "发现两处新坟";
    i.inspector = "zhang.san";
    const auto o = toJson(i);
    const std::string text = stringify(o);
    BOOST_TEST(text.find(R"("checklist":{)") != std::string::npos, text); // not a quoted string
    const auto wire = roundTrip(o);
    BOOST_TEST(wire->getValue<std::string>("subject_type") == "burial_site");
    BOOST_TEST(wire->getValue<std::int64_t>("subject_id") == 42);
    BOOST_TEST(wire->getValue<std::string>("result") == "issues_found");
    const auto checklist = wire->getObject("checklist");
    BOOST_TEST_REQUIRE(checklist);
    BOOST_TEST(checklist->getValue<bool>("price_displayed") == false);
    BOOST_TEST(checklist->getValue<int>("graves_counted") == 28);
    BOOST_TEST(checklist->getValue<std::string>("备注") == "坟头未平");
    BOOST_TEST(wire->getValue<std::string>("inspector") == "zhang.san");

    i.checklistJson = "";
    const auto empty = roundTrip(toJson(i))->getObject("checklist");
    BOOST_TEST_REQUIRE(empty);
    BOOST_TEST(empty->size() == 0u);
}

// The records the reads send as text straight from the record: byte for byte what Poco makes of
// toJson(record), with strings that need escaping, doubles, nulls, nested objects and lists.
BOOST_AUTO_TEST_CASE(json_text_is_the_stringified_object_byte_for_byte) {
    using registry::codec::toJsonText;
    auto f = sampleFacility();
    f.name = "引号\"反斜杠\\换行\n制表\t控制\x01 /斜杠 <script>";
    f.notes = "emoji 😀 and \u00e9";
    f.lat = 39.8833458;
    f.lon = 116.46260685;
    f.areaM2 = 198898;
    f.capacityTotal = 100;
    f.capacityUsed = 0;
    f.planAction = PlanAction::Retain;
    BOOST_TEST(toJsonText(f) == stringify(toJson(f)));
    BOOST_TEST(toJsonText(sampleFacility()) == stringify(toJson(sampleFacility())), "unset optionals are null");

    BurialSite s;
    s.id = 1;
    s.code = "B-110117-00001";
    s.district = "110117";
    s.zones = {Zone::Farmland, Zone::WaterSource};
    s.lat = 40.1;
    s.lon = 116.0000001;
    s.targetDate = "2024-06-30";
    BOOST_TEST(toJsonText(s) == stringify(toJson(s)));
    s.zones.clear();
    BOOST_TEST(toJsonText(s) == stringify(toJson(s)));

    PriceRecord p;
    p.id = 9;
    p.facilityId = 7;
    p.item = "cemetery.plot";
    p.amountFen = 1234567;
    p.unit = "per_plot";
    p.effectiveFrom = "2024-01-01";
    p.effectiveTo = "2024-12-31";
    p.areaM2 = 0.8;
    p.termYears = 20;
    p.note = "更正 \"说明\"";
    BOOST_TEST(toJsonText(p) == stringify(toJson(p)));
    p.areaM2.reset();
    p.termYears.reset();
    p.effectiveTo.reset();
    BOOST_TEST(toJsonText(p) == stringify(toJson(p)));
}

BOOST_AUTO_TEST_CASE(user_fields_and_no_secrets) {
    User u;
    u.id = 2;
    u.username = "zhang.san";
    u.displayName = "张三";
    u.role = Role::DistrictIt;
    u.district = "110117";
    u.active = true;
    u.version = 1;
    auto wire = roundTrip(toJson(u));
    BOOST_TEST((namesOf(wire) == Names{"id", "username", "display_name", "role", "district", "facility_id", "email",
                                       "active", "version", "created_at", "updated_at"}));
    BOOST_TEST(wire->isNull("email"), "null without an address");
    BOOST_TEST(wire->isNull("facility_id"), "null for every role but operator");
    BOOST_TEST(wire->getValue<std::string>("role") == "district_it");
    BOOST_TEST(wire->getValue<std::string>("district") == "110117");
    BOOST_TEST(wire->getValue<bool>("active") == true);
    u.district.reset();
    BOOST_TEST(isNull(roundTrip(toJson(u)), "district")); // citywide
}

BOOST_AUTO_TEST_CASE(field_error_message_follows_the_language) {
    const FieldError e{"amount_fen", "min", "金额(分)不能小于 0", "amount_fen must be at least 0"};
    const auto zh = roundTrip(toJson(e, false));
    BOOST_TEST((namesOf(zh) == Names{"field", "code", "message"}));
    BOOST_TEST(zh->getValue<std::string>("field") == "amount_fen");
    BOOST_TEST(zh->getValue<std::string>("code") == "min");
    BOOST_TEST(zh->getValue<std::string>("message") == "金额(分)不能小于 0");
    const auto en = roundTrip(toJson(e, true));
    BOOST_TEST(en->getValue<std::string>("field") == "amount_fen");
    BOOST_TEST(en->getValue<std::string>("code") == "min");
    BOOST_TEST(en->getValue<std::string>("message") == "amount_fen must be at least 0");
    BOOST_TEST(stringify(toJson(e, true)) ==
               R"({"field":"amount_fen","code":"min","message":"amount_fen must be at least 0"})");
}

BOOST_AUTO_TEST_CASE(validation_errors_serialise_in_both_languages) {
    Facility f = sampleFacility();
    f.name = "";
    f.capacityTotal = 1;
    f.capacityUsed = 2;
    const auto errors = validate(f);
    BOOST_TEST_REQUIRE(errors.size() == 2u);
    for (const auto& e : errors) {
        const auto zh = roundTrip(toJson(e, false));
        const auto en = roundTrip(toJson(e, true));
        BOOST_TEST(zh->getValue<std::string>("field") == e.field);
        BOOST_TEST(zh->getValue<std::string>("message") == e.messageZh);
        BOOST_TEST(en->getValue<std::string>("message") == e.messageEn);
        BOOST_TEST(zh->getValue<std::string>("message") != en->getValue<std::string>("message"));
    }
}

BOOST_AUTO_TEST_SUITE_END()
