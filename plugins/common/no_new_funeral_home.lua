-- 《北京市殡葬设施专项规划（2021年—2035年）》不再新建殡仪馆，迁建除外。
-- The 2021–2035 plan allows no new funeral homes except relocations.
return {
  name = "common.no-new-funeral-home",
  version = "1.0.0",
  description = "专项规划不再新建殡仪馆（迁建除外）",
  checks = {
    facility = function(f, ctx)
      if f.kind == "funeral_home" and f.plan_action == "new_build" then
        ctx.finding{
          rule = "facility.new_funeral_home",
          severity = "violation",
          message = string.format("%s（%s）规划为新建殡仪馆，专项规划只允许迁建", f.name, f.code),
          details = { plan_action = f.plan_action, plan_phase = f.plan_phase },
        }
      end
    end,
  },
}
