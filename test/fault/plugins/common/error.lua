-- Fault tests: fails at once, with a table, a string and a nil index.
return {
  name = "fault.error",
  version = "1",
  checks = {
    price = function(p, ctx) error("价格插件故障 / price plugin failure") end,
    facility = function(f, ctx) error({ code = 42 }) end,
    burial_site = function(s, ctx) local x = nil; return x.field end,
  },
}
