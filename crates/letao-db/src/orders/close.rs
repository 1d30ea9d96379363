//! Closing unpaid orders (by the buyer, by expiry, or as WeChat reports),
//! and the claims that let one of several instances close an expired order.

use super::{OrderOps, names};
use crate::OrderRecord;
use crate::columns::naive;
use crate::orders::OrderRecordRow;
use crate::schema::payorder;
use crate::{Db, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::order::{EventKind, TradeEvent, TradeState};

impl Db {
    /// Closes an order that is in state `from` (which `Close` may leave)
    /// and puts its stock back, in one transaction. False when it was in
    /// another state (paid meanwhile, closed by someone else): then nothing
    /// changed.
    pub async fn close_order(
        &self,
        order_id: i32,
        from: TradeState,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        if from.apply(TradeEvent::Close).is_err() {
            return Ok(false);
        }
        write_txn!(self, |conn| {
            let n = diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::trade_state.eq(from.as_str())),
            )
            .set((
                payorder::trade_state.eq(TradeEvent::Close.to_state().as_str()),
                payorder::updated_at.eq(naive(now)),
                payorder::claimed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .await?;
            if n != 1 {
                return Ok(false);
            }
            conn.release_stock(order_id).await?;
            conn.add_event(order_id, EventKind::Closed, reason, now)
                .await?;
            Ok(true)
        })
    }

    /// Claims up to `limit` unpaid orders past their expiry (and closings
    /// abandoned since `stale_before`) for this instance: each is moved to
    /// CLOSING by a conditional update, so of several instances exactly one
    /// claims an order.
    pub async fn claim_expired(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, DbError> {
        let [unpaid, closing] = [TradeState::NotPay, TradeState::Closing].map(TradeState::as_str);
        let due = payorder::trade_state
            .eq(unpaid)
            .and(payorder::expires_at.lt(naive(now)))
            .or(payorder::trade_state
                .eq(closing)
                .and(payorder::claimed_at.lt(naive(stale_before))));
        let candidates: Vec<OrderRecord> = read_conn!(self, |conn| {
            Ok(payorder::table
                .select(OrderRecordRow::as_select())
                .filter(due)
                .order(payorder::expires_at)
                .limit(limit)
                .load::<OrderRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })?;
        let mut claimed = Vec::new();
        for mut order in candidates {
            // Still due: otherwise someone else has it, or it was paid.
            let n = with_conn!(self, |conn| {
                Ok(diesel::update(
                    payorder::table
                        .filter(payorder::id.eq(order.id))
                        .filter(
                            payorder::trade_state.eq_any(names(TradeEvent::Claim.from_states())),
                        )
                        .filter(due),
                )
                .set((
                    payorder::trade_state.eq(TradeEvent::Claim.to_state().as_str()),
                    payorder::claimed_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?)
            })?;
            if n == 1 {
                order.trade_state = TradeEvent::Claim.to_state();
                claimed.push(order);
            }
        }
        Ok(claimed)
    }

    /// Gives a claimed order back (its close could not be done now).
    pub async fn unclaim(&self, order_id: i32) -> Result<(), DbError> {
        with_conn!(self, |conn| {
            diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::trade_state.eq_any(names(TradeEvent::Unclaim.from_states()))),
            )
            .set((
                payorder::trade_state.eq(TradeEvent::Unclaim.to_state().as_str()),
                payorder::claimed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .await?;
            Ok(())
        })
    }
}
