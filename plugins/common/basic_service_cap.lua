-- 基本殡葬服务（政府定价）与延伸服务（政府指导价）不得高于价格主管部门公布的上限。
-- Basic services (government-set) and extended services (government-guided) above their reference cap.
local function yuan(fen) return string.format("%.2f", fen / 100) end

return {
  name = "common.basic-service-cap",
  version = "1.0.0",
  description = "基本殡葬服务和延伸服务收费不得超过政府定价/指导价上限",
  defaults = {
    categories = { "basic", "extended" }, -- item categories held to a cap
    tolerance_fen = 0,                    -- amounts up to cap + tolerance pass
  },
  checks = {
    price = function(p, ctx)
      local held = false
      for _, category in ipairs(ctx.config.categories) do
        if p.item_category == category then held = true end
      end
      if not held then return end
      local cap = ctx.reference_price(p.item)
      if not cap then return end
      if p.amount_fen > cap.cap_fen + ctx.config.tolerance_fen then
        ctx.finding{
          rule = "price.above_cap",
          severity = "violation",
          message = string.format("%s 收费 %s 元，超过政府定价上限 %s 元（%s）",
            p.item, yuan(p.amount_fen), yuan(cap.cap_fen), cap.basis),
          details = { amount_fen = p.amount_fen, cap_fen = cap.cap_fen, basis = cap.basis },
        }
      end
    end,
  },
}
