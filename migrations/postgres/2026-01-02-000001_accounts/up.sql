-- Accounts, with the original server's table and columns.
CREATE TABLE "user" (
  id SERIAL PRIMARY KEY,
  username VARCHAR(50),
  password VARCHAR(255),
  mobile VARCHAR(11),
  smscode VARCHAR(100),
  password_scheme VARCHAR(16) NOT NULL DEFAULT 'argon2id',
  is_admin BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  CONSTRAINT user_username UNIQUE (username),
  CONSTRAINT user_mobile UNIQUE (mobile)
);

CREATE TABLE sms_code (
  id BIGSERIAL PRIMARY KEY,
  mobile VARCHAR(11) NOT NULL,
  purpose VARCHAR(16) NOT NULL,
  code_hash VARCHAR(64) NOT NULL,
  client_ip VARCHAR(64) NOT NULL,
  created_at TIMESTAMP NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  consumed_at TIMESTAMP
);
CREATE INDEX sms_code_lookup ON sms_code (mobile, purpose, id);

CREATE TABLE rate_limit (
  bucket VARCHAR(191) PRIMARY KEY,
  window_start TIMESTAMP NOT NULL,
  hits INTEGER NOT NULL
);
