return {
  { name = "selling a rural plot is a violation",
    price = { item = "cemetery.plot", amount_fen = 500000, facility_kind = "rural_public_welfare_cemetery" },
    expect = { { rule = "price.rural_plot_for_profit", severity = "violation" } } },
  { name = "a free rural plot passes",
    price = { item = "cemetery.plot", amount_fen = 0, facility_kind = "rural_public_welfare_cemetery" },
    expect = {} },
  { name = "maintenance fees are not plot sales",
    price = { item = "cemetery.maintenance", amount_fen = 5000, facility_kind = "rural_public_welfare_cemetery" },
    expect = {} },
  { name = "urban public-welfare cemeteries are another rule",
    price = { item = "cemetery.plot", amount_fen = 500000, facility_kind = "public_welfare_cemetery" },
    expect = {} },
}
