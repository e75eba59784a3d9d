// libFuzzer target: an application/x-www-form-urlencoded body, read by Poco's HTMLForm as the web UI reads a
// POST (WebUi::dispatch), turned into the API's JSON by the forms' own code (web/FormDecode.h: what
// Form::fillFrom and Form::toJson run) for the fields of the facility, burial-site, progress, price and user
// forms, then through the codec::decode* and domain::validate that the pages call.
// Beyond "no crash": the JSON has the shape the decoders expect, every amount typed in yuan reads back from
// its display (yuan → parseYuan), and an amount the form accepts within the domain's limit reaches the price
// record unchanged and unrejected.

#include "codec/RecordDecode.h"
#include "domain/Money.h"
#include "web/FormDecode.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace registry;
using web::FieldKind;
using web::FieldSpec;

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::cerr << "form_decode: " << what << "\n";
    std::abort();
}

// The names and kinds of the pages' forms (facilityForm, siteForm and priceForm in core/web/FacilityPages.cpp
// and BurialSitePages.cpp, the progress form there, userForm in AdminPages.cpp). Those build their options
// and labels from the request's language, which decoding never reads: only a field's name and kind count.
FieldSpec field(const char* name, FieldKind kind) { return FieldSpec{name, name, kind, false, {}, ""}; }

const std::vector<FieldSpec> kFacilityFields{
    field("name", FieldKind::Text),           field("kind", FieldKind::Select),
    field("district", FieldKind::Select),     field("status", FieldKind::Select),
    field("address", FieldKind::Text),        field("operator", FieldKind::Text),
    field("approval_no", FieldKind::Text),    field("plan_action", FieldKind::Select),
    field("plan_phase", FieldKind::Select),   field("capacity_total", FieldKind::Integer),
    field("capacity_used", FieldKind::Integer), field("area_m2", FieldKind::Number),
    field("lat", FieldKind::Number),          field("lon", FieldKind::Number),
    field("notes", FieldKind::TextArea)};

const std::vector<FieldSpec> kSiteFields{
    field("kind", FieldKind::Select),           field("district", FieldKind::Select),
    field("township", FieldKind::Text),         field("village", FieldKind::Text),
    field("location", FieldKind::Text),         field("grave_count", FieldKind::Integer),
    field("measure", FieldKind::Select),        field("status", FieldKind::Select),
    field("target_date", FieldKind::Date),      field("responsible_unit", FieldKind::Text),
    field("zones", FieldKind::MultiCheck),      field("protected_relic", FieldKind::Checkbox),
    field("lat", FieldKind::Number),            field("lon", FieldKind::Number)};

const std::vector<FieldSpec> kProgressFields{
    field("date", FieldKind::Date), field("graves_handled", FieldKind::Integer), field("status", FieldKind::Select),
    field("note", FieldKind::TextArea)};

const std::vector<FieldSpec> kPriceFields{
    field("item", FieldKind::Select),      field("amount_yuan", FieldKind::Text),
    field("effective_from", FieldKind::Date), field("displayed", FieldKind::Checkbox),
    field("bundled", FieldKind::Checkbox), field("source", FieldKind::Select),
    field("area_m2", FieldKind::Number),   field("term_years", FieldKind::Integer),
    field("note", FieldKind::TextArea)};

const std::vector<FieldSpec> kUserFields{
    field("username", FieldKind::Text), field("display_name", FieldKind::Text), field("role", FieldKind::Select),
    field("district", FieldKind::Select), field("password", FieldKind::Password)};

/// parseYuan(yuan(fen)) == fen for the amounts it can hold: yuan() of an amount of 13 or more digits of
/// yuan is longer than the 15 characters parseYuan reads (far above domain::maxAmountFen); no negative one.
void checkYuanRoundTrip(long long fen) {
    const std::string shown = web::yuan(fen);
    const auto back = domain::parseYuan(shown);
    if (fen < 0) {
        if (back) fail("parseYuan accepted the negative amount " + shown);
    } else if (fen < 100'000'000'000'000LL) {
        if (!back || *back != fen)
            fail("parseYuan(yuan(" + std::to_string(fen) + ")) = " + (back ? std::to_string(*back) : "nullopt") +
                 " (yuan: " + shown + ")");
    }
}

