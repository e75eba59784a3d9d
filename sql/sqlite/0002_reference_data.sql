-- Reference data: Beijing's 16 districts (GB/T 2260) and the price item catalogue of DOMAIN.md.
-- The same rows as core/domain/District.cpp and PriceItem.cpp (a test checks they agree).
-- Cemetery items are listed as market-priced; they are government-guided at public-welfare cemeteries.

INSERT INTO districts (code, name_zh, name_en, pinyin) VALUES
  ('110101', '东城区', 'Dongcheng', 'dongcheng'),
  ('110102', '西城区', 'Xicheng', 'xicheng'),
  ('110105', '朝阳区', 'Chaoyang', 'chaoyang'),
  ('110106', '丰台区', 'Fengtai', 'fengtai'),
  ('110107', '石景山区', 'Shijingshan', 'shijingshan'),
  ('110108', '海淀区', 'Haidian', 'haidian'),
  ('110109', '门头沟区', 'Mentougou', 'mentougou'),
  ('110111', '房山区', 'Fangshan', 'fangshan'),
  ('110112', '通州区', 'Tongzhou', 'tongzhou'),
  ('110113', '顺义区', 'Shunyi', 'shunyi'),
  ('110114', '昌平区', 'Changping', 'changping'),
  ('110115', '大兴区', 'Daxing', 'daxing'),
  ('110116', '怀柔区', 'Huairou', 'huairou'),
  ('110117', '平谷区', 'Pinggu', 'pinggu'),
  ('110118', '密云区', 'Miyun', 'miyun'),
  ('110119', '延庆区', 'Yanqing', 'yanqing');

INSERT INTO price_items (code, name_zh, name_en, category, regime, unit) VALUES
  ('basic.transport', '遗体接运', 'Body transport', 'basic', 'government_set', 'per_trip'),
  ('basic.storage', '遗体存放/冷藏', 'Body storage / refrigeration', 'basic', 'government_set', 'per_day'),
  ('basic.cremation', '遗体火化', 'Cremation', 'basic', 'government_set', 'per_body'),
  ('basic.ash_storage', '骨灰寄存', 'Ash storage', 'basic', 'government_set', 'per_year'),
  ('ext.farewell_hall', '告别厅', 'Farewell hall', 'extended', 'government_guided', 'per_session'),
  ('ext.cosmetic', '整容/化妆', 'Cosmetic restoration', 'extended', 'government_guided', 'per_body'),
  ('ext.embalming', '防腐', 'Embalming', 'extended', 'government_guided', 'per_body'),
  ('cemetery.plot', '墓位', 'Grave plot', 'cemetery', 'market', 'per_plot'),
  ('cemetery.niche', '骨灰格位', 'Ash niche', 'cemetery', 'market', 'per_niche'),
  ('cemetery.maintenance', '墓位维护管理费', 'Plot maintenance fee', 'cemetery', 'market', 'per_year'),
  ('goods.urn', '骨灰盒', 'Urn', 'goods', 'market', 'per_piece'),
  ('goods.shroud', '寿衣', 'Shroud', 'goods', 'market', 'per_set'),
  ('goods.wreath', '花圈', 'Wreath', 'goods', 'market', 'per_piece');

-- A code counter per district for facilities (F-) and burial sites (B-).
INSERT INTO code_sequences (scope, next_value) SELECT 'F-' || code, 1 FROM districts;
INSERT INTO code_sequences (scope, next_value) SELECT 'B-' || code, 1 FROM districts;
