-- 已完成整治但处置坟数少于坟墓数：数据不一致（保留保护的除外）。
-- Completed (or accepted) with fewer graves handled than counted, except for retain_protect.
return {
  name = "common.completion-consistency",
  version = "1.0.0",
  description = "已完成的整治任务处置坟数应等于坟墓数",
  checks = {
    burial_site = function(s, ctx)
      if s.status ~= "completed" and s.status ~= "accepted" then return end
      if s.measure == "retain_protect" then return end
      if s.graves_handled < s.grave_count then
        ctx.finding{
          rule = "site.completed_incomplete",
          severity = "violation",
          message = string.format("%s 状态为 %s，但只处置了 %d / %d 座坟墓", s.code, s.status, s.graves_handled,
            s.grave_count),
          details = { grave_count = s.grave_count, graves_handled = s.graves_handled },
        }
      end
    end,
  },
}
