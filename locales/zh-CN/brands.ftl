# POS 品牌的显示名称。新增品牌：在 src/knowledge/brands.rs 的表中加一行，并在每种语言加 brand-<id>。
brand-lakala = 拉卡拉
brand-lishua = 立刷
brand-shengfutong = 盛付通
brand-ruiyinxin = 瑞银信
brand-other = 其他品牌
