---@meta
-- funeral-registry 插件接口（API 版本 1）的编辑器注解（LuaCATS）。
-- Editor annotations (LuaCATS) of the funeral-registry plugin API, version 1.
--
-- 这不是插件：服务器只加载 plugins/common/*.lua 和 plugins/<区拼音>/*.lua，顶层文件不加载；
-- `funeral-registry plugin test` 跳过 *.d.lua。请勿把本文件复制到 common/ 或区文件夹里。
-- Not a plugin: the server loads only plugins/common/*.lua and plugins/<pinyin>/*.lua, never a file at
-- the top of plugins/, and `plugin test` skips *.d.lua. Do not copy this file into a plugin folder.
--
-- 用法 / Use: open plugins/ (or the repository) in an editor with the Lua language server (LuaLS), and
-- annotate a plugin with `---@type Plugin` and its hooks with `---@param p PriceView` etc.
-- The recommended .luarc.json and a worked example are in docs/PLUGINS.md.
--
-- Everything here mirrors the host (core/plugins, core/codec/RecordJson.cpp, core/domain/Enums.cpp).
-- Views and ctx are read-only: writing to them raises "attempt to modify read-only table".
-- A field documented `?` is nil when the record has no value.

-- ---------------------------------------------------------------------------------------------------
-- Enumerations (the API's fixed string forms)
-- ---------------------------------------------------------------------------------------------------

---北京市各区的 GB/T 2260 代码。A Beijing district code.
---@alias DistrictCode
---| "110101" # 东城区 dongcheng
---| "110102" # 西城区 xicheng
---| "110105" # 朝阳区 chaoyang
---| "110106" # 丰台区 fengtai
---| "110107" # 石景山区 shijingshan
---| "110108" # 海淀区 haidian
---| "110109" # 门头沟区 mentougou
---| "110111" # 房山区 fangshan
---| "110112" # 通州区 tongzhou
---| "110113" # 顺义区 shunyi
---| "110114" # 昌平区 changping
---| "110115" # 大兴区 daxing
---| "110116" # 怀柔区 huairou
---| "110117" # 平谷区 pinggu
---| "110118" # 密云区 miyun
---| "110119" # 延庆区 yanqing

---殡葬设施类型。Facility kind.
---@alias FacilityKind
---| "funeral_home" # 殡仪馆
---| "crematorium" # 火化场
---| "operating_cemetery" # 经营性公墓
---| "public_welfare_cemetery" # 城市公益性公墓
---| "rural_public_welfare_cemetery" # 农村公益性墓地
---| "columbarium" # 骨灰堂
---| "funeral_service_station" # 殡葬服务站

---设施状态。Facility status.
---@alias FacilityStatus
---| "planned" # 规划中
---| "under_construction" # 在建
---| "operating" # 运营中
---| "suspended" # 暂停
---| "closed" # 已关闭

---专项规划（2021—2035年）中的处置方式。Plan action in the 2021–2035 plan.
---@alias PlanAction
---| "retain" # 保留
---| "expand" # 扩建
---| "upgrade" # 提升改造
---| "relocate" # 迁建
---| "new_build" # 新建
---| "close" # 关停

---规划期。Plan phase.
---@alias PlanPhase
---| "2021-2025"
---| "2026-2030"
---| "2031-2035"

---埋葬点类型。Burial site kind.
---@alias BurialSiteKind
---| "historical_burial_point" # 历史埋葬点
---| "scattered_graves" # 散坟

---禁止建坟区域（殡葬管理条例第十条）。Zone where graves are forbidden.
---@alias Zone
---| "farmland" # 耕地
---| "forest" # 林地
---| "park_scenic" # 公园/风景名胜/文物保护区
---| "water_source" # 水库/河流堤坝/水源保护区
---| "rail_highway" # 铁路/公路主干线两侧

---整治措施。Rectification measure.
---@alias Measure
---| "relocate" # 迁入公益性公墓
---| "deep_bury_no_mound" # 深埋不留坟头
---| "greening_screen" # 绿化遮挡
---| "renovate_upgrade" # 改造提升
---| "consolidate" # 归并集中
---| "retain_protect" # 保留保护(文物)

---整治状态，只能逐级向前。Rectification status, forward one step at a time.
---@alias BurialSiteStatus
---| "surveyed" # 已摸排
---| "planned" # 已制定方案
---| "in_progress" # 整治中
---| "completed" # 已完成
---| "accepted" # 已验收

---收费目录中的项目代码；目录外的项目也可能被登记（由 common.unauthorised-item 报告）。
---A catalogue item code; items outside the catalogue can be recorded too (any string).
---@alias PriceItemCode
---| "basic.transport" # 遗体接运 (per_trip)
---| "basic.storage" # 遗体存放/冷藏 (per_day)
---| "basic.cremation" # 遗体火化 (per_body)
---| "basic.ash_storage" # 骨灰寄存 (per_year)
---| "ext.farewell_hall" # 告别厅 (per_session)
---| "ext.cosmetic" # 整容/化妆 (per_body)
---| "ext.embalming" # 防腐 (per_body)
---| "cemetery.plot" # 墓位 (per_plot)
---| "cemetery.niche" # 骨灰格位 (per_niche)
---| "cemetery.maintenance" # 墓位维护管理费 (per_year)
---| "goods.urn" # 骨灰盒 (per_piece)
---| "goods.shroud" # 寿衣 (per_set)
---| "goods.wreath" # 花圈 (per_piece)

---收费项目类别。Item category.
---@alias PriceCategory
---| "basic" # 基本殡葬服务
---| "extended" # 延伸服务
---| "cemetery" # 公墓
---| "goods" # 殡葬用品

---定价方式。公墓项目在（城市或农村）公益性公墓为 government_guided，其他设施为 market。
---Pricing regime; cemetery items are government_guided at public-welfare cemeteries, market elsewhere.
---@alias PriceRegime
---| "government_set" # 政府定价
---| "government_guided" # 政府指导价
---| "market" # 市场调节价

---计价单位（目录项目的默认单位；记录中也可能是其他文字）。Unit of a price.
---@alias PriceUnit
---| "per_trip" # 每趟
---| "per_day" # 每天
---| "per_body" # 每具
---| "per_year" # 每年
---| "per_session" # 每场
---| "per_plot" # 每穴
---| "per_niche" # 每格
---| "per_piece" # 每件
---| "per_set" # 每套

---价格来源。Where a price record came from.
---@alias PriceSource
---| "inspection" # 现场检查
---| "self_report" # 单位自报
---| "import" # 批量导入

---插件可报告的严重程度（"error" 只由主机用于插件自身的故障）。
---Severities a plugin may report ("error" is the host's, for a plugin that failed).
---@alias Severity
---| "info" # 提示
---| "warning" # 警告
---| "violation" # 违规

---"YYYY-MM-DD"
---@alias Date string

---RFC 3339 UTC, e.g. "2024-06-01T08:30:00Z"; "" for a record not stored yet.
---@alias Timestamp string

-- ---------------------------------------------------------------------------------------------------
-- Record views (read-only tables with the API's field names)
-- ---------------------------------------------------------------------------------------------------

---墓位等价格的附加属性；未登记的属性为 nil。Optional attributes of a price.
---@class PriceAttributes
---@field area_m2? number 墓位面积（平方米）plot area in m²
---@field term_years? integer 使用年限（年）term of use in years

---一条价格记录，附带其设施的信息。A price record, with what a rule needs of its facility.
---In a validate hook on a new price, id is 0 and created_at is "".
---@class PriceView
---@field id integer
---@field facility_id integer
---@field item PriceItemCode|string 收费项目代码 item code (may be outside the catalogue)
---@field amount_fen integer 金额，单位：分（1 元 = 100 分）amount in fen
---@field unit PriceUnit|string
---@field effective_from Date 生效日期
---@field effective_to? Date nil while the price is current
---@field displayed boolean 是否明码标价 publicly displayed
---@field bundled boolean 是否捆绑/强制销售 bundled or forced with another service
---@field attributes PriceAttributes
---@field source PriceSource
---@field note string
---@field superseded_by? integer id of the record that replaced this one
---@field recorded_by string
---@field created_at Timestamp
---@field version integer
---@field facility_kind FacilityKind 所属设施类型
---@field facility_name string 所属设施名称
---@field district DistrictCode 所属设施的区
---@field item_category? PriceCategory nil for an item outside the catalogue
---@field item_regime? PriceRegime nil for an item outside the catalogue

---一个殡葬设施。A funeral facility. In a validate hook on a new facility, id is 0 and code "".
---@class FacilityView
---@field id integer
---@field code string 服务器分配 server-assigned, "F-110108-0007"
---@field name string
---@field kind FacilityKind
---@field district DistrictCode
---@field address string
---@field operator string 运营单位
---@field approval_no string 批准文号
---@field status FacilityStatus
---@field plan_action? PlanAction
---@field plan_phase? PlanPhase
---@field capacity_total? integer 墓位/格位总数 plots or niches
---@field capacity_used? integer
---@field area_m2? number
---@field lat? number WGS-84
---@field lon? number WGS-84
---@field notes string
---@field version integer
---@field created_at Timestamp
---@field updated_at Timestamp

---一个历史埋葬点或散坟点。A historical burial site or scattered-grave site.
---In a validate hook on a new site, id is 0 and code "". On a progress entry, the view is the site as it
---will be after the entry (graves_handled and status updated).
---@class BurialSiteView
---@field id integer
---@field code string 服务器分配 server-assigned, "B-110108-00042"
---@field kind BurialSiteKind
---@field district DistrictCode
---@field township string 乡镇/街道
---@field village string 村（可为空）
---@field location string 位置描述
---@field lat? number
---@field lon? number
---@field grave_count integer 坟墓数
---@field graves_handled integer 已处置坟墓数（进展记录之和）
---@field zones Zone[] 所在禁葬区域（可为空表）
---@field protected_relic boolean 是否受保护文物
---@field measure? Measure 整治措施，未定时为 nil
---@field status BurialSiteStatus
---@field target_date Date 整治目标日期
---@field responsible_unit string 责任单位（可为空）
---@field version integer
---@field created_at Timestamp
---@field updated_at Timestamp

---价格主管部门公布的上限（ctx.reference_price 的结果）。A reference price (cap).
---@class ReferencePrice
---@field id integer
---@field item PriceItemCode|string
---@field district? DistrictCode nil for a citywide cap
---@field cap_fen integer 上限，单位：分
---@field effective_from Date
---@field effective_to? Date
---@field basis string 依据文件 the document the cap comes from
---@field version integer
---@field created_at Timestamp
---@field updated_at Timestamp

-- ---------------------------------------------------------------------------------------------------
-- ctx: the host API, the second argument of every hook
-- ---------------------------------------------------------------------------------------------------

---ctx.finding 的参数。What ctx.finding takes: exactly these four fields.
---@class FindingSpec
---@field rule string 简短稳定的代码，仅小写字母、数字、"."、"_"、"-"，如 "price.above_cap"（≤100 字节）
---@field severity Severity
---@field message string 非空，≤4000 字节 non-empty, at most 4000 bytes
---@field details? table<string, any> 任意可转为 JSON 的表（无函数）any table convertible to JSON

---主机提供给插件的接口；只读。The host API given to every hook; read-only.
---@class Ctx
---插件的设置：manifest 的 defaults，被服务器设置 plugin.<name>.<key> 覆盖；只读。
---The plugin's settings: its `defaults`, each overridden by the server setting plugin.<name>.<key>.
---@field config table<string, any>
local Ctx = {}

---报告一条发现；一次调用可多次报告（每次调用最多 plugins.max_findings_per_call 条，默认 100）。
---Reports a finding; may be called more than once per call (at most plugins.max_findings_per_call, 100).
---A bad argument (unknown field, bad rule code, severity "error") is an error in the plugin.
---@param finding FindingSpec
function Ctx.finding(finding) end

---按记录日期（价格为 effective_from，其他为审核日期）查找项目的上限：本区的优先于全市的。
---The cap for `item` in `district` (default: the record's district) as of the record's date (a price's
---effective_from, else today); a district's cap before a citywide one. nil when none is in force.
---@param item PriceItemCode|string
---@param district? DistrictCode
---@return ReferencePrice?
function Ctx.reference_price(item, district) end

---这条价格所取代的记录（同一设施、同一项目的上一条），没有时为 nil。
---The record this price replaced (same facility and item), or nil.
---@param price PriceView
---@return PriceView?
function Ctx.previous_price(price) end

---某设施当前有效的全部价格（按项目排序）。The current prices of a facility, in item order.
---@param facility_id integer
---@return PriceView[]
function Ctx.current_prices(facility_id) end

---按 id 查找设施，找不到时为 nil。A facility by id, or nil.
---@param id integer
---@return FacilityView?
function Ctx.facility(id) end

---审核日期 "YYYY-MM-DD"（测试中由用例的 today 固定）。The audit's date (fixed by a test's `today`).
---@return Date
function Ctx.today() end

---写一行服务器日志，带插件名（每次调用最多 plugins.max_log_lines_per_call 行，默认 20）。
---Writes a line to the server log, tagged with the plugin (at most plugins.max_log_lines_per_call, 20).
---`plugin test` shows these lines under a failed case.
---@param message any
function Ctx.log(message) end

-- ---------------------------------------------------------------------------------------------------
-- The plugin file: `return` a table of this shape
-- ---------------------------------------------------------------------------------------------------

---@alias PriceHook fun(p: PriceView, ctx: Ctx)
---@alias FacilityHook fun(f: FacilityView, ctx: Ctx)
---@alias BurialSiteHook fun(s: BurialSiteView, ctx: Ctx)

---返回 nil（或 false）放行，返回一段文字则拒绝写入（HTTP 422，文字即提示）。
---Return nil (or false) to accept the write, or a message to refuse it (422 with that message).
---@alias PriceValidateHook fun(p: PriceView, ctx: Ctx): (string|false|nil)
---@alias FacilityValidateHook fun(f: FacilityView, ctx: Ctx): (string|false|nil)
---@alias BurialSiteValidateHook fun(s: BurialSiteView, ctx: Ctx): (string|false|nil)

---@class PluginChecks
---@field price? PriceHook
---@field facility? FacilityHook
---@field burial_site? BurialSiteHook

---@class PluginValidate
---@field price? PriceValidateHook
---@field facility? FacilityValidateHook
---@field burial_site? BurialSiteValidateHook

---插件文件返回的表（manifest）。只允许这些字段，至少要有一个 hook。
---The table a plugin file returns. No other field is allowed; at least one hook is required.
---@class Plugin
---@field name string 唯一、稳定，点分小写，如 "haidian.rectification-pace" unique, dotted lowercase
---@field version string 如 "1.0.0"
---@field description? string
---在区文件夹中可省略（由文件夹决定），只能是该区的代码；common/ 中省略即全市。
---Optional: implied by a district folder (and only that code is allowed there); omitted in common/ = citywide.
---@field districts? DistrictCode[]
---设置的默认值；服务器设置 plugin.<name>.<key> 的文字按默认值的类型转换（数字、布尔、逗号分隔的列表）。
---Defaults of ctx.config; a setting is converted to its default's type (number, boolean, comma list).
---@field defaults? table<string, boolean|number|string|string[]|number[]>
---@field checks? PluginChecks 审核与写入后运行，报告发现 run on writes and audits, report findings
---@field validate? PluginValidate 写入前运行，可拒绝写入 run before a write, may refuse it

-- ---------------------------------------------------------------------------------------------------
-- <name>_test.lua: `return` a list of these (see docs/PLUGINS.md)
-- ---------------------------------------------------------------------------------------------------

---用例中的价格：只写与干净记录不同的字段（默认：basic.cremation、已明码标价、未捆绑、殡仪馆、
---插件所在区）。Fields over a clean price (basic.cremation, displayed, not bundled, a funeral home, the
---folder's district); a field the view does not have is an error in the case.
---@class TestPrice
---@field id? integer
---@field facility_id? integer
---@field item? PriceItemCode|string
---@field amount_fen? integer
---@field unit? PriceUnit|string
---@field effective_from? Date defaults to the case's today
---@field effective_to? Date
---@field displayed? boolean
---@field bundled? boolean
---@field attributes? PriceAttributes
---@field source? PriceSource
---@field note? string
---@field superseded_by? integer
---@field recorded_by? string
---@field created_at? Timestamp
---@field version? integer
---@field facility_kind? FacilityKind
---@field facility_name? string
---@field district? DistrictCode
---@field item_category? PriceCategory derived from item unless given
---@field item_regime? PriceRegime derived from item and facility_kind unless given

---用例中的设施（默认：运营中的殡仪馆，插件所在区）。Fields over a clean facility (an operating funeral home).
---@class TestFacility
---@field id? integer
---@field code? string
---@field name? string
---@field kind? FacilityKind
---@field district? DistrictCode
---@field address? string
---@field operator? string
---@field approval_no? string
---@field status? FacilityStatus
---@field plan_action? PlanAction
---@field plan_phase? PlanPhase
---@field capacity_total? integer
---@field capacity_used? integer
---@field area_m2? number
---@field lat? number
---@field lon? number
---@field notes? string
---@field version? integer
---@field created_at? Timestamp
---@field updated_at? Timestamp

---用例中的埋葬点（默认：1 座坟、已摸排、目标日期 2024-12-31、责任单位“测试单位”）。
---Fields over a clean site (1 grave, surveyed, target 2024-12-31, responsible unit "测试单位").
---@class TestBurialSite
---@field id? integer
---@field code? string
---@field kind? BurialSiteKind
---@field district? DistrictCode
---@field township? string
---@field village? string
---@field location? string
---@field lat? number
---@field lon? number
---@field grave_count? integer
---@field graves_handled? integer
---@field zones? Zone[]
---@field protected_relic? boolean
---@field measure? Measure
---@field status? BurialSiteStatus
---@field target_date? Date
---@field responsible_unit? string
---@field version? integer
---@field created_at? Timestamp
---@field updated_at? Timestamp

---用例中的上限。A cap the case puts behind ctx.reference_price.
---@class TestReferencePrice
---@field item PriceItemCode|string
---@field cap_fen integer
---@field district? DistrictCode omitted: citywide
---@field effective_from? Date omitted: always
---@field effective_to? Date
---@field basis? string defaults to "plugin test"

---期望的一条发现；severity 省略时不比较，message 为消息的一部分。
---An expected finding; severity omitted matches any, message matches a part of the message.
---@class ExpectedFinding
---@field rule string
---@field severity? Severity
---@field message? string

---一个测试用例：price、facility、burial_site 三者恰好给一个；expect 或 refuse 至少给一个。
---One case: exactly one of price, facility, burial_site; expect, refuse, or both.
---@class PluginTestCase
---@field name? string shown in the output; defaults to "case N"
---@field today? Date ctx.today(); defaults to the real date
---@field price? TestPrice
---@field facility? TestFacility
---@field burial_site? TestBurialSite
---@field reference_prices? TestReferencePrice[]
---@field previous_price? TestPrice what ctx.previous_price returns
---@field current_prices? TestPrice[] what ctx.current_prices returns (matched by facility_id)
---@field facilities? TestFacility[] what ctx.facility finds (matched by id)
---@field config? table<string, any> over the plugin's defaults (text is converted as settings are)
---@field expect? ExpectedFinding[] exactly these findings, in any order; {} means none
---@field refuse? boolean|string a validate hook must refuse (with a message containing this text)
---@field audit? boolean 已保存的记录（如夜间审计所见）：只运行 checks a stored record, as the nightly audit sees it: only checks run

-- ---------------------------------------------------------------------------------------------------
-- The sandbox's os: only these three (docs/PLUGINS.md's .luarc.json turns LuaLS's full os off)
-- ---------------------------------------------------------------------------------------------------

---@class SandboxDate
---@field year integer
---@field month integer
---@field day integer
---@field hour? integer defaults to 12
---@field min? integer
---@field sec? integer
---@field isdst? boolean

---插件只能使用 os.time、os.date、os.clock。Plugins get os.time, os.date and os.clock only.
os = {}

---The current time, or the time of a date table, in seconds since the epoch.
---@param date? SandboxDate
---@return integer
function os.time(date) end

---Formats a time ("%Y-%m-%d"), or returns a date table with format "*t" / "!*t".
---@param format? string
---@param time? integer
---@return string|SandboxOsDate
function os.date(format, time) end

---CPU seconds used by the server process.
---@return number
function os.clock() end

---@class SandboxOsDate
---@field year integer
---@field month integer
---@field day integer
---@field hour integer
---@field min integer
---@field sec integer
---@field wday integer
---@field yday integer
---@field isdst boolean
