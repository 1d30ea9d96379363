-- Accounts. `user` is the original server's table: an original database
-- keeps it and its rows (the server checks for duplicate usernames and
-- mobiles before this runs, since the unique keys below would refuse them).
CREATE TABLE IF NOT EXISTS `user` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(50) DEFAULT NULL,
  `password` varchar(100) DEFAULT NULL,
  `mobile` char(11) DEFAULT NULL,
  `smscode` varchar(100) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `user` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Usernames compare exactly (as on SQLite and PostgreSQL): `Alice` and
-- `alice` are two users. Rows adopted from the original hold
-- md5(password + secret); new and re-hashed rows hold argon2id.
ALTER TABLE `user`
  MODIFY `username` varchar(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  MODIFY `password` varchar(255) DEFAULT NULL,
  ADD COLUMN `password_scheme` varchar(16) NOT NULL DEFAULT 'md5-legacy',
  ADD COLUMN `is_admin` boolean NOT NULL DEFAULT false,
  ADD COLUMN `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ADD UNIQUE KEY `user_username` (`username`),
  ADD UNIQUE KEY `user_mobile` (`mobile`);

-- Verification codes: only a keyed hash of each code is stored.
CREATE TABLE `sms_code` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `mobile` varchar(11) NOT NULL,
  `purpose` varchar(16) NOT NULL,
  `code_hash` varchar(64) NOT NULL,
  `client_ip` varchar(64) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `attempts` int NOT NULL DEFAULT 0,
  `consumed_at` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `sms_code_lookup` (`mobile`, `purpose`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fixed-window counters shared by every server instance (SMS cooldown and
-- daily caps, login failure throttling).
CREATE TABLE `rate_limit` (
  `bucket` varchar(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `window_start` datetime(6) NOT NULL,
  `hits` int NOT NULL,
  PRIMARY KEY (`bucket`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
