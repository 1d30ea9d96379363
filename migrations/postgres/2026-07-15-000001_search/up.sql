-- Search (docs/search.md). The owner's keywords of a product, comma
-- separated; and every search token of every product on sale with the
-- weight of the best field it is in (3 name, 2 keywords, 1 brand or
-- category), written in the same transaction as the catalogue change.
-- Tokens are made by the server (Chinese words, pinyin): the index of the
-- products already here is built at the server's first start. Tokens
-- compare byte by byte (COLLATE "C"), as on the other databases, so a
-- prefix range finds exactly the tokens that start with it.
ALTER TABLE product ADD COLUMN keywords VARCHAR(512) NOT NULL DEFAULT '';

CREATE TABLE search_token (
  token VARCHAR(64) COLLATE "C" NOT NULL,
  product_id INTEGER NOT NULL REFERENCES product (id),
  weight SMALLINT NOT NULL,
  PRIMARY KEY (token, product_id)
);
CREATE INDEX search_token_product ON search_token (product_id);
-- The search box's suggestions walk the name tokens alone, from a prefix.
CREATE INDEX search_token_weight ON search_token (weight, token);

-- Which tokenizer wrote the index (0: none yet): another version's index
-- is rebuilt at start.
CREATE TABLE search_index (
  id INTEGER PRIMARY KEY,
  tokenizer INTEGER NOT NULL
);
INSERT INTO search_index (id, tokenizer) VALUES (1, 0);
