-- Fault tests: huge output, far beyond any reasonable finding or log line, and too many of them.
local big = string.rep("巨", 4 * 1024 * 1024)
return {
  name = "fault.huge",
  version = "1",
  checks = {
    price = function(p, ctx)
      for i = 1, 1000 do ctx.finding{ rule = "huge." .. i, severity = "warning", message = big } end
    end,
    facility = function(f, ctx)
      for i = 1, 1000 do ctx.log(big) end
      ctx.finding{ rule = "huge.details", severity = "info", message = "x", details = { text = big } }
    end,
    burial_site = function(s, ctx) ctx.finding{ rule = 7, severity = "nonsense", message = big } end,
  },
}
