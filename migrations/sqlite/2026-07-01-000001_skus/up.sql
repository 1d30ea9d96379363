-- Stock per size (docs/stock.md). A product has one or more SKUs, one per
-- size and colour (`colour` '' for a one-colour product); stock is kept,
-- reserved and returned per SKU, except while the product is pooled
-- (`product.sku_pool`): then every SKU of it sells from `product.stock`
-- and its own `stock` stays 0.
CREATE TABLE sku (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id INTEGER NOT NULL REFERENCES product (id),
  size VARCHAR(32) NOT NULL,
  colour VARCHAR(32) NOT NULL DEFAULT '',
  code VARCHAR(64) NOT NULL,
  price_fen BIGINT CHECK (price_fen > 0),
  stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
  active BOOLEAN NOT NULL DEFAULT 1,
  position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX sku_code ON sku (code);
CREATE UNIQUE INDEX sku_product_size ON sku (product_id, size, colour);
CREATE INDEX sku_low_stock ON sku (active, stock, id);

ALTER TABLE product ADD COLUMN sku_pool BOOLEAN NOT NULL DEFAULT 0;

-- What each line was placed as; NULL on lines placed before SKUs.
ALTER TABLE order_item ADD COLUMN sku_id INTEGER;
ALTER TABLE order_item ADD COLUMN size VARCHAR(32);
ALTER TABLE order_item ADD COLUMN colour VARCHAR(32);
ALTER TABLE order_item ADD COLUMN code VARCHAR(64);
CREATE INDEX order_item_sku ON order_item (sku_id);

-- The buyer's cart: a line per SKU.
CREATE TABLE cart_line (
  user_id INTEGER NOT NULL REFERENCES "user" (id),
  sku_id INTEGER NOT NULL REFERENCES sku (id),
  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (user_id, sku_id)
);

-- A numbered page of products on sale (of a brand, or of all) skips its
-- offset in these indexes alone, without reading the rows it skips.
CREATE INDEX product_on_sale ON product (brand_id, hidden, id);
CREATE INDEX product_all_on_sale ON product (hidden, id);

-- Today's products become SKUs, one per listed size (a product that listed
-- none: one SKU, 均码), all pooled: no stock is invented or lost, and an
-- order in any size reserves from the product's stock as before.
WITH RECURSIVE split (product_id, rest, size, pos) AS (
  SELECT id, sizes || ',', '', 0 FROM product
  UNION ALL
  SELECT product_id, substr(rest, instr(rest, ',') + 1),
    trim(substr(rest, 1, instr(rest, ',') - 1)), pos + 1
  FROM split WHERE rest <> ''
)
INSERT INTO sku (product_id, size, code, position)
SELECT product_id, substr(size, 1, 32), 'P' || product_id || '-' || substr(size, 1, 32), MIN(pos)
FROM split WHERE size <> '' GROUP BY product_id, substr(size, 1, 32);

INSERT INTO sku (product_id, size, code, position)
SELECT id, '均码', 'P' || id, 1 FROM product
WHERE NOT EXISTS (SELECT 1 FROM sku WHERE sku.product_id = product.id);

UPDATE product SET sku_pool = 1;
