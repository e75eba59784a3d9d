// web.unit: the message catalogues, the templates and the form plumbing of the web UI, without a server.
// (The pages themselves are tested in a real browser by web.browser: test/web/browser.test.mjs.)

#include "domain/Money.h"
#include "web/Assets.h"
#include "web/Forms.h"
#include "web/WebUi.h"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>

using namespace registry::web;
using registry::domain::parseYuan; // the one yuan parser, shared with the price import

BOOST_AUTO_TEST_SUITE(web_assets)

BOOST_AUTO_TEST_CASE(both_catalogues_have_the_same_keys_and_no_empty_text) {
    std::set<std::string> zh, en;
    for (const auto& [k, v] : catalogue("zh")) {
        zh.insert(k);
        BOOST_CHECK_MESSAGE(!v.empty(), "zh." << k << " is empty");
    }
    for (const auto& [k, v] : catalogue("en")) en.insert(k);
    for (const auto& k : zh) BOOST_CHECK_MESSAGE(en.count(k), "en.properties lacks " << k);
    for (const auto& k : en) BOOST_CHECK_MESSAGE(zh.count(k), "zh.properties lacks " << k);
    BOOST_TEST(zh.size() > 200u);
    BOOST_TEST(message("zh", "sign_in") == "登录");
    BOOST_TEST(message("en", "sign_in") == "Sign in");
    BOOST_TEST(message("zh", "no_such_key") == "no_such_key");
}

BOOST_AUTO_TEST_CASE(every_label_a_template_uses_is_in_the_catalogues) {
    const std::regex label(R"(\{\{[#^/]?t\.([a-z0-9_]+)\}\})");
    std::size_t seen = 0;
    for (const auto& [name, text] : templates()) {
        for (std::sregex_iterator it(text.begin(), text.end(), label), end; it != end; ++it, ++seen) {
            const std::string key = (*it)[1];
            BOOST_CHECK_MESSAGE(catalogue("zh").count(key), name << " uses t." << key << ", missing in zh.properties");
            BOOST_CHECK_MESSAGE(catalogue("en").count(key), name << " uses t." << key << ", missing in en.properties");
        }
    }
    BOOST_TEST(seen > 100u);
    BOOST_TEST(templates().count("layout") == 1u);
    BOOST_TEST(embeddedAssets().count("static/app.css") == 1u);
}

