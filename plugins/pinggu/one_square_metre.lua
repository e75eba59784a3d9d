-- 平谷区“一平米、一棵树、一块碑”：迁入公益性公墓的墓位不超过 1 平方米。
-- Pinggu's "1 m², one tree, one marker": plots at public-welfare cemeteries are at most 1 m².
return {
  name = "pinggu.one-square-metre",
  version = "1.0.0",
  description = "平谷区：公益性公墓墓位“一平米、一棵树、一块碑”",
  defaults = {
    max_area_m2 = 1.0,
    facility_kinds = { "public_welfare_cemetery", "rural_public_welfare_cemetery" },
  },
  checks = {
    price = function(p, ctx)
      if p.item ~= "cemetery.plot" then return end
      local held = false
      for _, kind in ipairs(ctx.config.facility_kinds) do
        if kind == p.facility_kind then held = true end
      end
      if not held then return end
      local area = p.attributes.area_m2
      if area == nil then
        ctx.finding{
          rule = "pinggu.plot_area_missing",
          severity = "warning",
          message = string.format("%s 的墓位未记录面积，无法核对“一平米”标准", p.facility_name),
        }
      elseif area > ctx.config.max_area_m2 then
        ctx.finding{
          rule = "pinggu.plot_over_one_m2",
          severity = "violation",
          message = string.format("%s 的墓位面积 %.2f 平方米，超过平谷区 %.2f 平方米标准", p.facility_name, area,
            ctx.config.max_area_m2),
          details = { area_m2 = area },
        }
      end
    end,
  },
}
