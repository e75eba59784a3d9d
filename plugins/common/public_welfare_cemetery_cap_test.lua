local caps = { { item = "cemetery.plot", cap_fen = 1500000 } }
return {
  { name = "a plot above the cap is a violation", reference_prices = caps,
    price = { item = "cemetery.plot", amount_fen = 1800000, facility_kind = "public_welfare_cemetery" },
    expect = { { rule = "price.public_welfare_above_cap", severity = "violation" } } },
  { name = "a plot at the cap passes", reference_prices = caps,
    price = { item = "cemetery.plot", amount_fen = 1500000, facility_kind = "public_welfare_cemetery" },
    expect = {} },
  { name = "no cap on file is noted", reference_prices = caps,
    price = { item = "cemetery.niche", amount_fen = 300000, facility_kind = "public_welfare_cemetery" },
    expect = { { rule = "price.public_welfare_no_cap", severity = "info" } } },
  { name = "operating cemeteries are market-priced", reference_prices = caps,
    price = { item = "cemetery.plot", amount_fen = 9000000, facility_kind = "operating_cemetery" }, expect = {} },
}
