-- 政府指导价项目 12 个月内涨幅超过规定比例：警告。
-- Government-guided items raised by more than a set percentage within 12 months: a warning.
local function day(date)
  local y, m, d = tostring(date):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  return os.time{ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 } // 86400
end

return {
  name = "common.price-increase",
  version = "1.0.0",
  description = "政府指导价项目一年内涨价幅度不得超过规定比例",
  defaults = {
    max_percent = 10, -- largest increase allowed within the window
    window_days = 365,
  },
  checks = {
    price = function(p, ctx)
      if p.item_regime ~= "government_guided" then return end
      local previous = ctx.previous_price(p)
      if not previous or previous.amount_fen <= 0 then return end
      local now, before = day(p.effective_from), day(previous.effective_from)
      if not now or not before or now - before > ctx.config.window_days then return end
      local percent = (p.amount_fen - previous.amount_fen) * 100 / previous.amount_fen
      if percent > ctx.config.max_percent then
        ctx.finding{
          rule = "price.increase_above_limit",
          severity = "warning",
          message = string.format("%s 自 %s 起由 %.2f 元涨至 %.2f 元，涨幅 %.1f%%，超过 %s%%",
            p.item, p.effective_from, previous.amount_fen / 100, p.amount_fen / 100, percent, ctx.config.max_percent),
          details = { previous_fen = previous.amount_fen, amount_fen = p.amount_fen, percent = percent },
        }
      end
    end,
  },
}
