-- 密云区：密云水库一级水源保护区内的坟墓须在期限前完成迁出。
-- Miyun: graves in the reservoir's water-source zone must be relocated by an earlier deadline.
return {
  name = "miyun.reservoir-deadline",
  version = "1.0.0",
  description = "密云区：水源保护区内坟墓须于规定期限前完成整治",
  defaults = {
    deadline = "2023-12-31", -- the district's date for water-source sites, before the citywide plan's end
  },
  checks = {
    burial_site = function(s, ctx)
      local in_zone = false
      for _, zone in ipairs(s.zones) do
        if zone == "water_source" then in_zone = true end
      end
      if not in_zone or s.protected_relic then return end
      if s.target_date > ctx.config.deadline then
        ctx.finding{
          rule = "miyun.water_source_target_late",
          severity = "warning",
          message = string.format("%s 位于水源保护区，目标日期 %s 晚于密云区规定的 %s", s.code, s.target_date,
            ctx.config.deadline),
          details = { target_date = s.target_date, deadline = ctx.config.deadline },
        }
      end
    end,
  },
}
