-- 擅自设立收费项目：收费项目不在目录内。Charging for an item outside the catalogue.
return {
  name = "common.unauthorised-item",
  version = "1.0.0",
  description = "不得擅自设立收费项目（目录外收费）",
  defaults = {
    allowed_items = {}, -- item codes outside the catalogue that the bureau has approved
  },
  checks = {
    price = function(p, ctx)
      if p.item_category ~= nil then return end -- in the catalogue
      for _, item in ipairs(ctx.config.allowed_items) do
        if item == p.item then return end
      end
      ctx.finding{
        rule = "price.unauthorised_item",
        severity = "violation",
        message = string.format("收费项目 %s 不在殡葬服务收费目录内，属擅自设立收费项目", p.item),
        details = { item = p.item, amount_fen = p.amount_fen },
      }
    end,
  },
}
