return {
  { name = "an item outside the catalogue is a violation", price = { item = "other.vip_room", amount_fen = 200000 },
    expect = { { rule = "price.unauthorised_item", severity = "violation" } } },
  { name = "a catalogue item passes", price = { item = "ext.farewell_hall", amount_fen = 80000 }, expect = {} },
  { name = "an approved extra item passes", config = { allowed_items = { "other.vip_room" } },
    price = { item = "other.vip_room", amount_fen = 200000 }, expect = {} },
  { name = "approved items may be set as text in the settings", config = { allowed_items = "a.b, other.vip_room" },
    price = { item = "other.vip_room" }, expect = {} },
}
