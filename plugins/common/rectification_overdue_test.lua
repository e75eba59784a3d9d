return {
  { name = "past the target date and in progress is overdue", today = "2025-01-15",
    burial_site = { target_date = "2024-12-31", status = "in_progress" },
    expect = { { rule = "site.overdue", severity = "violation" } } },
  { name = "completed on time is not overdue", today = "2025-01-15",
    burial_site = { target_date = "2024-12-31", status = "completed" }, expect = {} },
  { name = "accepted is not overdue", today = "2025-01-15",
    burial_site = { target_date = "2024-12-31", status = "accepted" }, expect = {} },
  { name = "the target day itself is not late", today = "2024-12-31",
    burial_site = { target_date = "2024-12-31", status = "planned" }, expect = {} },
  { name = "the severity is a setting", today = "2025-01-15", config = { severity = "warning" },
    burial_site = { target_date = "2024-12-31", status = "surveyed" },
    expect = { { rule = "site.overdue", severity = "warning" } } },
}
