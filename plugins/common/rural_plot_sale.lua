-- 农村公益性墓地不得对外销售墓位牟利。Rural public-welfare cemeteries may not sell plots for profit.
local function yuan(fen) return string.format("%.2f", fen / 100) end

return {
  name = "common.rural-plot-sale",
  version = "1.0.0",
  description = "农村公益性墓地不得以营利为目的销售墓位",
  defaults = {
    max_fen = 0, -- any plot price above this is a sale for profit
  },
  checks = {
    price = function(p, ctx)
      if p.facility_kind ~= "rural_public_welfare_cemetery" or p.item ~= "cemetery.plot" then return end
      if p.amount_fen > ctx.config.max_fen then
        ctx.finding{
          rule = "price.rural_plot_for_profit",
          severity = "violation",
          message = string.format("农村公益性墓地 %s 以 %s 元销售墓位", p.facility_name, yuan(p.amount_fen)),
          details = { amount_fen = p.amount_fen },
        }
      end
    end,
  },
}
