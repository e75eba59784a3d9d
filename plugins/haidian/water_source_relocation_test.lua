return {
  { name = "greening near a water source is a violation",
    burial_site = { zones = { "water_source" }, measure = "greening_screen", status = "planned" },
    expect = { { rule = "site.water_source_not_relocated", severity = "violation" } } },
  { name = "relocation near a water source passes",
    burial_site = { zones = { "water_source", "forest" }, measure = "relocate" }, expect = {} },
  { name = "greening elsewhere is not this rule", burial_site = { zones = { "forest" }, measure = "greening_screen" },
    expect = {} },
  { name = "protected relics are exempt",
    burial_site = { zones = { "water_source" }, measure = "retain_protect", protected_relic = true }, expect = {} },
  { name = "other districts are not Haidian's",
    burial_site = { district = "110105", zones = { "water_source" }, measure = "greening_screen" }, expect = {} },
}
