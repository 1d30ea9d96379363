//! The buyer's side of delivery: the address an order ships to, and receipt.

use super::{OrderDesk, OrderView};
use crate::ShopError;
use crate::store::AddressSet;
use letao_domain::DeliveryAddress;
use letao_domain::order::Fulfilment;

/// How many shipped orders one auto-receipt round looks at.
const RECEIPT_BATCH: i64 = 100;

impl OrderDesk {
    /// Copies `address` into the caller's order, until it ships.
    pub async fn set_address(
        &self,
        user_id: i32,
        out_trade_no: &str,
        address: &DeliveryAddress,
    ) -> Result<OrderView, ShopError> {
        let order = self.orders.own(user_id, out_trade_no).await?;
        match self
            .book
            .set_order_address(order.id, address, self.orders.clock.now())
            .await?
        {
            AddressSet::Set => {}
            AddressSet::NotEditable(state) => {
                return Err(ShopError::OrderState(format!(
                    "the order is {state}: its address can no longer change"
                )));
            }
        }
        let order = self.orders.own(user_id, out_trade_no).await?;
        self.view(order).await
    }

    /// The buyer confirms receipt of a shipped order (again: no change).
    pub async fn receive(&self, user_id: i32, out_trade_no: &str) -> Result<OrderView, ShopError> {
        let order = self.orders.own(user_id, out_trade_no).await?;
        let received = self
            .book
            .receive_order(order.id, "buyer", self.orders.clock.now())
            .await?;
        let order = self.orders.own(user_id, out_trade_no).await?;
        if !received && order.fulfilment != Fulfilment::Received {
            return Err(ShopError::OrderState(format!(
                "the order is {}, not {}",
                order.fulfilment,
                Fulfilment::Shipped
            )));
        }
        self.totals.clear();
        self.view(order).await
    }

    /// One auto-receipt round: orders shipped longer ago than the configured
    /// days become received. Each is one conditional update, so of several
    /// instances running the round, one moves each order. Returns how many
    /// this call moved.
    pub async fn receive_due(&self) -> Result<usize, ShopError> {
        let now = self.orders.clock.now();
        let due = self
            .book
            .due_receipts(now - self.orders.config.auto_receive, RECEIPT_BATCH)
            .await?;
        let mut received = 0;
        for order_id in due {
            if self.book.receive_order(order_id, "automatic", now).await? {
                received += 1;
            }
        }
        if received > 0 {
            self.totals.clear();
        }
        Ok(received)
    }
}
