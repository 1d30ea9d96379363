//! Reconciliation: the day's payments to compare with WeChat's bill, and
//! the report that is also the daily job's claim.

use super::StoreError;
use super::orders::{OrderRecord, RefundRecord};
use chrono::{DateTime, Utc};
use letao_domain::Fen;
use letao_domain::reconciliation::ReconcileState;

/// A payment the shop holds, as reconciliation compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPayment {
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id.
    pub transaction_id: Option<String>,
    /// The order amount.
    pub total: Fen,
    /// WeChat's payment time (yyyyMMddHHmmss, China time).
    pub time_end: Option<String>,
    /// When the shop recorded it.
    pub paid_at: Option<DateTime<Utc>>,
}

/// A day's report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    /// The bill's day, `YYYY-MM-DD` (China time).
    pub bill_date: String,
    /// Where it stands.
    pub state: ReconcileState,
    /// Tries of the daily job so far.
    pub attempts: i32,
    /// Bill rows matched (payments recorded from the bill included).
    pub matched: i32,
    /// Payments (and refund outcomes) the bill recovered, over all runs.
    pub recovered: i32,
    /// Rows in the bill.
    pub bill_rows: i32,
    /// The differences, JSON.
    pub differences: String,
    /// Why the last try did not finish.
    pub error: Option<String>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A finished run's results.
#[derive(Debug, Clone)]
pub struct RunResult<'a> {
    /// Rows matched (recovered ones included).
    pub matched: i32,
    /// Rows recovered by this run.
    pub recovered: i32,
    /// Rows in the bill.
    pub bill_rows: i32,
    /// The differences, JSON.
    pub differences: &'a str,
}

/// What a day's reconciliation reads and keeps.
#[async_trait::async_trait]
pub trait ReconciliationStore: Send + Sync {
    /// Payments held whose WeChat time lies in `[from, to]`
    /// (`yyyyMMddHHmmss`, China time), plus those without a WeChat time
    /// recorded between `paid_from` and `paid_to`.
    async fn held_payments(
        &self,
        from: &str,
        to: &str,
        paid_from: DateTime<Utc>,
        paid_to: DateTime<Utc>,
    ) -> Result<Vec<HeldPayment>, StoreError>;

    /// The orders of these numbers (those that exist).
    async fn orders_by_nos(&self, nos: &[&str]) -> Result<Vec<OrderRecord>, StoreError>;

    /// The refunds of these numbers (those that exist).
    async fn refunds_by_nos(&self, nos: &[&str]) -> Result<Vec<RefundRecord>, StoreError>;

    /// When the first order was placed (none: no orders yet).
    async fn first_order_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// The report of `date` (`YYYY-MM-DD`).
    async fn reconciliation(&self, date: &str) -> Result<Option<ReportRecord>, StoreError>;

    /// Keeps a finished run's results as the day's report.
    async fn save_reconciliation(
        &self,
        date: &str,
        result: &RunResult<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Claims `date` for a run unless it is done, due later, or claimed by
    /// another run since `stale_before`; the attempt number when claimed.
    async fn claim_reconciliation(
        &self,
        date: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<i32>, StoreError>;

    /// Gives a claim back: tried again at `next_try` (none: failed for good),
    /// saying why.
    async fn defer_reconciliation(
        &self,
        date: &str,
        next_try: Option<DateTime<Utc>>,
        why: &str,
    ) -> Result<(), StoreError>;
}
