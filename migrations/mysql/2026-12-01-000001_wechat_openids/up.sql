-- Paying inside WeChat (JSAPI) needs the buyer's openid under the
-- official account: one per buyer and appid, learned by OAuth.
CREATE TABLE `wechat_openid` (
  `user_id` int NOT NULL,
  `appid` varchar(32) NOT NULL,
  `openid` varchar(128) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  PRIMARY KEY (`user_id`, `appid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- OAuth round trips: a state is single-use, bound to the buyer who began
-- it and to a nonce cookie of their browser (its SHA-256 here), and expires.
CREATE TABLE `oauth_state` (
  `state` varchar(128) NOT NULL,
  `user_id` int NOT NULL,
  `appid` varchar(32) NOT NULL,
  `nonce_hash` varchar(64) NOT NULL,
  `next_path` varchar(512) NOT NULL,
  `expires_at` datetime(6) NOT NULL,
  `used_at` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`state`),
  KEY `oauth_state_expires` (`expires_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
