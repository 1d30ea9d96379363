//! Closing unpaid orders past their expiry, safely from several instances.

use super::Orders;
use super::query::is_gone;
use crate::ApiError;
use chrono::TimeDelta;
use letao_db::{Db, order_state};
use wechat_pay::OrderRef;

/// Orders claimed per round.
const BATCH: i64 = 50;
/// A claim older than this was abandoned (its instance died) and is retaken.
const STALE_CLAIM: TimeDelta = TimeDelta::minutes(5);

impl Orders {
    /// One expiry round: claims due orders (an atomic update per order, so
    /// each is handled by one instance), closes them at WeChat, then here
    /// with their stock put back. An order paid meanwhile is recorded as
    /// paid instead. Returns how many were closed.
    pub async fn expire_due(&self, db: &Db) -> Result<usize, ApiError> {
        let now = self.clock.now();
        let claimed = db.claim_expired(now, now - STALE_CLAIM, BATCH).await?;
        let mut closed = 0;
        for order in claimed {
            let no = order.out_trade_no.clone();
            let closed_at_wechat = match self.wechat(move |api| api.close_order(&no)).await? {
                Ok(()) => true,
                Err(e) if is_gone(&e) => true,
                Err(e) if e.err_code() == Some("ORDERPAID") => {
                    // Paid meanwhile: record the payment instead.
                    let no = order.out_trade_no.clone();
                    match self
                        .wechat(move |api| api.order_query(&OrderRef::OutTradeNo(no)))
                        .await?
                    {
                        Ok(answer) => self.apply_answer(db, &order, answer).await?,
                        Err(_) => db.unclaim(order.id).await?,
                    }
                    false
                }
                Err(e) => {
                    tracing::warn!(out_trade_no = %order.out_trade_no, error = %e, "closing an expired order failed; will retry");
                    db.unclaim(order.id).await?;
                    false
                }
            };
            if closed_at_wechat
                && db
                    .close_order(
                        order.id,
                        &[order_state::CLOSING],
                        "expired",
                        self.clock.now(),
                    )
                    .await?
            {
                closed += 1;
            }
        }
        Ok(closed)
    }
}
