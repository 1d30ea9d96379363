-- Catalogue. `category` and `brand` are the original server's tables: an
-- original database keeps them (and their rows); a new one gets them here
-- with the same columns.
CREATE TABLE IF NOT EXISTS `category` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `categoryName` varchar(50) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `brand` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `brandName` varchar(50) DEFAULT NULL,
  `categoryId` int(11) DEFAULT NULL,
  `brandLogo` varchar(200) DEFAULT NULL,
  `hot` int(4) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The original tables were utf8 (3-byte); convert in place so any text,
-- emoji included, can be stored. Row data is kept.
ALTER TABLE `category` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE `brand` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE INDEX `brand_category` ON `brand` (`categoryId`);

CREATE TABLE `product` (
  `id` int NOT NULL AUTO_INCREMENT,
  `brand_id` int NOT NULL,
  `name` varchar(200) NOT NULL,
  `img` varchar(500) NOT NULL,
  `price_fen` bigint NOT NULL,
  `old_price_fen` bigint NOT NULL,
  `sizes` varchar(500) NOT NULL DEFAULT '',
  `stock` int NOT NULL DEFAULT 0,
  `featured` boolean NOT NULL DEFAULT false,
  `sort_order` int NOT NULL DEFAULT 0,
  `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `product_brand` (`brand_id`, `id`),
  KEY `product_featured` (`featured`, `sort_order`),
  CONSTRAINT `product_price_nonnegative` CHECK (`price_fen` >= 0 AND `old_price_fen` >= 0),
  CONSTRAINT `product_stock_nonnegative` CHECK (`stock` >= 0),
  CONSTRAINT `product_brand_fk` FOREIGN KEY (`brand_id`) REFERENCES `brand` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Home page images. The original served these six icons and five banners
-- from code; they are rows now so a shop can change them.
CREATE TABLE `home_item` (
  `kind` varchar(16) NOT NULL,
  `id` int NOT NULL,
  `img_src` varchar(500) NOT NULL,
  `sort_order` int NOT NULL DEFAULT 0,
  PRIMARY KEY (`kind`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO `home_item` (`kind`, `id`, `img_src`, `sort_order`) VALUES
  ('grid', 1, '/images/nav1.png', 1), ('grid', 2, '/images/nav2.png', 2),
  ('grid', 3, '/images/nav3.png', 3), ('grid', 4, '/images/nav4.png', 4),
  ('grid', 5, '/images/nav5.png', 5), ('grid', 6, '/images/nav6.png', 6),
  ('banner', 1, '/images/banner1.png', 1), ('banner', 2, '/images/banner2.png', 2),
  ('banner', 3, '/images/banner3.png', 3), ('banner', 4, '/images/banner4.png', 4),
  ('banner', 5, '/images/banner5.png', 5);
