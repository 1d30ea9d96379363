//! Closing unpaid orders past their expiry, safely from several instances.

use super::Orders;
use crate::ShopError;
use crate::payments::GatewayErrorKind;
use chrono::TimeDelta;
use letao_domain::order::TradeState;

/// Orders claimed per round.
const BATCH: i64 = 50;
/// A claim older than this was abandoned (its instance died) and is retaken.
const STALE_CLAIM: TimeDelta = TimeDelta::minutes(5);

impl Orders {
    /// One expiry round: claims due orders (an atomic update per order, so
    /// each is handled by one instance), closes them at WeChat, then here
    /// with their stock put back. An order paid meanwhile is recorded as
    /// paid instead. Returns how many were closed.
    pub async fn expire_due(&self) -> Result<usize, ShopError> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_expired(now, now - STALE_CLAIM, BATCH)
            .await?;
        let mut closed = 0;
        for order in claimed {
            let closed_at_wechat = match self.gateway.close(&order.out_trade_no).await {
                Ok(()) => true,
                Err(e) if e.kind == GatewayErrorKind::OrderGone => true,
                Err(e) if e.kind == GatewayErrorKind::OrderPaid => {
                    match self.gateway.query(&order.out_trade_no).await {
                        Ok(answer) => self.apply_remote(&order, answer).await?,
                        Err(_) => self.store.unclaim(order.id).await?,
                    }
                    false
                }
                Err(e) => {
                    tracing::warn!(out_trade_no = %order.out_trade_no, error = %e, "closing an expired order failed; will retry");
                    self.store.unclaim(order.id).await?;
                    false
                }
            };
            if closed_at_wechat
                && self
                    .store
                    .close_order(order.id, TradeState::Closing, "expired", self.clock.now())
                    .await?
            {
                closed += 1;
            }
        }
        Ok(closed)
    }
}
