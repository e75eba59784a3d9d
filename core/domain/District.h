#pragma once
// The 16 districts of Beijing, keyed by their GB/T 2260 codes.

#include <string>
#include <vector>

namespace registry::domain {

struct District {
    std::string code;   // "110108"
    std::string nameZh; // "海淀区"
    std::string nameEn; // "Haidian"
    std::string pinyin; // "haidian": the plugin folder name
};

/// All districts in code order.
const std::vector<District>& districts();

/// nullptr when `code` is not a Beijing district code.
const District* findDistrict(const std::string& code);
const District* findDistrictByPinyin(const std::string& pinyin);

} // namespace registry::domain
