-- Accounts, with the original server's table and columns.
CREATE TABLE "user" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT,
  password TEXT,
  mobile TEXT,
  smscode TEXT,
  password_scheme TEXT NOT NULL DEFAULT 'argon2id',
  is_admin BOOLEAN NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX user_username ON "user" (username);
CREATE UNIQUE INDEX user_mobile ON "user" (mobile);

CREATE TABLE sms_code (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mobile TEXT NOT NULL,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  consumed_at TIMESTAMP
);
CREATE INDEX sms_code_lookup ON sms_code (mobile, purpose, id);

CREATE TABLE rate_limit (
  bucket TEXT PRIMARY KEY,
  window_start TIMESTAMP NOT NULL,
  hits INTEGER NOT NULL
);
