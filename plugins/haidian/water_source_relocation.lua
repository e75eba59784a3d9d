-- 海淀区：水源保护区内的坟墓须迁入公益性公墓，不得以绿化遮挡代替（文物除外）。
-- Haidian: graves in a water-source zone must be relocated; greening is not enough (relics excepted).
return {
  name = "haidian.water-source-relocation",
  version = "1.0.0",
  description = "海淀区：水源保护区内的坟墓必须迁出",
  checks = {
    burial_site = function(s, ctx)
      if s.protected_relic then return end
      local near_water = false
      for _, zone in ipairs(s.zones) do
        if zone == "water_source" then near_water = true end
      end
      if near_water and s.measure ~= nil and s.measure ~= "relocate" then
        ctx.finding{
          rule = "site.water_source_not_relocated",
          severity = "violation",
          message = string.format("%s 位于水源保护区，整治措施为 %s，海淀区要求迁入公益性公墓", s.code, s.measure),
          details = { measure = s.measure },
        }
      end
    end,
  },
}
