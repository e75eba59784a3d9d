-- A hostile Miyun plugin used by the API tests: its price check never ends, its facility check runs out of
-- memory. The host must stop both within its limits, keep the write, and report error findings.
return {
  name = "miyun.api-test-runaway",
  version = "0.0.1",
  description = "密云区(测试用):失控的插件",
  districts = { "110118" },
  checks = {
    price = function(p, ctx)
      local ok = pcall(function() while true do end end) -- a pcall must not swallow the time limit
      ctx.finding{ rule = "never.reached", severity = "info", message = tostring(ok) }
    end,
    facility = function(f, ctx)
      local t = {}
      for i = 1, math.maxinteger do t[i] = string.rep("x", 1024) .. i end
    end,
  },
}
