#include "domain/Enums.h"

namespace registry::domain {

// clang-format off
const std::array<EnumEntry<FacilityKind>, 7> EnumTraits<FacilityKind>::entries{{
    {FacilityKind::FuneralHome, "funeral_home", "殡仪馆", "Funeral home"},
    {FacilityKind::Crematorium, "crematorium", "火化场", "Crematorium"},
    {FacilityKind::OperatingCemetery, "operating_cemetery", "经营性公墓", "Operating cemetery"},
    {FacilityKind::PublicWelfareCemetery, "public_welfare_cemetery", "城市公益性公墓", "Urban public-welfare cemetery"},
    {FacilityKind::RuralPublicWelfareCemetery, "rural_public_welfare_cemetery", "农村公益性墓地", "Rural public-welfare cemetery"},
    {FacilityKind::Columbarium, "columbarium", "骨灰堂", "Columbarium"},
    {FacilityKind::FuneralServiceStation, "funeral_service_station", "殡葬服务站", "Funeral service station"},
}};
const std::array<EnumEntry<FacilityStatus>, 5> EnumTraits<FacilityStatus>::entries{{
    {FacilityStatus::Planned, "planned", "规划中", "Planned"},
    {FacilityStatus::UnderConstruction, "under_construction", "在建", "Under construction"},
    {FacilityStatus::Operating, "operating", "运营中", "Operating"},
    {FacilityStatus::Suspended, "suspended", "暂停", "Suspended"},
    {FacilityStatus::Closed, "closed", "已关闭", "Closed"},
}};
const std::array<EnumEntry<PlanAction>, 6> EnumTraits<PlanAction>::entries{{
    {PlanAction::Retain, "retain", "保留", "Retain"},
    {PlanAction::Expand, "expand", "扩建", "Expand"},
    {PlanAction::Upgrade, "upgrade", "提升改造", "Upgrade"},
    {PlanAction::Relocate, "relocate", "迁建", "Relocate"},
    {PlanAction::NewBuild, "new_build", "新建", "New build"},
    {PlanAction::Close, "close", "关停", "Close"},
}};
const std::array<EnumEntry<PlanPhase>, 3> EnumTraits<PlanPhase>::entries{{
    {PlanPhase::P2021_2025, "2021-2025", "2021—2025年", "2021–2025"},
    {PlanPhase::P2026_2030, "2026-2030", "2026—2030年", "2026–2030"},
    {PlanPhase::P2031_2035, "2031-2035", "2031—2035年", "2031–2035"},
}};
const std::array<EnumEntry<BurialSiteKind>, 2> EnumTraits<BurialSiteKind>::entries{{
    {BurialSiteKind::HistoricalBurialPoint, "historical_burial_point", "历史埋葬点", "Historical burial site"},
    {BurialSiteKind::ScatteredGraves, "scattered_graves", "散坟", "Scattered graves"},
}};
const std::array<EnumEntry<Zone>, 5> EnumTraits<Zone>::entries{{
    {Zone::Farmland, "farmland", "耕地", "Farmland"},
    {Zone::Forest, "forest", "林地", "Forest land"},
    {Zone::ParkScenic, "park_scenic", "公园/风景名胜/文物保护区", "Park, scenic or heritage area"},
    {Zone::WaterSource, "water_source", "水库/河流堤坝/水源保护区", "Reservoir, river dyke or water-source area"},
    {Zone::RailHighway, "rail_highway", "铁路/公路主干线两侧", "Beside a railway or trunk highway"},
}};
const std::array<EnumEntry<Measure>, 6> EnumTraits<Measure>::entries{{
    {Measure::Relocate, "relocate", "迁入公益性公墓", "Relocate to a public-welfare cemetery"},
    {Measure::DeepBuryNoMound, "deep_bury_no_mound", "深埋不留坟头", "Deep burial without a mound"},
    {Measure::GreeningScreen, "greening_screen", "绿化遮挡", "Greening screen"},
    {Measure::RenovateUpgrade, "renovate_upgrade", "改造提升", "Renovate and upgrade"},
    {Measure::Consolidate, "consolidate", "归并集中", "Consolidate"},
    {Measure::RetainProtect, "retain_protect", "保留保护(文物)", "Retain and protect (relic)"},
}};
const std::array<EnumEntry<BurialSiteStatus>, 5> EnumTraits<BurialSiteStatus>::entries{{
    {BurialSiteStatus::Surveyed, "surveyed", "已摸排", "Surveyed"},
    {BurialSiteStatus::Planned, "planned", "已制定方案", "Planned"},
    {BurialSiteStatus::InProgress, "in_progress", "整治中", "In progress"},
    {BurialSiteStatus::Completed, "completed", "已完成", "Completed"},
    {BurialSiteStatus::Accepted, "accepted", "已验收", "Accepted"},
}};
const std::array<EnumEntry<PriceCategory>, 4> EnumTraits<PriceCategory>::entries{{
    {PriceCategory::Basic, "basic", "基本殡葬服务", "Basic funeral services"},
    {PriceCategory::Extended, "extended", "延伸服务", "Extended services"},
    {PriceCategory::Cemetery, "cemetery", "公墓", "Cemetery"},
    {PriceCategory::Goods, "goods", "殡葬用品", "Funeral goods"},
}};
const std::array<EnumEntry<PriceRegime>, 3> EnumTraits<PriceRegime>::entries{{
    {PriceRegime::GovernmentSet, "government_set", "政府定价", "Government-set"},
    {PriceRegime::GovernmentGuided, "government_guided", "政府指导价", "Government-guided"},
    {PriceRegime::Market, "market", "市场调节价", "Market"},
}};
const std::array<EnumEntry<PriceSource>, 3> EnumTraits<PriceSource>::entries{{
    {PriceSource::Inspection, "inspection", "现场检查", "Inspection"},
    {PriceSource::SelfReport, "self_report", "单位自报", "Self-report"},
    {PriceSource::Import, "import", "批量导入", "Import"},
}};
const std::array<EnumEntry<SubjectType>, 3> EnumTraits<SubjectType>::entries{{
    {SubjectType::Facility, "facility", "殡葬设施", "Facility"},
    {SubjectType::BurialSite, "burial_site", "埋葬点", "Burial site"},
    {SubjectType::Price, "price", "价格记录", "Price record"},
}};
const std::array<EnumEntry<InspectionResult>, 2> EnumTraits<InspectionResult>::entries{{
    {InspectionResult::Pass, "pass", "合格", "Pass"},
    {InspectionResult::IssuesFound, "issues_found", "发现问题", "Issues found"},
}};
const std::array<EnumEntry<Role>, 5> EnumTraits<Role>::entries{{
    {Role::Admin, "admin", "管理员", "Administrator"},
    {Role::Inspector, "inspector", "监督检查人员", "Inspector"},
    {Role::DistrictIt, "district_it", "区信息技术人员", "District IT"},
    {Role::Auditor, "auditor", "审计人员", "Auditor"},
    {Role::Operator, "operator", "经营单位人员", "Operator"},
}};
const std::array<EnumEntry<Severity>, 4> EnumTraits<Severity>::entries{{
    {Severity::Info, "info", "提示", "Info"},
    {Severity::Warning, "warning", "警告", "Warning"},
    {Severity::Violation, "violation", "违规", "Violation"},
    {Severity::Error, "error", "插件错误", "Plugin error"},
}};
const std::array<EnumEntry<FindingStatus>, 4> EnumTraits<FindingStatus>::entries{{
    {FindingStatus::Open, "open", "待处理", "Open"},
    {FindingStatus::Acknowledged, "acknowledged", "已确认", "Acknowledged"},
    {FindingStatus::Resolved, "resolved", "已解决", "Resolved"},
    {FindingStatus::Waived, "waived", "已豁免", "Waived"},
}};
const std::array<EnumEntry<AuditStatus>, 5> EnumTraits<AuditStatus>::entries{{
    {AuditStatus::Queued, "queued", "排队中", "Queued"},
    {AuditStatus::Running, "running", "运行中", "Running"},
    {AuditStatus::Succeeded, "succeeded", "已完成", "Succeeded"},
    {AuditStatus::Failed, "failed", "失败", "Failed"},
    {AuditStatus::Cancelled, "cancelled", "已取消", "Cancelled"},
}};
const std::array<EnumEntry<AuditTrigger>, 2> EnumTraits<AuditTrigger>::entries{{
    {AuditTrigger::Schedule, "schedule", "定时", "Scheduled"},
    {AuditTrigger::Manual, "manual", "手动", "Manual"},
}};
const std::array<EnumEntry<NoticeStatus>, 3> EnumTraits<NoticeStatus>::entries{{
    {NoticeStatus::Issued, "issued", "已下达", "Issued"},
    {NoticeStatus::Responded, "responded", "已答复", "Responded"},
    {NoticeStatus::Verified, "verified", "已验收", "Verified"},
}};
const std::array<EnumEntry<VerificationResult>, 2> EnumTraits<VerificationResult>::entries{{
    {VerificationResult::Rectified, "rectified", "已整改", "Rectified"},
    {VerificationResult::NotRectified, "not_rectified", "未整改", "Not rectified"},
}};
// clang-format on

} // namespace registry::domain
