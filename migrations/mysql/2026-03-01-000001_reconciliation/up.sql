-- Daily reconciliation with WeChat Pay's trade bill: one report per day
-- (China time), which is also the claim of the daily job.
CREATE TABLE `reconciliation` (
  `bill_date` varchar(10) NOT NULL,
  `state` varchar(16) NOT NULL,
  `attempts` int NOT NULL DEFAULT 0,
  `next_try_at` datetime(6) DEFAULT NULL,
  `claimed_at` datetime(6) DEFAULT NULL,
  `matched` int NOT NULL DEFAULT 0,
  `recovered` int NOT NULL DEFAULT 0,
  `bill_rows` int NOT NULL DEFAULT 0,
  `differences` mediumtext NOT NULL,
  `error` varchar(255) DEFAULT NULL,
  `finished_at` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`bill_date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The payments of a day, by WeChat's payment time (yyyyMMddHHmmss, China).
ALTER TABLE `payorder` ADD KEY `payorder_time_end` (`wx_time_end`);
