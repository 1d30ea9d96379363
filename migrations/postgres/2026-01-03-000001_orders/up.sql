-- Orders, in the original server's payorder table, extended. Amounts in fen.
CREATE TABLE payorder (
  id SERIAL PRIMARY KEY,
  appid VARCHAR(50) NOT NULL,
  mch_id VARCHAR(50) NOT NULL,
  nonce_str VARCHAR(50) NOT NULL,
  body VARCHAR(128) NOT NULL,
  out_trade_no VARCHAR(50) NOT NULL,
  total_fee VARCHAR(50) NOT NULL,
  spbill_create_ip VARCHAR(50) NOT NULL,
  trade_type VARCHAR(20) NOT NULL,
  trade_state VARCHAR(20) NOT NULL,
  user_id INTEGER,
  total_fen BIGINT NOT NULL DEFAULT 0,
  prepay_id VARCHAR(64),
  code_url VARCHAR(255),
  expires_at TIMESTAMP,
  wx_transaction_id VARCHAR(64),
  paid_at TIMESTAMP,
  wx_time_end VARCHAR(14),
  wx_bank_type VARCHAR(32),
  cash_fen BIGINT,
  wx_openid VARCHAR(128),
  refund_pending BOOLEAN NOT NULL DEFAULT FALSE,
  refunded_fen BIGINT NOT NULL DEFAULT 0,
  claimed_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  CONSTRAINT payorder_out_trade_no UNIQUE (out_trade_no)
);
CREATE INDEX payorder_user ON payorder (user_id, id);
CREATE INDEX payorder_expiry ON payorder (trade_state, expires_at);

CREATE TABLE order_item (
  id SERIAL PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES payorder (id),
  product_id INTEGER NOT NULL,
  name VARCHAR(200) NOT NULL,
  unit_fen BIGINT NOT NULL,
  quantity INTEGER NOT NULL
);
CREATE INDEX order_item_order ON order_item (order_id);

CREATE TABLE refund (
  id SERIAL PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES payorder (id),
  out_refund_no VARCHAR(64) NOT NULL UNIQUE,
  refund_fen BIGINT NOT NULL,
  reason VARCHAR(80) NOT NULL,
  state VARCHAR(16) NOT NULL,
  refund_id VARCHAR(64),
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX refund_order ON refund (order_id);

CREATE TABLE order_event (
  id BIGSERIAL PRIMARY KEY,
  order_id INTEGER NOT NULL,
  kind VARCHAR(32) NOT NULL,
  detail VARCHAR(255) NOT NULL DEFAULT '',
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX order_event_order ON order_event (order_id);