BOOST_AUTO_TEST_CASE(values_are_escaped_so_markup_in_a_record_shows_as_text) {
    mstch::map field{{"name", std::string("name")}, {"id", std::string("f-name")},
                     {"label", std::string("名称")}, {"value", std::string("<script>alert(\"x\")</script>")},
                     {"is_input", true}, {"type", std::string("text")}, {"required", true}};
    const std::string html = mstch::render(templates().at("field"), field, templates());
    BOOST_TEST(html.find("<script>") == std::string::npos);
    BOOST_TEST(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt;") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_forms)

BOOST_AUTO_TEST_CASE(paths_of_the_api_and_the_probes_are_not_the_web_uis) {
    BOOST_TEST(WebUi::handles("/"));
    BOOST_TEST(WebUi::handles("/facilities/7"));
    BOOST_TEST(WebUi::handles("/apis"));
    BOOST_TEST(!WebUi::handles("/api/v1/facilities"));
    BOOST_TEST(!WebUi::handles("/api"));
    BOOST_TEST(!WebUi::handles("/healthz"));
    BOOST_TEST(!WebUi::handles("/readyz"));
}

BOOST_AUTO_TEST_CASE(yuan_as_typed_and_as_shown) {
    BOOST_TEST(*parseYuan("1200") == 120000);
    BOOST_TEST(*parseYuan("1,980.5") == 198050);
    BOOST_TEST(*parseYuan("¥80.05") == 8005);
    BOOST_TEST(*parseYuan("0") == 0);
    BOOST_TEST(!parseYuan(""));
    BOOST_TEST(!parseYuan("abc"));
    BOOST_TEST(!parseYuan("1.234"));
    BOOST_TEST(!parseYuan("-5"));
    BOOST_TEST(!parseYuan("99999999999999999"));
    BOOST_TEST(yuan(198000) == "¥1,980.00");
    BOOST_TEST(yuan(5) == "¥0.05");
    BOOST_TEST(yuan(123456789) == "¥1,234,567.89");
}

BOOST_AUTO_TEST_CASE(a_form_becomes_the_json_the_api_would_receive) {
    Form form({{"name", "facility_name", FieldKind::Text, true, {}, ""},
               {"capacity_total", "capacity_total", FieldKind::Integer, false, {}, ""},
               {"lat", "lat", FieldKind::Number, false, {}, ""},
               {"displayed", "displayed", FieldKind::Checkbox, false, {}, ""},
               {"zones", "zones", FieldKind::MultiCheck, false, {{"farmland", "耕地"}, {"forest", "林地"}}, ""},
               {"notes", "notes", FieldKind::TextArea, false, {}, ""}});
    form.set("name", "某殡仪馆");
    form.set("capacity_total", "120");
    form.set("lat", "北纬");
    form.set("zones", "farmland,forest");
    const auto json = form.toJson();
    BOOST_TEST(json->getValue<std::string>("name") == "某殡仪馆");
    BOOST_TEST(json->getValue<long long>("capacity_total") == 120);
    BOOST_TEST(json->getValue<std::string>("lat") == "北纬"); // left as typed: the decoder reports its type
    BOOST_TEST(json->getValue<bool>("displayed") == false);
    BOOST_TEST(json->getArray("zones")->size() == 2u);
    BOOST_TEST(!json->has("notes")); // empty: absent
    BOOST_TEST(form.display("zones", "farmland,forest") == "耕地、林地");
    BOOST_TEST(form.display("displayed", "true") == "✓");
}

BOOST_AUTO_TEST_CASE(posted_fields_are_read_as_htmlform_holds_them) {
    const std::vector<FieldSpec> fields{{"name", "facility_name", FieldKind::Text, true, {}, ""},
                                        {"notes", "notes", FieldKind::TextArea, false, {}, ""},
                                        {"password", "password", FieldKind::Password, false, {}, ""},
                                        {"displayed", "displayed", FieldKind::Checkbox, false, {}, ""},
                                        {"bundled", "bundled", FieldKind::Checkbox, false, {}, ""},
                                        {"zones", "zones", FieldKind::MultiCheck, false, {}, ""}};
    // Names compare case-insensitively and the first value counts, as HTMLForm::get; a multi-check keeps all.
    const PostedFields posted{{"NAME", " 某殡仪馆 "}, {"name", "second"},   {"notes", " 两行\n "},
                              {"password", " pw "},  {"displayed", "on"},   {"bundled", ""},
                              {"zones", "farmland"}, {"Zones", "forest"}};
    const auto values = postedValues(fields, posted);
    BOOST_TEST(values.at("name") == "某殡仪馆");
    BOOST_TEST(values.at("notes") == " 两行\n "); // text areas and passwords as typed
    BOOST_TEST(values.at("password") == " pw ");
    BOOST_TEST(values.at("displayed") == "true");
    BOOST_TEST(values.at("bundled") == "");
    BOOST_TEST(values.at("zones") == "farmland,forest");
    const auto json = formJson(fields, values);
    BOOST_TEST(json->getValue<bool>("displayed"));
    BOOST_TEST(!json->getValue<bool>("bundled"));
    BOOST_TEST(json->getArray("zones")->size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_price_form_sends_fen_and_the_plots_attributes) {
    Poco::JSON::Object form;
    form.set("item", std::string("cemetery.plot"));
    form.set("amount_yuan", std::string("¥1,234.50"));
    form.set("area_m2", 0.8);
    form.set("term_years", Poco::Int64(20));
    bool badAmount = true;
    const auto body = priceRecordJson(form, 7, badAmount);
    BOOST_TEST(!badAmount);
    BOOST_TEST(body->getValue<long long>("amount_fen") == 123450);
    BOOST_TEST(body->getValue<long long>("facility_id") == 7);
    BOOST_TEST(!body->has("amount_yuan"));
    BOOST_TEST(!body->has("area_m2"));
    BOOST_TEST(body->getObject("attributes")->getValue<long long>("term_years") == 20);
    form.set("amount_yuan", std::string("1.234"));
    form.remove("area_m2");
    form.remove("term_years");
    const auto bad = priceRecordJson(form, 7, badAmount);
    BOOST_TEST(badAmount);
    BOOST_TEST(!bad->has("amount_fen"));
    BOOST_TEST(!bad->has("attributes"));
}

BOOST_AUTO_TEST_SUITE_END()
