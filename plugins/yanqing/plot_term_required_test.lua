return {
  { name = "a plot price without a term is refused",
    price = { item = "cemetery.plot", facility_kind = "operating_cemetery", amount_fen = 5000000 },
    refuse = "term_years" },
  { name = "a plot price with a term is accepted",
    price = { item = "cemetery.plot", facility_kind = "operating_cemetery", attributes = { term_years = 20 } },
    expect = {} },
  { name = "other items are not concerned", price = { item = "goods.urn" }, expect = {} },
  { name = "a stored plot price without a term is reported by the audit", audit = true,
    price = { item = "cemetery.plot", facility_kind = "operating_cemetery", amount_fen = 5000000 },
    expect = { { rule = "yanqing.plot_term_missing", severity = "warning" } } },
}
