-- Stock per size (docs/stock.md). A product has one or more SKUs, one per
-- size and colour (`colour` '' for a one-colour product); stock is kept,
-- reserved and returned per SKU, except while the product is pooled
-- (`product.sku_pool`): then every SKU of it sells from `product.stock`
-- and its own `stock` stays 0.
CREATE TABLE `sku` (
  `id` int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `product_id` int NOT NULL,
  `size` varchar(32) NOT NULL,
  `colour` varchar(32) NOT NULL DEFAULT '',
  `code` varchar(64) NOT NULL,
  `price_fen` bigint NULL,
  `stock` int NOT NULL DEFAULT 0,
  `active` boolean NOT NULL DEFAULT true,
  `position` int NOT NULL DEFAULT 0,
  UNIQUE KEY `sku_code` (`code`),
  UNIQUE KEY `sku_product_size` (`product_id`, `size`, `colour`),
  KEY `sku_low_stock` (`active`, `stock`, `id`),
  CONSTRAINT `sku_price_positive` CHECK (`price_fen` > 0),
  CONSTRAINT `sku_stock_nonnegative` CHECK (`stock` >= 0),
  CONSTRAINT `sku_product_fk` FOREIGN KEY (`product_id`) REFERENCES `product` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE `product` ADD COLUMN `sku_pool` boolean NOT NULL DEFAULT false;

-- What each line was placed as; NULL on lines placed before SKUs.
ALTER TABLE `order_item`
  ADD COLUMN `sku_id` int NULL,
  ADD COLUMN `size` varchar(32) NULL,
  ADD COLUMN `colour` varchar(32) NULL,
  ADD COLUMN `code` varchar(64) NULL,
  ADD KEY `order_item_sku` (`sku_id`);

-- The buyer's cart: a line per SKU.
CREATE TABLE `cart_line` (
  `user_id` int NOT NULL,
  `sku_id` int NOT NULL,
  `quantity` int NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  PRIMARY KEY (`user_id`, `sku_id`),
  CONSTRAINT `cart_line_quantity` CHECK (`quantity` BETWEEN 1 AND 99),
  CONSTRAINT `cart_line_user_fk` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `cart_line_sku_fk` FOREIGN KEY (`sku_id`) REFERENCES `sku` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A numbered page of products on sale (of a brand, or of all) skips its
-- offset in these indexes alone, without reading the rows it skips.
ALTER TABLE `product` ADD KEY `product_on_sale` (`brand_id`, `hidden`, `id`), ADD KEY `product_all_on_sale` (`hidden`, `id`);

-- Today's products become SKUs, one per listed size (a product that listed
-- none: one SKU, 均码), all pooled: no stock is invented or lost, and an
-- order in any size reserves from the product's stock as before. The n-th
-- size of a list is cut out with SUBSTRING_INDEX, n from 1 to 100.
INSERT IGNORE INTO `sku` (`product_id`, `size`, `code`, `position`)
SELECT s.product_id, s.size, CONCAT('P', s.product_id, '-', s.size), s.pos
FROM (
  SELECT p.id AS product_id, n.pos,
    LEFT(TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(p.sizes, ',', n.pos), ',', -1)), 32) AS size
  FROM `product` p
  JOIN (SELECT d1.d * 10 + d0.d + 1 AS pos
        FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
              UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d0,
             (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
              UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d1) n
    ON n.pos <= 1 + CHAR_LENGTH(p.sizes) - CHAR_LENGTH(REPLACE(p.sizes, ',', ''))
) s
WHERE s.size <> ''
ORDER BY s.product_id, s.pos;

INSERT INTO `sku` (`product_id`, `size`, `code`, `position`)
SELECT p.id, '均码', CONCAT('P', p.id), 1 FROM `product` p
WHERE NOT EXISTS (SELECT 1 FROM `sku` WHERE `sku`.`product_id` = p.id);

UPDATE `product` SET `sku_pool` = true;
