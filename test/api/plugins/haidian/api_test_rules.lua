-- A Haidian rule used by the API tests: refuses absurd basic-service prices at entry, and flags prices
-- that are not displayed; and, for the permission-matrix test, burial sites whose responsible unit is its
-- marker (a burial site's finding to issue a notice from).
return {
  name = "haidian.api-test-rules",
  version = "1.0.0",
  description = "海淀区(测试用):基本服务价格上限拦截与明码标价检查",
  districts = { "110108" },
  defaults = { ceiling_fen = 5000000 },
  validate = {
    price = function(p, ctx)
      if p.item_category == "basic" and p.amount_fen > ctx.config.ceiling_fen then
        return "基本殡葬服务价格超过 " .. (ctx.config.ceiling_fen // 100) .. " 元,疑似录入错误"
      end
    end,
  },
  checks = {
    price = function(p, ctx)
      if not p.displayed then
        ctx.finding{ rule = "price.not_displayed", severity = "violation",
                     message = "价格未公示(" .. p.facility_name .. ")" }
      end
    end,
    burial_site = function(s, ctx)
      if s.responsible_unit == "permission-matrix" then
        ctx.finding{ rule = "site.marked", severity = "warning", message = "权限矩阵测试标记(" .. s.code .. ")" }
      end
    end,
  },
}
