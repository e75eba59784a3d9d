-- 捆绑、强制服务：不得将服务或商品捆绑、强制出售。Bundled or forced sales.
return {
  name = "common.bundled-sale",
  version = "1.0.0",
  description = "不得捆绑销售或强制服务",
  checks = {
    price = function(p, ctx)
      if p.bundled then
        ctx.finding{
          rule = "price.bundled",
          severity = "violation",
          message = string.format("%s 与其他服务捆绑或强制销售（%s）", p.item, p.facility_name),
        }
      end
    end,
  },
}
