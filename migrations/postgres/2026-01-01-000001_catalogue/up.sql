-- Catalogue, with the original server's table and column names.
CREATE TABLE category (
  id SERIAL PRIMARY KEY,
  "categoryName" VARCHAR(50)
);

CREATE TABLE brand (
  id SERIAL PRIMARY KEY,
  "brandName" VARCHAR(50),
  "categoryId" INTEGER,
  "brandLogo" VARCHAR(200),
  hot INTEGER
);
CREATE INDEX brand_category ON brand ("categoryId");

CREATE TABLE product (
  id SERIAL PRIMARY KEY,
  brand_id INTEGER NOT NULL REFERENCES brand (id),
  name VARCHAR(200) NOT NULL,
  img VARCHAR(500) NOT NULL,
  price_fen BIGINT NOT NULL CHECK (price_fen >= 0),
  old_price_fen BIGINT NOT NULL CHECK (old_price_fen >= 0),
  sizes VARCHAR(500) NOT NULL DEFAULT '',
  stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
  featured BOOLEAN NOT NULL DEFAULT FALSE,
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX product_brand ON product (brand_id, id);
CREATE INDEX product_featured ON product (featured, sort_order);

-- Home page images, which the original served from code.
CREATE TABLE home_item (
  kind VARCHAR(16) NOT NULL,
  id INTEGER NOT NULL,
  img_src VARCHAR(500) NOT NULL,
  sort_order INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, id)
);

INSERT INTO home_item (kind, id, img_src, sort_order) VALUES
  ('grid', 1, '/images/nav1.png', 1), ('grid', 2, '/images/nav2.png', 2),
  ('grid', 3, '/images/nav3.png', 3), ('grid', 4, '/images/nav4.png', 4),
  ('grid', 5, '/images/nav5.png', 5), ('grid', 6, '/images/nav6.png', 6),
  ('banner', 1, '/images/banner1.png', 1), ('banner', 2, '/images/banner2.png', 2),
  ('banner', 3, '/images/banner3.png', 3), ('banner', 4, '/images/banner4.png', 4),
  ('banner', 5, '/images/banner5.png', 5);
