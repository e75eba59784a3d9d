-- Fault tests: never ends, and a pcall tries to swallow the time limit.
return {
  name = "fault.loop",
  version = "1",
  checks = {
    price = function(p, ctx) while true do pcall(function() while true do end end) end end,
    facility = function(f, ctx) while true do end end,
    burial_site = function(s, ctx) local ok = pcall(function() while true do end end) ctx.log(tostring(ok)) while true do end end,
  },
}
