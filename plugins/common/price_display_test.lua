return {
  { name = "an undisplayed price is a violation", price = { item = "goods.urn", displayed = false },
    expect = { { rule = "price.not_displayed", severity = "violation" } } },
  { name = "a displayed price passes", price = { item = "goods.urn", displayed = true }, expect = {} },
}
