//! Reconciliation: the day's payments to compare with WeChat's bill, and
//! the report that is also the daily job's claim.

use crate::columns::{OptUtcTime, naive};
use crate::orders::{OrderRecordRow, RefundRecordRow};
use crate::schema::{payorder, reconciliation, refund};
use crate::{Db, DbError};
use crate::{HeldPayment, OrderRecord, RefundRecord, ReportRecord, RunResult};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::reconciliation::ReconcileState;

/// A payment the shop holds, as reconciliation compares it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = payorder)]
pub(crate) struct HeldPaymentRow {
    /// Our order number.
    out_trade_no: String,
    /// WeChat's transaction id.
    #[diesel(column_name = wx_transaction_id)]
    transaction_id: Option<String>,
    /// The order amount.
    #[diesel(column_name = total_fen, deserialize_as = i64)]
    total: Fen,
    /// WeChat's payment time (yyyyMMddHHmmss, China time).
    #[diesel(column_name = wx_time_end)]
    time_end: Option<String>,
    /// When the shop recorded it.
    #[diesel(deserialize_as = OptUtcTime)]
    paid_at: Option<DateTime<Utc>>,
}

impl From<HeldPaymentRow> for HeldPayment {
    fn from(r: HeldPaymentRow) -> Self {
        HeldPayment {
            out_trade_no: r.out_trade_no,
            transaction_id: r.transaction_id,
            total: r.total,
            time_end: r.time_end,
            paid_at: r.paid_at,
        }
    }
}

/// A day's report as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = reconciliation)]
pub(crate) struct ReportRecordRow {
    /// The bill's day, `YYYY-MM-DD` (China time).
    bill_date: String,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    state: ReconcileState,
    /// Tries of the daily job so far.
    attempts: i32,
    /// Bill rows matched (payments recorded from the bill included).
    matched: i32,
    /// Payments (and refund outcomes) the bill recovered, over all runs.
    recovered: i32,
    /// Rows in the bill.
    bill_rows: i32,
    /// The differences, JSON.
    differences: String,
    /// Why the last try did not finish.
    error: Option<String>,
    /// When it finished.
    #[diesel(deserialize_as = OptUtcTime)]
    finished_at: Option<DateTime<Utc>>,
}

impl From<ReportRecordRow> for ReportRecord {
    fn from(r: ReportRecordRow) -> Self {
        ReportRecord {
            bill_date: r.bill_date,
            state: r.state,
            attempts: r.attempts,
            matched: r.matched,
            recovered: r.recovered,
            bill_rows: r.bill_rows,
            differences: r.differences,
            error: r.error,
            finished_at: r.finished_at,
        }
    }
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
            let page: Vec<(i32, HeldPaymentRow)> = read_conn!(self, |conn| {
                Ok(payorder::table
                    .select((payorder::id, HeldPaymentRow::as_select()))
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
            held.extend(page.into_iter().map(|(_, h)| HeldPayment::from(h)));
            if !full {
                return Ok(held);
            }
        }
    }

    /// The orders with these numbers.
    pub async fn orders_by_nos(&self, nos: &[&str]) -> Result<Vec<OrderRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(payorder::table
                .select(OrderRecordRow::as_select())
                .filter(payorder::out_trade_no.eq_any(nos))
                .load::<OrderRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }

    /// The refunds with these numbers.
    pub async fn refunds_by_nos(&self, nos: &[&str]) -> Result<Vec<RefundRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(refund::table
                .select(RefundRecordRow::as_select())
                .filter(refund::out_refund_no.eq_any(nos))
                .load::<RefundRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
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
                .select(ReportRecordRow::as_select())
                .filter(reconciliation::bill_date.eq(date))
                .first::<ReportRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
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
