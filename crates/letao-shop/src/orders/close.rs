//! Closing an unpaid order on the buyer's request.

use super::{Orders, provider_error};
use crate::ShopError;
use crate::payments::GatewayErrorKind;
use crate::store::OrderRecord;
use letao_domain::order::{TradeEvent, TradeState};

impl Orders {
    /// Closes the caller's unpaid order at WeChat and here, and puts its
    /// stock back. Paid meanwhile: the payment is recorded instead.
    pub async fn close(&self, user_id: i32, out_trade_no: &str) -> Result<OrderRecord, ShopError> {
        let order = self.own(user_id, out_trade_no).await?;
        if order.trade_state != TradeState::NotPay {
            return Err(ShopError::OrderState(format!(
                "the order is {}, not {}",
                order.trade_state.public(),
                TradeState::NotPay
            )));
        }
        match self.gateway.close(&order.out_trade_no).await {
            Ok(()) => {}
            Err(e) if e.kind == GatewayErrorKind::OrderGone => {}
            Err(e) if e.kind == GatewayErrorKind::OrderPaid => {
                if let Ok(answer) = self.gateway.query(&order.out_trade_no).await {
                    self.apply_remote(&order, answer).await?;
                }
                return Err(ShopError::OrderState("the order is paid".into()));
            }
            Err(e) => return Err(provider_error(&e)),
        }
        if !self
            .store
            .close_order(
                order.id,
                TradeState::NotPay,
                "closed by the buyer",
                self.clock.now(),
            )
            .await?
        {
            return Err(ShopError::OrderState("the order changed meanwhile".into()));
        }
        let closed = self.store.order_by_no(out_trade_no).await?;
        Ok(closed.unwrap_or(OrderRecord {
            trade_state: TradeEvent::Close.to_state(),
            ..order
        }))
    }
}
