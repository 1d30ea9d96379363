-- Daily reconciliation with WeChat Pay's trade bill: one report per day
-- (China time), which is also the claim of the daily job.
CREATE TABLE reconciliation (
  bill_date TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try_at TIMESTAMP,
  claimed_at TIMESTAMP,
  matched INTEGER NOT NULL DEFAULT 0,
  recovered INTEGER NOT NULL DEFAULT 0,
  bill_rows INTEGER NOT NULL DEFAULT 0,
  differences TEXT NOT NULL,
  error TEXT,
  finished_at TIMESTAMP
);

-- The payments of a day, by WeChat's payment time (yyyyMMddHHmmss, China).
CREATE INDEX payorder_time_end ON payorder (wx_time_end);
