-- 整治任务逾期：超过目标日期仍未完成。A site past its target date and not completed or accepted.
return {
  name = "common.rectification-overdue",
  version = "1.0.0",
  description = "历史埋葬点、散坟整治超过目标日期未完成",
  defaults = {
    severity = "violation", -- or "warning" while a district catches up
  },
  checks = {
    burial_site = function(s, ctx)
      if s.status == "completed" or s.status == "accepted" then return end
      if s.target_date == nil or s.target_date >= ctx.today() then return end
      ctx.finding{
        rule = "site.overdue",
        severity = ctx.config.severity,
        message = string.format("%s 目标日期 %s 已过（今天 %s），状态仍为 %s", s.code, s.target_date, ctx.today(), s.status),
        details = { target_date = s.target_date, status = s.status },
      }
    end,
  },
}
