-- 延庆区：墓位价格必须写明使用年限，否则不予保存（validate 示例：阻止写入）。
-- Yanqing: a plot price must state its term of use, or the write is refused (an example of validate).
return {
  name = "yanqing.plot-term-required",
  version = "1.0.0",
  description = "延庆区：墓位价格须登记使用年限",
  validate = {
    price = function(p, ctx)
      if p.item == "cemetery.plot" and p.attributes.term_years == nil then
        return "延庆区墓位价格须登记使用年限（term_years） / Yanqing plot prices must state term_years"
      end
    end,
  },
  checks = {
    price = function(p, ctx)
      if p.item == "cemetery.plot" and p.attributes.term_years == nil then
        -- Records written before this rule, or imported, are still reported.
        ctx.finding{
          rule = "yanqing.plot_term_missing",
          severity = "warning",
          message = string.format("%s 的墓位价格未登记使用年限", p.facility_name),
        }
      end
    end,
  },
}
