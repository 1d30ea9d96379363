-- The owner's order list no longer keeps renderings of orders: it reads
-- the orders of a page in full. `rev` stays one more release:
-- instances of the release before still add to it while a rolling upgrade
-- runs, and nothing of this release reads or writes it.
ALTER TABLE payorder
  DROP COLUMN listing,
  DROP COLUMN listing_rev;
