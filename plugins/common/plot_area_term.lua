-- 墓位面积与使用年限（民事发〔1998〕10号；北京骨灰安葬单、双穴不超过 1 平方米）。
-- Plot area (Beijing ash burial, single or double: 1 m²; body burial 4 / 6 m²) and use term (20 years).
return {
  name = "common.plot-area-term",
  version = "1.0.0",
  description = "墓位占地面积与使用年限不得超过规定标准",
  defaults = {
    max_area_m2 = 1.0,     -- Beijing's ash burial standard; body burial plots are 4 (single) and 6 (double)
    max_term_years = 20,
  },
  checks = {
    price = function(p, ctx)
      if p.item ~= "cemetery.plot" then return end
      local area = p.attributes.area_m2
      if area and area > ctx.config.max_area_m2 then
        ctx.finding{
          rule = "plot.area_exceeds",
          severity = "violation",
          message = string.format("墓位面积 %.2f 平方米，超过 %.2f 平方米的标准", area, ctx.config.max_area_m2),
          details = { area_m2 = area, max_area_m2 = ctx.config.max_area_m2 },
        }
      end
      local term = p.attributes.term_years
      if term and term > ctx.config.max_term_years then
        ctx.finding{
          rule = "plot.term_exceeds",
          severity = "violation",
          message = string.format("墓位使用年限 %d 年，超过 %d 年", term, ctx.config.max_term_years),
          details = { term_years = term, max_term_years = ctx.config.max_term_years },
        }
      end
    end,
  },
}
