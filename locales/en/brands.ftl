# Display names of POS brands. To add a brand: one row in the table in
# src/knowledge/brands.rs and brand-<id> in every locale.
brand-lakala = Lakala
brand-lishua = Lishua
brand-shengfutong = Shengfutong
brand-ruiyinxin = Ruiyinxin
brand-other = Other brand
