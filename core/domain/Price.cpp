#include "domain/Price.h"

#include "domain/PriceItem.h"

namespace registry::domain {
namespace {

// Codes are lower-case dotted words, like the catalogue's "basic.cremation".
bool validCode(const std::string& s, std::size_t max) {
    if (s.empty() || s.size() > max) return false;
    if (!(s.front() >= 'a' && s.front() <= 'z')) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
    return s.back() != '.' && s.find("..") == std::string::npos;
}

void itemCode(Validator& v, const std::string& item) {
    if (item.empty())
        v.add("item", "required", "收费项目不能为空", "item is required");
    else if (!validCode(item, 64))
        v.add("item", "format", "收费项目代码格式无效(小写字母、数字、下划线,以点分隔,如 basic.cremation)",
              "item must be a dotted lower-case code such as basic.cremation");
}

} // namespace

FieldError operatorSourceRefused(const std::string& source) {
    return {"source", "operator_source", "单位报送的价格来源只能是 self_report(单位自报)",
            "an operator's prices are self_report, not " + source};
}

FieldErrors validate(const PriceRecord& p) {
    Validator v;
    if (p.facilityId <= 0) v.add("facility_id", "required", "所属设施不能为空", "facility_id is required");
    itemCode(v, p.item);
    v.intRange("amount_fen", "金额(分)", p.amountFen, 0, maxAmountFen);
    if (!p.unit.empty() && !validCode(p.unit, 32))
        v.add("unit", "format", "计价单位格式无效(如 per_body)", "unit must be a lower-case code such as per_body");
    v.date("effective_from", "生效日期", p.effectiveFrom, true);
    // Named as the client sends them, inside "attributes".
    if (p.areaM2) v.realRange("attributes.area_m2", "墓位面积", *p.areaM2, 0.01, 10'000);
    if (p.termYears) v.intRange("attributes.term_years", "使用年限", *p.termYears, 1, 100);
    v.text("note", "备注", p.note, 2000, false);
    return v.take();
}

FieldErrors validate(const ReferencePrice& r) {
    Validator v;
    if (r.item.empty())
        v.add("item", "required", "收费项目不能为空", "item is required");
    else if (!findPriceItem(r.item))
        v.add("item", "enum", "参考价只能针对目录内的收费项目", "item must be a catalogue price item");
    if (r.district) v.district("district", *r.district, true); // null is citywide, "" is an error
    v.intRange("cap_fen", "限价(分)", r.capFen, 0, maxAmountFen);
    v.date("effective_from", "生效日期", r.effectiveFrom, true);
    if (r.effectiveTo) {
        v.date("effective_to", "失效日期", *r.effectiveTo, true);
        if (!v.has("effective_to") && !v.has("effective_from") && *r.effectiveTo < r.effectiveFrom)
            v.add("effective_to", "before_start", "失效日期不能早于生效日期",
                  "effective_to must not be before effective_from");
    }
    v.text("basis", "定价依据", r.basis, 500, true);
    return v.take();
}

} // namespace registry::domain
