-- 城市公益性公墓：墓位、骨灰格位价格不得高于核定的上限。Public-welfare cemetery plots at or below their cap.
local function yuan(fen) return string.format("%.2f", fen / 100) end

return {
  name = "common.public-welfare-cemetery-cap",
  version = "1.0.0",
  description = "公益性公墓墓位、格位价格不得超过政府指导价上限",
  defaults = {
    items = { "cemetery.plot", "cemetery.niche" },
  },
  checks = {
    price = function(p, ctx)
      if p.facility_kind ~= "public_welfare_cemetery" then return end
      local held = false
      for _, item in ipairs(ctx.config.items) do
        if item == p.item then held = true end
      end
      if not held then return end
      local cap = ctx.reference_price(p.item)
      if not cap then
        ctx.finding{
          rule = "price.public_welfare_no_cap",
          severity = "info",
          message = string.format("公益性公墓 %s 的 %s 没有核定价格上限，无法核对", p.facility_name, p.item),
        }
        return
      end
      if p.amount_fen > cap.cap_fen then
        ctx.finding{
          rule = "price.public_welfare_above_cap",
          severity = "violation",
          message = string.format("公益性公墓 %s 的 %s 定价 %s 元，超过指导价上限 %s 元",
            p.facility_name, p.item, yuan(p.amount_fen), yuan(cap.cap_fen)),
          details = { amount_fen = p.amount_fen, cap_fen = cap.cap_fen, basis = cap.basis },
        }
      end
    end,
  },
}
