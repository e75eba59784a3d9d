// The 16 districts of Beijing with the GB/T 2260 codes, Chinese names and pinyin of DOMAIN.md.

#include "domain/District.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace registry::domain;

namespace {
struct Expected {
    const char* code;
    const char* zh;
    const char* pinyin;
};

// DOMAIN.md, "Districts", in code order.
const Expected kDistricts[] = {
    {"110101", "东城区", "dongcheng"},     {"110102", "西城区", "xicheng"},
    {"110105", "朝阳区", "chaoyang"},      {"110106", "丰台区", "fengtai"},
    {"110107", "石景山区", "shijingshan"}, {"110108", "海淀区", "haidian"},
    {"110109", "门头沟区", "mentougou"},   {"110111", "房山区", "fangshan"},
    {"110112", "通州区", "tongzhou"},      {"110113", "顺义区", "shunyi"},
    {"110114", "昌平区", "changping"},     {"110115", "大兴区", "daxing"},
    {"110116", "怀柔区", "huairou"},       {"110117", "平谷区", "pinggu"},
    {"110118", "密云区", "miyun"},         {"110119", "延庆区", "yanqing"},
};
} // namespace

BOOST_AUTO_TEST_SUITE(district)

BOOST_AUTO_TEST_CASE(sixteen_districts_in_code_order_as_in_the_brief) {
    const auto& all = districts();
    BOOST_TEST_REQUIRE(all.size() == 16u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        BOOST_TEST_CONTEXT("district " << kDistricts[i].code) {
            BOOST_TEST(all[i].code == kDistricts[i].code);
            BOOST_TEST(all[i].nameZh == kDistricts[i].zh);
            BOOST_TEST(all[i].pinyin == kDistricts[i].pinyin);
            // The English name is the capitalised pinyin ("Haidian").
            std::string en = kDistricts[i].pinyin;
            en[0] = static_cast<char>(en[0] - 'a' + 'A');
            BOOST_TEST(all[i].nameEn == en);
        }
    }
}

BOOST_AUTO_TEST_CASE(codes_and_pinyin_are_distinct) {
    std::set<std::string> codes, pinyins, names;
    for (const auto& d : districts()) {
        codes.insert(d.code);
        pinyins.insert(d.pinyin);
        names.insert(d.nameZh);
    }
    BOOST_TEST(codes.size() == 16u);
    BOOST_TEST(pinyins.size() == 16u);
    BOOST_TEST(names.size() == 16u);
}

BOOST_AUTO_TEST_CASE(find_by_code) {
    for (const auto& e : kDistricts) {
        const District* d = findDistrict(e.code);
        BOOST_TEST_REQUIRE(d != nullptr, "no district " << e.code);
        BOOST_TEST(d->pinyin == e.pinyin);
    }
    const District* haidian = findDistrict("110108");
    BOOST_TEST_REQUIRE(haidian);
    BOOST_TEST(haidian->nameZh == "海淀区");
    BOOST_TEST(haidian->nameEn == "Haidian");
    // Not districts: Beijing itself, the abolished Chongwen/Xuanwu codes, gaps, other provinces, junk.
    for (const char* code : {"", "110000", "110100", "110103", "110104", "110110", "110120", "120101",
                             "110108 ", " 110108", "11010", "1101080", "haidian"})
        BOOST_TEST(findDistrict(code) == nullptr, "found '" << code << "'");
}

BOOST_AUTO_TEST_CASE(find_by_pinyin) {
    for (const auto& e : kDistricts) {
        const District* d = findDistrictByPinyin(e.pinyin);
        BOOST_TEST_REQUIRE(d != nullptr, "no district " << e.pinyin);
        BOOST_TEST(d->code == e.code);
    }
    BOOST_TEST(findDistrictByPinyin("pinggu")->nameZh == "平谷区");
    for (const char* pinyin :
         {"", "Haidian", "HAIDIAN", "haidian ", "海淀区", "110108", "chongwen", "beijing"})
        BOOST_TEST(findDistrictByPinyin(pinyin) == nullptr, "found '" << pinyin << "'");
}

BOOST_AUTO_TEST_SUITE_END()
