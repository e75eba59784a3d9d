-- 昌平区“天价墓”：经营性公墓墓位每平方米价格超过阈值。
-- Changping's "sky-high grave": operating-cemetery plots priced above a threshold per m².
local function yuan(fen) return string.format("%.0f", fen / 100) end

return {
  name = "changping.sky-high-grave",
  version = "1.0.0",
  description = "昌平区：经营性公墓墓位每平方米价格不得超过“天价墓”阈值",
  defaults = {
    max_fen_per_m2 = 10000000, -- 100 000 元/m², illustrative: the district sets the real figure
  },
  checks = {
    price = function(p, ctx)
      if p.item ~= "cemetery.plot" or p.facility_kind ~= "operating_cemetery" then return end
      local area = p.attributes.area_m2
      if area == nil or area <= 0 then return end
      local per_m2 = p.amount_fen / area
      if per_m2 > ctx.config.max_fen_per_m2 then
        ctx.finding{
          rule = "price.sky_high_grave",
          severity = "violation",
          message = string.format("%s 墓位 %s 元 / %.2f 平方米，合每平方米 %s 元，超过 %s 元的天价墓阈值",
            p.facility_name, yuan(p.amount_fen), area, yuan(per_m2), yuan(ctx.config.max_fen_per_m2)),
          details = { amount_fen = p.amount_fen, area_m2 = area, fen_per_m2 = per_m2 },
        }
      end
    end,
  },
}
