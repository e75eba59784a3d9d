-- A hostile Yanqing plugin used by the API tests (issue 13): on four amounts it makes Lua's C library loop or
-- copy without end, in validate (before the write) and in checks (after it). The server must stop each
-- within its time limit plus a margin, keep the write, report an error finding, and stay small.
local function hostile(p, ctx)
  if p.amount_fen == 11111 then -- a plain find of a long needle: O(n·m) inside memcmp
    local s = string.rep("a", 2 * 1024 * 1024)
    string.find(s, string.rep("a", 1024 * 1024) .. "b", 1, true)
  elseif p.amount_fen == 22222 then
    table.remove(setmetatable({}, { __len = function() return math.maxinteger end }))
  elseif p.amount_fen == 33333 then
    string.find(string.rep("a", 3000), "[" .. string.rep("b", 10000) .. "]*x")
  elseif p.amount_fen == 44444 then
    local big, details = string.rep("x", 8 * 1024 * 1024), {}
    for i = 1, 120 do details["k" .. i] = big end
    ctx.finding{ rule = "big", severity = "info", message = "big", details = details }
  end
end

return {
  name = "yanqing.api-test-c-library",
  version = "0.0.1",
  description = "延庆区(测试用):让 Lua 的 C 库失控的插件",
  districts = { "110119" },
  validate = {
    price = function(p, ctx)
      if p.note == "validate" then hostile(p, ctx) end
    end,
  },
  checks = {
    price = function(p, ctx)
      if p.note ~= "validate" then hostile(p, ctx) end
      ctx.finding{ rule = "c_library.seen", severity = "info", message = "已检查 " .. p.amount_fen }
    end,
  },
}
