return {
  { name = "a bundled sale is a violation", price = { item = "goods.shroud", bundled = true },
    expect = { { rule = "price.bundled", severity = "violation" } } },
  { name = "a sale on its own passes", price = { item = "goods.shroud", bundled = false }, expect = {} },
}
