#include "domain/Facility.h"

namespace registry::domain {

FieldErrors validate(const Facility& f) {
    Validator v;
    v.text("name", "名称", f.name, 200, true);
    v.district("district", f.district, true);
    v.text("address", "地址", f.address, 500, false);
    v.text("operator", "运营单位", f.operatorName, 200, false);
    v.text("approval_no", "批准文号", f.approvalNo, 100, false);
    v.text("notes", "备注", f.notes, 4000, false);
    constexpr long long maxCapacity = 10'000'000;
    if (f.capacityTotal) v.intRange("capacity_total", "总容量", *f.capacityTotal, 0, maxCapacity);
    if (f.capacityUsed) v.intRange("capacity_used", "已用容量", *f.capacityUsed, 0, maxCapacity);
    if (f.capacityUsed && !f.capacityTotal)
        v.add("capacity_total", "required", "填写已用容量时须同时填写总容量",
              "capacity_total is required when capacity_used is given");
    if (f.capacityUsed && f.capacityTotal && !v.has("capacity_used") && !v.has("capacity_total") &&
        *f.capacityUsed > *f.capacityTotal)
        v.add("capacity_used", "exceeds_total", "已用容量不能超过总容量",
              "capacity_used must not exceed capacity_total");
    if (f.areaM2) v.realRange("area_m2", "占地面积", *f.areaM2, 0, 100'000'000);
    v.location(f.lat, f.lon);
    return v.take();
}

} // namespace registry::domain
