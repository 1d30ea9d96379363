//! Reconciliation: the day's payments to compare with WeChat's bill, and
//! the report that is also the daily job's claim.

use crate::columns::{OptUtcTime, naive};
use crate::schema::{payorder, reconciliation, refund};
use crate::{Db, DbError, OrderRecord, RefundRecord};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::reconciliation::ReconcileState;

/// A payment the shop holds, as reconciliation compares it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = payorder)]
pub struct HeldPayment {
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id.
    #[diesel(column_name = wx_transaction_id)]
    pub transaction_id: Option<String>,
    /// The order amount.
    #[diesel(column_name = total_fen, deserialize_as = i64)]
    pub total: Fen,
    /// WeChat's payment time (yyyyMMddHHmmss, China time).
    #[diesel(column_name = wx_time_end)]
    pub time_end: Option<String>,
    /// When the shop recorded it.
    #[diesel(deserialize_as = OptUtcTime)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// A day's report as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = reconciliation)]
pub struct ReportRecord {
    /// The bill's day, `YYYY-MM-DD` (China time).
    pub bill_date: String,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
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
    #[diesel(deserialize_as = OptUtcTime)]
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

/// Rows of held payments read at once.
const HELD_PAGE: i64 = 5_000;

impl Db {
    /// Payments held whose WeChat time lies in `[from, to]`
    /// (`yyyyMMddHHmmss` strings, which sort as times), plus those without
    /// a WeChat time recorded between `paid_from` and `paid_to`.
    pub async fn held_payments(
        &self,
        from: &str,
        to: &str,
        paid_from: DateTime<Utc>,
        paid_to: DateTime<Utc>,
    ) -> Result<Vec<HeldPayment>, DbError> {
        // In pages by id: a day's payments can be many, and a driver may
        // hold a whole result in memory in its own form before it is read.
        let mut held = Vec::new();
        let mut after = 0;
        loop {
            let page: Vec<(i32, HeldPayment)> = read_conn!(self, |conn| {
                Ok(payorder::table
                    .select((payorder::id, HeldPayment::as_select()))
                    .filter(payorder::id.gt(after))
                    .filter(payorder::wx_transaction_id.is_not_null())
                    .filter(
                        payorder::wx_time_end
                            .ge(from)
                            .and(payorder::wx_time_end.le(to))
                            .or(payorder::wx_time_end
                                .is_null()
                                .and(payorder::paid_at.ge(naive(paid_from)))
                                .and(payorder::paid_at.lt(naive(paid_to)))),
                    )
                    .order(payorder::id)
                    .limit(HELD_PAGE)
                    .load(conn)
                    .await?)
            })?;
            let full = page.len() == HELD_PAGE as usize;
            after = page.last().map_or(after, |(id, _)| *id);
            held.extend(page.into_iter().map(|(_, h)| h));
            if !full {
                return Ok(held);
            }
        }
    }

