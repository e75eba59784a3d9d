---@meta
-- LuaCATS annotations of the plugin API (PLUGINS.md, API version 1), for editors with the Lua language
-- server: it completes `ctx.` and the record fields and checks plugin code against them. This file is
-- not a plugin and is never loaded by the server.
--
-- 插件 API 的类型注解（供 VS Code 等编辑器的 Lua 语言服务器使用），服务器不会加载此文件。

---@alias Severity "info"|"warning"|"violation"
---@alias DistrictCode "110101"|"110102"|"110105"|"110106"|"110107"|"110108"|"110109"|"110111"|"110112"|"110113"|"110114"|"110115"|"110116"|"110117"|"110118"|"110119"
---@alias FacilityKind "funeral_home"|"crematorium"|"operating_cemetery"|"public_welfare_cemetery"|"rural_public_welfare_cemetery"|"columbarium"|"funeral_service_station"
---@alias FacilityStatus "planned"|"under_construction"|"operating"|"suspended"|"closed"
---@alias PlanAction "retain"|"expand"|"upgrade"|"relocate"|"new_build"|"close"
---@alias PlanPhase "2021-2025"|"2026-2030"|"2031-2035"
---@alias BurialSiteKind "historical_burial_point"|"scattered_graves"
---@alias Zone "farmland"|"forest"|"park_scenic"|"water_source"|"rail_highway"
---@alias Measure "relocate"|"deep_bury_no_mound"|"greening_screen"|"renovate_upgrade"|"consolidate"|"retain_protect"
---@alias BurialSiteStatus "surveyed"|"planned"|"in_progress"|"completed"|"accepted"
---@alias PriceCategory "basic"|"extended"|"cemetery"|"goods"
---@alias PriceRegime "government_set"|"government_guided"|"market"
---@alias PriceSource "inspection"|"self_report"|"import"

--- A price record (价格记录), read-only. Amounts are in fen (1 yuan = 100 fen).
---@class PriceView
---@field id integer 0 for a price not stored yet (validate)
---@field facility_id integer
---@field item string catalogue code such as "basic.cremation", or what the facility charges
---@field amount_fen integer
---@field unit string "per_body", "per_plot", ...
---@field effective_from string "YYYY-MM-DD"
---@field effective_to string? nil while current
---@field displayed boolean publicly displayed (明码标价)
---@field bundled boolean bundled or forced with another service
---@field attributes { area_m2: number?, term_years: integer? } plot attributes
---@field source PriceSource
---@field note string
---@field superseded_by integer? the record that replaced this one
---@field recorded_by string
---@field created_at string RFC 3339 UTC
---@field version integer
---@field facility_kind FacilityKind the facility's kind
---@field facility_name string
---@field district DistrictCode the facility's district
---@field item_category PriceCategory? nil for an item outside the catalogue
---@field item_regime PriceRegime? cemetery items are government-guided at public-welfare cemeteries

--- A funeral facility (殡葬设施), read-only.
---@class FacilityView
---@field id integer
---@field code string "F-110108-0007"
---@field name string
---@field kind FacilityKind
---@field district DistrictCode
---@field address string
---@field operator string
---@field approval_no string
---@field status FacilityStatus
---@field plan_action PlanAction?
---@field plan_phase PlanPhase?
---@field capacity_total integer?
---@field capacity_used integer?
---@field area_m2 number?
---@field lat number?
---@field lon number?
---@field notes string
---@field version integer
---@field created_at string
---@field updated_at string

--- A historical burial site or scattered graves (历史埋葬点/散坟), read-only.
---@class BurialSiteView
---@field id integer
---@field code string "B-110108-00042"
---@field kind BurialSiteKind
---@field district DistrictCode
---@field township string
---@field village string
---@field location string
---@field lat number?
---@field lon number?
---@field grave_count integer
---@field graves_handled integer sum of the progress log
---@field zones Zone[] forbidden zones the site lies in
---@field protected_relic boolean
---@field measure Measure?
---@field status BurialSiteStatus
---@field target_date string "YYYY-MM-DD"
---@field responsible_unit string
---@field version integer
---@field created_at string
---@field updated_at string

--- A price cap set by the price authority, read-only.
---@class ReferencePrice
---@field item string
---@field district DistrictCode? nil for a citywide cap
---@field cap_fen integer
---@field basis string the document the cap comes from
---@field effective_from string
---@field effective_to string?

--- What ctx.finding takes.
---@class FindingSpec
---@field rule string a short stable code such as "price.above_cap"
---@field severity Severity
---@field message string for inspectors, in Chinese
---@field details table? any data that helps (converted to JSON)

--- The host API, the second argument of every hook. Read-only.
---@class Ctx
---@field config table<string, any> the plugin's settings: plugin.<name>.<key>, falling back to `defaults`
local Ctx = {}

--- Reports a finding on the record; may be called more than once.
---@param finding FindingSpec
function Ctx.finding(finding) end

--- The cap for an item in the record's district (or `district`), as of the record's date; nil if none.
---@param item string
---@param district DistrictCode?
---@return ReferencePrice?
function Ctx.reference_price(item, district) end

--- The price record this one replaced, or nil.
---@param price PriceView
---@return PriceView?
function Ctx.previous_price(price) end

--- The current price records of a facility.
---@param facility_id integer
---@return PriceView[]
function Ctx.current_prices(facility_id) end

--- A facility, or nil.
---@param id integer
---@return FacilityView?
function Ctx.facility(id) end

--- The audit's date, "YYYY-MM-DD" (fixed by a test case's `today`).
---@return string
function Ctx.today() end

--- Writes a line to the server log, tagged with the plugin's name.
---@param message any
function Ctx.log(message) end

--- What a plugin file returns.
---@class Plugin
---@field name string unique and dotted: "haidian.water-source-relocation"
---@field version string
---@field description string?
---@field districts DistrictCode[]? implied by the folder; only plugins in common/ may apply citywide
---@field defaults table<string, any>? ctx.config's values when no setting overrides them
---@field checks { price: fun(p: PriceView, ctx: Ctx), facility: fun(f: FacilityView, ctx: Ctx), burial_site: fun(s: BurialSiteView, ctx: Ctx) }?
---@field validate { price: (fun(p: PriceView, ctx: Ctx): string?), facility: (fun(f: FacilityView, ctx: Ctx): string?), burial_site: (fun(s: BurialSiteView, ctx: Ctx): string?) }? return a message to refuse the write

--- One case of a `<name>_test.lua` file.
---@class PluginTestCase
---@field name string
---@field today string? "YYYY-MM-DD"; the real date when omitted
---@field price table? fields of a PriceView; the rest are those of a clean record
---@field facility table? fields of a FacilityView
---@field burial_site table? fields of a BurialSiteView
---@field reference_prices { item: string, cap_fen: integer, district: DistrictCode?, effective_from: string?, effective_to: string?, basis: string? }[]?
---@field previous_price table? what ctx.previous_price returns
---@field current_prices table[]? what ctx.current_prices returns (matched by facility_id)
---@field facilities table[]? what ctx.facility finds (by id)
---@field config table<string, any>? settings over the plugin's defaults
---@field expect { rule: string, severity: Severity|"error"?, message: string? }[]? the findings, in any order; {} for none
---@field refuse boolean|string? a validate hook must refuse (with a message containing this text)