/// What formJson must give for every kind of field, from the values postedValues read.
Poco::JSON::Object::Ptr decodeForm(const std::vector<FieldSpec>& fields, const web::PostedFields& posted) {
    const auto values = web::postedValues(fields, posted);
    const auto json = web::formJson(fields, values);
    for (const auto& f : fields) {
        if (f.kind == FieldKind::Checkbox) {
            if (!json->has(f.name) || json->get(f.name).type() != typeid(bool)) fail(f.name + ": a checkbox is not a bool");
            if (json->getValue<bool>(f.name) == web::postedField(posted, f.name).empty())
                fail(f.name + ": the checkbox's bool is not whether it was posted non-empty");
            continue;
        }
        if (f.kind == FieldKind::MultiCheck) {
            const auto items = json->getArray(f.name);
            if (!items) fail(f.name + ": a multi-check is not an array");
            // Each ticked value gives its comma-separated parts, the empty ones left out.
            std::size_t parts = 0;
            for (const auto& v : web::postedFieldValues(posted, f.name))
                parts += 1 + static_cast<std::size_t>(std::count(v.begin(), v.end(), ','));
            if (items->size() > parts) fail(f.name + ": more items than ticked values");
            for (const auto& item : *items)
                if (item.type() != typeid(std::string) || item.extract<std::string>().empty() ||
                    item.extract<std::string>().find(',') != std::string::npos)
                    fail(f.name + ": an empty, non-text or unsplit item in a multi-check");
            continue;
        }
        if (!json->has(f.name)) {
            if (!values.at(f.name).empty()) fail(f.name + ": a non-empty value was left out");
            continue;
        }
        const auto value = json->get(f.name);
        if (value.isString()) {
            const std::string text = value.extract<std::string>();
            if (text.empty()) fail(f.name + ": an empty value was sent");
            if (f.kind == FieldKind::Integer) {
                Poco::Int64 n = 0;
                if (Poco::NumberParser::tryParse64(text, n)) fail(f.name + ": an integer was sent as text");
            }
            if (f.kind != FieldKind::TextArea && f.kind != FieldKind::Password && Poco::trim(text) != text)
                fail(f.name + ": a value was not trimmed");
        } else if (f.kind == FieldKind::Integer) {
            if (value.type() != typeid(Poco::Int64)) fail(f.name + ": an integer field holds neither text nor Int64");
            checkYuanRoundTrip(value.extract<Poco::Int64>());
        } else if (f.kind != FieldKind::Number || value.type() != typeid(double)) {
            fail(f.name + ": a value of an unexpected type");
        }
    }
    return json;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    Poco::Net::HTMLForm form;
    form.setFieldLimit(2000); // as WebUi::dispatch
    try {
        std::istringstream in(body);
        form.read(in); // URL encoding: the form's default, what a browser posts without a file
    } catch (const Poco::Exception&) {
        return 0; // the page answers 400 "the submitted form is malformed"
    }
    const web::PostedFields posted(form.begin(), form.end());

    for (const auto& [name, value] : posted)
        if (const auto fen = domain::parseYuan(value)) checkYuanRoundTrip(*fen);

    {
        domain::Validator errors;
        const auto facility = codec::decodeFacility(*decodeForm(kFacilityFields, posted), errors);
        domain::validate(facility);
    }
    domain::BurialSite site;
    {
        domain::Validator errors;
        site = codec::decodeBurialSite(*decodeForm(kSiteFields, posted), errors);
        const domain::PlanWindow window;
        if (site.targetDate.empty()) site.targetDate = window.end; // a new site without one gets the plan's end
        domain::validate(site, window);
        domain::checkStatusChange(domain::BurialSiteStatus{}, site.status);
    }
    {
        domain::Validator errors;
        const auto entry = codec::decodeProgressEntry(*decodeForm(kProgressFields, posted), errors);
        domain::validate(entry, site);
    }
    {
        const auto json = decodeForm(kPriceFields, posted);
        bool badAmount = false;
        const auto record = web::priceRecordJson(*json, 42, badAmount);
        const std::string typed = Poco::trim(web::postedField(posted, "amount_yuan"));
        if (badAmount != (!typed.empty() && !domain::parseYuan(typed)))
            fail("priceRecordJson: badAmount is not whether the typed amount fails to parse");
        if (record->has("amount_yuan") || record->has("area_m2") || record->has("term_years"))
            fail("priceRecordJson: a form-only field reached the record");
        domain::Validator errors;
        const auto price = codec::decodePriceRecord(*record, errors);
        const auto validation = domain::validate(price);
        if (const auto fen = domain::parseYuan(typed); fen && *fen <= domain::maxAmountFen) {
            if (errors.has("amount_fen") || price.amountFen != *fen)
                fail("the typed amount " + typed + " did not reach the price record as " + std::to_string(*fen));
            for (const auto& e : validation)
                if (e.field == "amount_fen") fail("the typed amount " + typed + " was rejected: " + e.messageEn);
        }
        if (price.facilityId != 42) fail("priceRecordJson lost the facility");
    }
    {
        domain::Validator errors;
        std::optional<std::string> password;
        const auto user = codec::decodeUser(*decodeForm(kUserFields, posted), errors, true, password);
        domain::validate(user);
        if (password) domain::checkPassword(*password);
    }
    return 0;
}
