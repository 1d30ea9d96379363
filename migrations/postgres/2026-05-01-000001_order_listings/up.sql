-- The owner's order list reads each order as it last rendered it: `listing`
-- is that rendering, made for the order as it stood at revision
-- `listing_rev`. Every change to an order (or to its delivery row) adds one
-- to `rev` in the same statement, so a rendering whose `listing_rev` is not
-- `rev` is stale and is made again from the order on the next read. NULL:
-- not rendered yet.
ALTER TABLE payorder
  ADD COLUMN rev INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN listing TEXT,
  ADD COLUMN listing_rev INTEGER;
