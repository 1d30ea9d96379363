-- Running the shop: roles, delivery addresses, shipping and receipt,
-- hidden products, the audit log, and the catalogue version other
-- instances check to drop their caches.

ALTER TABLE "user" ADD COLUMN role TEXT;
ALTER TABLE "user" ADD COLUMN address_count INTEGER NOT NULL DEFAULT 0;
UPDATE "user" SET role = 'admin' WHERE is_admin;
ALTER TABLE "user" DROP COLUMN is_admin;

CREATE TABLE address (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  mobile TEXT NOT NULL,
  province TEXT NOT NULL,
  city TEXT NOT NULL,
  district TEXT NOT NULL,
  detail TEXT NOT NULL,
  is_default BOOLEAN NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX address_user ON address (user_id, id);

ALTER TABLE payorder ADD COLUMN fulfilment TEXT NOT NULL DEFAULT 'UNSHIPPED';
CREATE INDEX payorder_trade ON payorder (trade_state, id);
CREATE INDEX payorder_fulfilment ON payorder (fulfilment, trade_state, id);

CREATE TABLE order_delivery (
  order_id INTEGER PRIMARY KEY,
  name TEXT,
  mobile TEXT,
  province TEXT,
  city TEXT,
  district TEXT,
  detail TEXT,
  carrier TEXT,
  tracking_no TEXT,
  shipped_at TIMESTAMP,
  received_at TIMESTAMP
);
CREATE INDEX order_delivery_receipt ON order_delivery (received_at, shipped_at);

ALTER TABLE product ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TIMESTAMP NOT NULL,
  actor_id INTEGER,
  actor_name TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);

CREATE TABLE shop_version (
  name TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO shop_version (name, version) VALUES ('catalogue', 0);
