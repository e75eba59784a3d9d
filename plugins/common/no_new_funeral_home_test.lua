return {
  { name = "a new funeral home is a violation", facility = { kind = "funeral_home", plan_action = "new_build" },
    expect = { { rule = "facility.new_funeral_home", severity = "violation" } } },
  { name = "relocating a funeral home passes", facility = { kind = "funeral_home", plan_action = "relocate" },
    expect = {} },
  { name = "new public-welfare cemeteries are planned", facility = { kind = "public_welfare_cemetery",
                                                                     plan_action = "new_build" }, expect = {} },
  { name = "no plan action passes", facility = { kind = "funeral_home" }, expect = {} },
}
