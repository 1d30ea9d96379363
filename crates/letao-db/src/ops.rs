//! Statements used inside write transactions, written once and compiled
//! for each backend's connection type (diesel needs the concrete type).

use crate::DbError;
use crate::pool::SqliteConn;
use crate::rate_limit::{RateRule, RetryAfter};
use crate::schema::{order_event, order_item, product, rate_limit, sms_code};
use crate::txn::WriteTxn;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl};
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose, StoredCode};

pub(crate) trait TxOps: WriteTxn {
    /// Takes one hit from each rule: all of them, or (when one is full)
    /// none, with the longest wait. Call inside a write transaction, and
    /// roll it back on `Err(RetryAfter)`.
    fn take_rate(
        &mut self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Result<(), RetryAfter>, DbError>> + Send;

    /// Checks the latest code for (mobile, purpose): counts a wrong try,
    /// or consumes a right code (`Accept` means this call consumed it).
    /// Call inside a write transaction.
    fn check_and_consume(
        &mut self,
        mobile: &str,
        purpose: SmsPurpose,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<CodeCheck, DieselError>> + Send;

    /// Puts the stock of an order's lines back.
    fn release_stock(
        &mut self,
        order_id: i32,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;

    /// Appends an order event.
    fn add_event(
        &mut self,
        order_id: i32,
        kind: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;
}

macro_rules! impl_tx_ops {
    ($conn:ty) => {
        impl TxOps for $conn {
            async fn take_rate(
                &mut self,
                rules: &[RateRule],
                now: DateTime<Utc>,
            ) -> Result<Result<(), RetryAfter>, DbError> {
                let conn = self;

                let now_naive = now.naive_utc();
                let mut full: Option<TimeDelta> = None;
                let mut sorted: Vec<&RateRule> = rules.iter().collect();
                // A fixed order keeps concurrent transactions from deadlocking.
                sorted.sort_by(|a, b| a.bucket.cmp(&b.bucket));
                for rule in &sorted {
                    diesel::insert_into(rate_limit::table)
                        .values((
                            rate_limit::bucket.eq(&rule.bucket),
                            rate_limit::window_start.eq(now_naive),
                            rate_limit::hits.eq(0),
                        ))
                        .on_conflict_do_nothing()
                        .execute(conn)
                        .await?;
                    // A window that has ended starts again now.
                    diesel::update(rate_limit::table)
                        .filter(rate_limit::bucket.eq(&rule.bucket))
                        .filter(rate_limit::window_start.le((now - rule.window).naive_utc()))
                        .set((
                            rate_limit::window_start.eq(now_naive),
                            rate_limit::hits.eq(0),
                        ))
                        .execute(conn)
                        .await?;
                    let taken = diesel::update(rate_limit::table)
                        .filter(rate_limit::bucket.eq(&rule.bucket))
                        .filter(rate_limit::hits.lt(i32::try_from(rule.limit).unwrap_or(i32::MAX)))
                        .set(rate_limit::hits.eq(rate_limit::hits + 1))
                        .execute(conn)
                        .await?;
                    if taken == 0 {
                        let start: chrono::NaiveDateTime = rate_limit::table
                            .select(rate_limit::window_start)
                            .filter(rate_limit::bucket.eq(&rule.bucket))
                            .first(conn)
                            .await?;
                        let wait = start.and_utc() + rule.window - now;
                        full = Some(full.map_or(wait, |w| w.max(wait)));
                    }
                }
                Ok(match full {
                    Some(wait) => Err(RetryAfter(wait.max(TimeDelta::seconds(1)))),
                    None => Ok(()),
                })
            }

            async fn check_and_consume(
                &mut self,
                mobile: &str,
                purpose: SmsPurpose,
                submitted_hash: &str,
                policy: &CodePolicy,
                now: DateTime<Utc>,
            ) -> Result<CodeCheck, DieselError> {
                let conn = self;

                let latest: Option<(
                    i64,
                    String,
                    chrono::NaiveDateTime,
                    i32,
                    Option<chrono::NaiveDateTime>,
                )> = sms_code::table
                    .select((
                        sms_code::id,
                        sms_code::code_hash,
                        sms_code::created_at,
                        sms_code::attempts,
                        sms_code::consumed_at,
                    ))
                    .filter(sms_code::mobile.eq(mobile))
                    .filter(sms_code::purpose.eq(purpose.as_str()))
                    .order(sms_code::id.desc())
                    .first(conn)
                    .await
                    .optional()?;
                // No code at all reads as a wrong one: nothing tells a caller whether
                // a code was ever sent.
                let Some((id, code_hash, created_at, attempts, consumed_at)) = latest else {
                    return Ok(CodeCheck::Wrong);
                };
                let stored = StoredCode {
                    code_hash,
                    created_at: created_at.and_utc(),
                    attempts,
                    consumed: consumed_at.is_some(),
                };
                let verdict = policy.check(&stored, submitted_hash, now);
                // Both updates re-check the row's state, so of two concurrent checks
                // only one can consume a code, and tries are never lost.
                let still_live = sms_code::consumed_at
                    .is_null()
                    .and(sms_code::attempts.lt(policy.max_attempts));
                match verdict {
                    CodeCheck::Wrong => {
                        diesel::update(
                            sms_code::table
                                .filter(sms_code::id.eq(id))
                                .filter(still_live),
                        )
                        .set(sms_code::attempts.eq(sms_code::attempts + 1))
                        .execute(conn)
                        .await?;
                        Ok(CodeCheck::Wrong)
                    }
                    CodeCheck::Accept => {
                        let consumed = diesel::update(
                            sms_code::table
                                .filter(sms_code::id.eq(id))
                                .filter(still_live),
                        )
                        .set(sms_code::consumed_at.eq(now.naive_utc()))
                        .execute(conn)
                        .await?;
                        Ok(if consumed == 1 {
                            CodeCheck::Accept
                        } else {
                            CodeCheck::UsedUp
                        })
                    }
                    other => Ok(other),
                }
            }

            async fn release_stock(&mut self, order_id: i32) -> Result<(), DieselError> {
                let mut lines: Vec<(i32, i32)> = order_item::table
                    .select((order_item::product_id, order_item::quantity))
                    .filter(order_item::order_id.eq(order_id))
                    .load(self)
                    .await?;
                lines.sort_unstable();
                for (product_id, quantity) in lines {
                    diesel::update(product::table.filter(product::id.eq(product_id)))
                        .set(product::stock.eq(product::stock + quantity))
                        .execute(self)
                        .await?;
                }
                Ok(())
            }

            async fn add_event(
                &mut self,
                order_id: i32,
                kind: &str,
                detail: &str,
                now: DateTime<Utc>,
            ) -> Result<(), DieselError> {
                let detail: String = detail.chars().take(255).collect();
                diesel::insert_into(order_event::table)
                    .values((
                        order_event::order_id.eq(order_id),
                        order_event::kind.eq(kind),
                        order_event::detail.eq(detail),
                        order_event::created_at.eq(now.naive_utc()),
                    ))
                    .execute(self)
                    .await?;
                Ok(())
            }
        }
    };
}

impl_tx_ops!(SqliteConn);
impl_tx_ops!(AsyncMysqlConnection);
impl_tx_ops!(AsyncPgConnection);
