-- Search (docs/search.md). The owner's keywords of a product, comma
-- separated; and every search token of every product on sale with the
-- weight of the best field it is in (3 name, 2 keywords, 1 brand or
-- category), written in the same transaction as the catalogue change.
-- Tokens are made by the server (Chinese words, pinyin): the index of the
-- products already here is built at the server's first start. Tokens
-- compare byte by byte (utf8mb4_bin), as on the other databases, so a
-- prefix range finds exactly the tokens that start with it.
ALTER TABLE `product` ADD COLUMN `keywords` varchar(512) NOT NULL DEFAULT '';

CREATE TABLE `search_token` (
  `token` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `product_id` int NOT NULL,
  `weight` smallint NOT NULL,
  PRIMARY KEY (`token`, `product_id`),
  KEY `search_token_product` (`product_id`),
  -- The search box's suggestions walk the name tokens alone, from a prefix.
  KEY `search_token_weight` (`weight`, `token`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Which tokenizer wrote the index (0: none yet): another version's index
-- is rebuilt at start.
CREATE TABLE `search_index` (
  `id` int NOT NULL PRIMARY KEY,
  `tokenizer` int NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO `search_index` (`id`, `tokenizer`) VALUES (1, 0);
