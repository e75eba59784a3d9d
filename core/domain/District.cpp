#include "domain/District.h"

namespace registry::domain {

const std::vector<District>& districts() {
    static const std::vector<District> all{
        {"110101", "东城区", "Dongcheng", "dongcheng"},   {"110102", "西城区", "Xicheng", "xicheng"},
        {"110105", "朝阳区", "Chaoyang", "chaoyang"},     {"110106", "丰台区", "Fengtai", "fengtai"},
        {"110107", "石景山区", "Shijingshan", "shijingshan"}, {"110108", "海淀区", "Haidian", "haidian"},
        {"110109", "门头沟区", "Mentougou", "mentougou"}, {"110111", "房山区", "Fangshan", "fangshan"},
        {"110112", "通州区", "Tongzhou", "tongzhou"},     {"110113", "顺义区", "Shunyi", "shunyi"},
        {"110114", "昌平区", "Changping", "changping"},   {"110115", "大兴区", "Daxing", "daxing"},
        {"110116", "怀柔区", "Huairou", "huairou"},       {"110117", "平谷区", "Pinggu", "pinggu"},
        {"110118", "密云区", "Miyun", "miyun"},           {"110119", "延庆区", "Yanqing", "yanqing"},
    };
    return all;
}

const District* findDistrict(const std::string& code) {
    for (const auto& d : districts())
        if (d.code == code) return &d;
    return nullptr;
}

const District* findDistrictByPinyin(const std::string& pinyin) {
    for (const auto& d : districts())
        if (d.pinyin == pinyin) return &d;
    return nullptr;
}

} // namespace registry::domain
