-- 价格备案核对：检查人员现场看到的价格与单位自报（备案）的价格不一致。高于备案价：违规；低于备案价：警告。
-- Filed-price check: an inspector's observation that differs from the price the facility filed itself.
-- Charging more than filed is a violation; less, a warning (the filing is out of date).
return {
  name = "common.filed-price-mismatch",
  version = "1.0.0",
  description = "检查所见价格须与单位备案（自报）价格一致",
  checks = {
    price = function(p, ctx)
      if p.source ~= "inspection" then return end
      local filed = ctx.previous_price(p)
      if not filed or filed.source ~= "self_report" or filed.amount_fen == p.amount_fen then return end
      local higher = p.amount_fen > filed.amount_fen
      ctx.finding{
        rule = "price.differs_from_filing",
        severity = higher and "violation" or "warning",
        message = string.format("%s 检查所见 %.2f 元%s单位自 %s 起备案的 %.2f 元（%s）",
          p.item, p.amount_fen / 100, higher and "高于" or "低于", filed.effective_from, filed.amount_fen / 100,
          p.facility_name),
        details = { filed_fen = filed.amount_fen, observed_fen = p.amount_fen, filed_from = filed.effective_from },
      }
    end,
  },
}
