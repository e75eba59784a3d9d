return {
  { name = "a water-source site due in 2024 is late for Miyun",
    burial_site = { zones = { "water_source" }, target_date = "2024-06-30" },
    expect = { { rule = "miyun.water_source_target_late", severity = "warning" } } },
  { name = "a water-source site due in 2023 passes",
    burial_site = { zones = { "water_source" }, target_date = "2023-10-31" }, expect = {} },
  { name = "other zones keep the citywide date", burial_site = { zones = { "farmland" }, target_date = "2024-06-30" },
    expect = {} },
  { name = "the deadline is a setting", config = { deadline = "2024-12-31" },
    burial_site = { zones = { "water_source" }, target_date = "2024-06-30" }, expect = {} },
}
