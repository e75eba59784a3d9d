-- 明码标价：价格必须公开展示。Every price must be publicly displayed.
return {
  name = "common.price-display",
  version = "1.0.0",
  description = "殡葬服务和商品须明码标价",
  checks = {
    price = function(p, ctx)
      if not p.displayed then
        ctx.finding{
          rule = "price.not_displayed",
          severity = "violation",
          message = string.format("%s 未明码标价（%s）", p.item, p.facility_name),
        }
      end
    end,
  },
}
