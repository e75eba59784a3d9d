-- 禁止建坟区域（殡葬管理条例第十条）内的坟墓须迁出或深埋不留坟头，受保护文物除外。
-- Graves in a forbidden zone need a measure other than retain_protect, unless they are protected relics.
local zone_names = {
  farmland = "耕地", forest = "林地", park_scenic = "公园/风景名胜区/文物保护区",
  water_source = "水库/河流堤坝/水源保护区", rail_highway = "铁路/公路主干线两侧",
}

return {
  name = "common.forbidden-zone-measure",
  version = "1.0.0",
  description = "禁止建坟区域内的坟墓须有整治措施（文物保护单位除外）",
  checks = {
    burial_site = function(s, ctx)
      if #s.zones == 0 or s.protected_relic then return end
      local names = {}
      for _, zone in ipairs(s.zones) do names[#names + 1] = zone_names[zone] or zone end
      local where = table.concat(names, "、")
      if s.measure == "retain_protect" then
        ctx.finding{
          rule = "site.forbidden_zone_retained",
          severity = "violation",
          message = string.format("%s 位于%s，不是受保护文物，不得保留保护", s.code, where),
          details = { zones = s.zones },
        }
      elseif s.measure == nil and s.status ~= "surveyed" then
        ctx.finding{
          rule = "site.forbidden_zone_no_measure",
          severity = "violation",
          message = string.format("%s 位于%s，状态为 %s 但尚未确定整治措施", s.code, where, s.status),
          details = { zones = s.zones, status = s.status },
        }
      end
    end,
  },
}
