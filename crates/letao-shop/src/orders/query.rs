//! Reading an order of the buyer's own, asked of WeChat while unpaid.

use super::Orders;
use crate::ShopError;
use crate::payments::RemoteTrade;
use crate::store::{OrderRecord, Payment};
use letao_domain::order::{PaymentSource, TradeState};

impl Orders {
    /// The caller's order, or `OrderNotFound` (also for another's order).
    pub async fn own(&self, user_id: i32, out_trade_no: &str) -> Result<OrderRecord, ShopError> {
        match self.store.order_by_no(out_trade_no).await? {
            Some(o) if o.user_id == Some(user_id) => Ok(o),
            _ => Err(ShopError::OrderNotFound),
        }
    }

    /// The stored state; while unpaid, WeChat is asked, and a final answer
    /// is recorded exactly as a notification would be.
    pub async fn query(&self, user_id: i32, out_trade_no: &str) -> Result<OrderRecord, ShopError> {
        let order = self.own(user_id, out_trade_no).await?;
        if !order.trade_state.is_unpaid() {
            return Ok(order);
        }
        match self.gateway.query(&order.out_trade_no).await {
            Ok(answer) => self.apply_remote(&order, answer).await?,
            Err(e) => {
                tracing::warn!(out_trade_no, error = %e, "order query at WeChat failed; showing the stored state")
            }
        }
        Ok(self.store.order_by_no(out_trade_no).await?.unwrap_or(order))
    }

    /// Records what WeChat says of an unpaid order: a payment as a
    /// notification would, a close as a close.
    pub(super) async fn apply_remote(
        &self,
        order: &OrderRecord,
        answer: RemoteTrade,
    ) -> Result<(), ShopError> {
        match answer {
            RemoteTrade::Paid(facts) => {
                let payment = Payment {
                    out_trade_no: &order.out_trade_no,
                    transaction_id: &facts.transaction_id,
                    total: facts.total,
                    bank_type: facts.bank_type.as_deref(),
                    time_end: facts.time_end.as_deref(),
                    cash: facts.cash,
                    openid: facts.openid.as_deref(),
                    source: PaymentSource::Query,
                };
                let outcome = self
                    .store
                    .record_payment(&payment, self.clock.now())
                    .await?;
                if outcome == crate::store::Recorded::Paid {
                    super::notify::payment_recorded(PaymentSource::Query);
                }
                tracing::info!(out_trade_no = %order.out_trade_no, ?outcome, "payment learned from an order query");
            }
            RemoteTrade::Closed => {
                self.store
                    .close_order(
                        order.id,
                        TradeState::NotPay,
                        "closed at WeChat",
                        self.clock.now(),
                    )
                    .await?;
            }
            RemoteTrade::Open | RemoteTrade::Other(_) => {}
        }
        Ok(())
    }
}
