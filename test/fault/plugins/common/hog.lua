-- Fault tests: takes all the memory it can, inside a pcall too.
local function hog()
  local t = {}
  for i = 1, math.maxinteger do t[i] = string.rep("x", 4096) .. i end
end
return {
  name = "fault.hog",
  version = "1",
  checks = {
    price = function(p, ctx) pcall(hog) hog() end,
    facility = function(f, ctx) hog() end,
    burial_site = function(s, ctx) hog() end,
  },
}
