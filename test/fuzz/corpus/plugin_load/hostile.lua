-- Every hook misbehaves a different way: the host must report each and go on.
local big = {}
return {
  name = "common.fuzz-hostile",
  version = "0.0.1",
  description = "hostile",
  districts = { "110108" },
  defaults = { limit = 3, nested = { a = { b = { c = true } } } },
  checks = {
    price = function(p, ctx)
      for i = 1, 20 do ctx.finding{ rule = "r.x", severity = "warning", message = tostring(i), details = { n = i } } end
      ctx.log(string.rep("x", 100))
      print(p, ctx, ctx.today(), ctx.facility(p.facility_id), ctx.previous_price(), ctx.current_prices(p.facility_id))
      return ctx.reference_price(p.item, "110108", "2024-01-01")
    end,
    facility = function() while true do end end,
    burial_site = function() local s = "x" while true do s = s .. s end end,
  },
  validate = {
    price = function(p) if p.amount_fen > 0 then return "价格过高 " .. p.item end end,
    facility = function() error({ table = "error" }) end,
    burial_site = function() return string.find(string.rep("a", 5000), "(.-)*(.-)*(.-)*b") end,
  },
}
