-- A Chaoyang rule used by the permission-matrix test: a finding in a second district, reported only for
-- prices whose note, and burial sites whose responsible unit, is the test's marker (so that no other test
-- sees it).
return {
  name = "chaoyang.api-test-marker",
  version = "1.0.0",
  description = "朝阳区(测试用):权限矩阵测试的标记价格",
  districts = { "110105" },
  checks = {
    price = function(p, ctx)
      if p.note == "permission-matrix" then
        ctx.finding{ rule = "price.marked", severity = "warning", message = "权限矩阵测试标记(" .. p.facility_name .. ")" }
      end
    end,
    burial_site = function(s, ctx)
      if s.responsible_unit == "permission-matrix" then
        ctx.finding{ rule = "site.marked", severity = "warning", message = "权限矩阵测试标记(" .. s.code .. ")" }
      end
    end,
  },
}
