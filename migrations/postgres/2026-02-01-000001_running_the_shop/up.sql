-- Running the shop: roles, delivery addresses, shipping and receipt,
-- hidden products, the audit log, and the catalogue version other
-- instances check to drop their caches.

ALTER TABLE "user"
  ADD COLUMN role VARCHAR(16),
  ADD COLUMN address_count INTEGER NOT NULL DEFAULT 0;
UPDATE "user" SET role = 'admin' WHERE is_admin;
ALTER TABLE "user" DROP COLUMN is_admin;

CREATE TABLE address (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL,
  name VARCHAR(20) NOT NULL,
  mobile VARCHAR(11) NOT NULL,
  province VARCHAR(20) NOT NULL,
  city VARCHAR(20) NOT NULL,
  district VARCHAR(20) NOT NULL,
  detail VARCHAR(120) NOT NULL,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX address_user ON address (user_id, id);

ALTER TABLE payorder ADD COLUMN fulfilment VARCHAR(16) NOT NULL DEFAULT 'UNSHIPPED';
CREATE INDEX payorder_trade ON payorder (trade_state, id);
CREATE INDEX payorder_fulfilment ON payorder (fulfilment, trade_state, id);

CREATE TABLE order_delivery (
  order_id INTEGER PRIMARY KEY,
  name VARCHAR(20),
  mobile VARCHAR(11),
  province VARCHAR(20),
  city VARCHAR(20),
  district VARCHAR(20),
  detail VARCHAR(120),
  carrier VARCHAR(32),
  tracking_no VARCHAR(64),
  shipped_at TIMESTAMP,
  received_at TIMESTAMP
);
CREATE INDEX order_delivery_receipt ON order_delivery (received_at, shipped_at);

ALTER TABLE product ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMP NOT NULL,
  actor_id INTEGER,
  actor_name VARCHAR(50),
  action VARCHAR(40) NOT NULL,
  target VARCHAR(100) NOT NULL,
  detail TEXT NOT NULL
);

CREATE TABLE shop_version (
  name VARCHAR(32) PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO shop_version (name, version) VALUES ('catalogue', 0);
