-- Paying inside WeChat (JSAPI) needs the buyer's openid under the
-- official account: one per buyer and appid, learned by OAuth.
CREATE TABLE wechat_openid (
  user_id INTEGER NOT NULL,
  appid VARCHAR(32) NOT NULL,
  openid VARCHAR(128) NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (user_id, appid)
);

-- OAuth round trips: a state is single-use, bound to the buyer who began
-- it and to a nonce cookie of their browser (its SHA-256 here), and expires.
CREATE TABLE oauth_state (
  state VARCHAR(128) PRIMARY KEY,
  user_id INTEGER NOT NULL,
  appid VARCHAR(32) NOT NULL,
  nonce_hash VARCHAR(64) NOT NULL,
  next_path VARCHAR(512) NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP
);
CREATE INDEX oauth_state_expires ON oauth_state (expires_at);
