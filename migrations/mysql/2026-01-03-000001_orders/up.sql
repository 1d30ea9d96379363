-- Orders. `payorder` is the original server's table (its final form in the
-- lecture notes): an original database keeps it and its rows, and it gains
-- what a real order needs. Amounts are integer fen; the original varchar
-- `total_fee` is kept (and filled) for old readers. WeChat's payment facts
-- go in wx_* columns, since the notes' earlier draft of this table used the
-- plain names (the server brings such a table to this form first, see
-- migrate.rs, and copies those values over afterwards).
CREATE TABLE IF NOT EXISTS `payorder` (
  `id` int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `appid` varchar(50) NOT NULL,
  `mch_id` varchar(50) NOT NULL,
  `nonce_str` varchar(50) NOT NULL,
  `body` varchar(100) NOT NULL,
  `out_trade_no` varchar(50) NOT NULL,
  `total_fee` varchar(50) NOT NULL,
  `spbill_create_ip` varchar(50) NOT NULL,
  `trade_type` varchar(20) NOT NULL,
  `trade_state` varchar(20) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `payorder` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE `payorder`
  MODIFY `body` varchar(128) NOT NULL,
  ADD COLUMN `user_id` int DEFAULT NULL,
  ADD COLUMN `total_fen` bigint NOT NULL DEFAULT 0,
  ADD COLUMN `prepay_id` varchar(64) DEFAULT NULL,
  ADD COLUMN `code_url` varchar(255) DEFAULT NULL,
  ADD COLUMN `expires_at` datetime(6) DEFAULT NULL,
  ADD COLUMN `wx_transaction_id` varchar(64) DEFAULT NULL,
  ADD COLUMN `paid_at` datetime(6) DEFAULT NULL,
  ADD COLUMN `wx_time_end` varchar(14) DEFAULT NULL,
  ADD COLUMN `wx_bank_type` varchar(32) DEFAULT NULL,
  ADD COLUMN `cash_fen` bigint DEFAULT NULL,
  ADD COLUMN `wx_openid` varchar(128) DEFAULT NULL,
  ADD COLUMN `refund_pending` boolean NOT NULL DEFAULT false,
  ADD COLUMN `refunded_fen` bigint NOT NULL DEFAULT 0,
  ADD COLUMN `claimed_at` datetime(6) DEFAULT NULL,
  ADD COLUMN `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ADD COLUMN `updated_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6);

-- Adopted rows: their amount as a number (a non-numeric one becomes 0).
UPDATE `payorder` SET `total_fen` = CAST(`total_fee` AS SIGNED)
  WHERE `total_fee` REGEXP '^[0-9]+$';

ALTER TABLE `payorder`
  ADD UNIQUE KEY `payorder_out_trade_no` (`out_trade_no`),
  ADD KEY `payorder_user` (`user_id`, `id`),
  ADD KEY `payorder_expiry` (`trade_state`, `expires_at`);

CREATE TABLE `order_item` (
  `id` int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `order_id` int NOT NULL,
  `product_id` int NOT NULL,
  `name` varchar(200) NOT NULL,
  `unit_fen` bigint NOT NULL,
  `quantity` int NOT NULL,
  KEY `order_item_order` (`order_id`),
  CONSTRAINT `order_item_order_fk` FOREIGN KEY (`order_id`) REFERENCES `payorder` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `refund` (
  `id` int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `order_id` int NOT NULL,
  `out_refund_no` varchar(64) NOT NULL,
  `refund_fen` bigint NOT NULL,
  `reason` varchar(80) NOT NULL,
  `state` varchar(16) NOT NULL,
  `refund_id` varchar(64) DEFAULT NULL,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  UNIQUE KEY `refund_out_refund_no` (`out_refund_no`),
  KEY `refund_order` (`order_id`),
  CONSTRAINT `refund_order_fk` FOREIGN KEY (`order_id`) REFERENCES `payorder` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What happened to each order, once per change (payments, closes, refunds).
CREATE TABLE `order_event` (
  `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `order_id` int NOT NULL,
  `kind` varchar(32) NOT NULL,
  `detail` varchar(255) NOT NULL DEFAULT '',
  `created_at` datetime(6) NOT NULL,
  KEY `order_event_order` (`order_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