    /// The orders with these numbers.
    pub async fn orders_by_nos(&self, nos: &[&str]) -> Result<Vec<OrderRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(payorder::table
                .select(OrderRecord::as_select())
                .filter(payorder::out_trade_no.eq_any(nos))
                .load(conn)
                .await?)
        })
    }

    /// The refunds with these numbers.
    pub async fn refunds_by_nos(&self, nos: &[&str]) -> Result<Vec<RefundRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(refund::table
                .select(RefundRecord::as_select())
                .filter(refund::out_refund_no.eq_any(nos))
                .load(conn)
                .await?)
        })
    }

    /// When the first order was placed: days before it have no bill to check.
    pub async fn first_order_at(&self) -> Result<Option<DateTime<Utc>>, DbError> {
        let first: Option<NaiveDateTime> = read_conn!(self, |conn| {
            Ok(payorder::table
                .select(diesel::dsl::min(payorder::created_at))
                .first(conn)
                .await?)
        })?;
        Ok(first.map(|t| t.and_utc()))
    }

    /// A day's report.
    pub async fn reconciliation(&self, date: &str) -> Result<Option<ReportRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(reconciliation::table
                .select(ReportRecord::as_select())
                .filter(reconciliation::bill_date.eq(date))
                .first(conn)
                .await
                .optional()?)
        })
    }

    /// Stores a finished run: the day's report becomes `done` with these
    /// results; recoveries add to those of earlier runs.
    pub async fn save_reconciliation(
        &self,
        date: &str,
        result: &RunResult<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        write_txn!(self, |conn| {
            diesel::insert_into(reconciliation::table)
                .values((
                    reconciliation::bill_date.eq(date),
                    reconciliation::state.eq(ReconcileState::Running.as_str()),
                    reconciliation::differences.eq("[]"),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            diesel::update(reconciliation::table.filter(reconciliation::bill_date.eq(date)))
                .set((
                    reconciliation::state.eq(ReconcileState::Done.as_str()),
                    reconciliation::matched.eq(result.matched),
                    reconciliation::recovered.eq(reconciliation::recovered + result.recovered),
                    reconciliation::bill_rows.eq(result.bill_rows),
                    reconciliation::differences.eq(result.differences),
                    reconciliation::error.eq(None::<String>),
                    reconciliation::finished_at.eq(naive(now)),
                    reconciliation::claimed_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
    }

    /// Claims a day for the daily job: the report row is created waiting if
    /// absent, then moved to running by one conditional update when it is
    /// due (waiting and its time has come, or running but abandoned since
    /// `stale_before`). Of several instances, one claims it. Returns the
    /// attempt number when this call claimed it.
    pub async fn claim_reconciliation(
        &self,
        date: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<i32>, DbError> {
        write_txn!(self, |conn| {
            diesel::insert_into(reconciliation::table)
                .values((
                    reconciliation::bill_date.eq(date),
                    reconciliation::state.eq(ReconcileState::Waiting.as_str()),
                    reconciliation::next_try_at.eq(naive(now)),
                    reconciliation::differences.eq("[]"),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            let [waiting, running] =
                [ReconcileState::Waiting, ReconcileState::Running].map(ReconcileState::as_str);
            let due = reconciliation::state
                .eq(waiting)
                .and(reconciliation::next_try_at.le(naive(now)))
                .or(reconciliation::state
                    .eq(running)
                    .and(reconciliation::claimed_at.lt(naive(stale_before))));
            let n = diesel::update(
                reconciliation::table
                    .filter(reconciliation::bill_date.eq(date))
                    .filter(due),
            )
            .set((
                reconciliation::state.eq(running),
                reconciliation::claimed_at.eq(naive(now)),
                reconciliation::attempts.eq(reconciliation::attempts + 1),
            ))
            .execute(conn)
            .await?;
            if n != 1 {
                return Ok(None);
            }
            let attempts: i32 = reconciliation::table
                .select(reconciliation::attempts)
                .filter(reconciliation::bill_date.eq(date))
                .first(conn)
                .await?;
            Ok(Some(attempts))
        })
    }

    /// Gives a claimed day back: to try again at `next_try` (waiting), or
    /// for good (failed), with why.
    pub async fn defer_reconciliation(
        &self,
        date: &str,
        next_try: Option<DateTime<Utc>>,
        why: &str,
    ) -> Result<(), DbError> {
        let state = if next_try.is_some() {
            ReconcileState::Waiting
        } else {
            ReconcileState::Failed
        };
        let why: String = why.chars().take(255).collect();
        with_conn!(self, |conn| {
            diesel::update(reconciliation::table.filter(reconciliation::bill_date.eq(date)))
                .set((
                    reconciliation::state.eq(state.as_str()),
                    reconciliation::next_try_at.eq(next_try.map(naive)),
                    reconciliation::claimed_at.eq(None::<NaiveDateTime>),
                    reconciliation::error.eq(why),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
    }
}
