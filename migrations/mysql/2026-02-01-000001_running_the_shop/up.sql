-- Running the shop: roles, delivery addresses, shipping and receipt,
-- hidden products, the audit log, and the catalogue version other
-- instances check to drop their caches.

-- Roles replace the admin flag: `admin` (everything) or `staff` (orders:
-- read, ship). `address_count` is the per-user address cap's counter.
ALTER TABLE `user`
  ADD COLUMN `role` varchar(16) DEFAULT NULL,
  ADD COLUMN `address_count` int NOT NULL DEFAULT 0;
UPDATE `user` SET `role` = 'admin' WHERE `is_admin`;
ALTER TABLE `user` DROP COLUMN `is_admin`;

CREATE TABLE `address` (
  `id` int NOT NULL AUTO_INCREMENT,
  `user_id` int NOT NULL,
  `name` varchar(20) NOT NULL,
  `mobile` varchar(11) NOT NULL,
  `province` varchar(20) NOT NULL,
  `city` varchar(20) NOT NULL,
  `district` varchar(20) NOT NULL,
  `detail` varchar(120) NOT NULL,
  `is_default` boolean NOT NULL DEFAULT false,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `address_user` (`user_id`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Delivery state beside payment state; the address (a copy taken when it
-- is set) and the shipment live in a table of their own, one row an order.
ALTER TABLE `payorder`
  ADD COLUMN `fulfilment` varchar(16) NOT NULL DEFAULT 'UNSHIPPED',
  ADD KEY `payorder_trade` (`trade_state`, `id`),
  ADD KEY `payorder_fulfilment` (`fulfilment`, `trade_state`, `id`);

CREATE TABLE `order_delivery` (
  `order_id` int NOT NULL,
  `name` varchar(20) DEFAULT NULL,
  `mobile` varchar(11) DEFAULT NULL,
  `province` varchar(20) DEFAULT NULL,
  `city` varchar(20) DEFAULT NULL,
  `district` varchar(20) DEFAULT NULL,
  `detail` varchar(120) DEFAULT NULL,
  `carrier` varchar(32) DEFAULT NULL,
  `tracking_no` varchar(64) DEFAULT NULL,
  `shipped_at` datetime(6) DEFAULT NULL,
  `received_at` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`order_id`),
  KEY `order_delivery_receipt` (`received_at`, `shipped_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A deleted product leaves the shop but stays in old orders.
ALTER TABLE `product`
  ADD COLUMN `hidden` boolean NOT NULL DEFAULT false;

CREATE TABLE `audit_log` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `at` datetime(6) NOT NULL,
  `actor_id` int DEFAULT NULL,
  `actor_name` varchar(50) DEFAULT NULL,
  `action` varchar(40) NOT NULL,
  `target` varchar(100) NOT NULL,
  `detail` text NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `shop_version` (
  `name` varchar(32) NOT NULL,
  `version` bigint NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO `shop_version` (`name`, `version`) VALUES ('catalogue', 0);
