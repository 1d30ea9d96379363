//! Reading orders: the buyer's own, and one asked of WeChat while unpaid.

use super::Orders;
use crate::ShopError;
use crate::owners::{Page, next_cursor};
use crate::payments::RemoteTrade;
use letao_db::{
    DeliveryRecord, ListedOrder, OrderFilter, OrderLine, OrderRecord, PageStart, Payment,
};
use letao_domain::order::{PaymentSource, TradeState};

/// An order with its lines and its delivery.
#[derive(Debug, Clone)]
pub struct OrderView {
    /// The order.
    pub order: OrderRecord,
    /// Its lines, in the order placed (empty where a reply shows none).
    pub lines: Vec<OrderLine>,
    /// Its address and shipment (none for orders from before delivery).
    pub delivery: Option<DeliveryRecord>,
}

impl Orders {
    /// The caller's order, or `OrderNotFound` (also for another's order).
    pub async fn own(&self, user_id: i32, out_trade_no: &str) -> Result<OrderRecord, ShopError> {
        match self.db.order_by_no(out_trade_no).await? {
            Some(o) if o.user_id == Some(user_id) => Ok(o),
            _ => Err(ShopError::OrderNotFound),
        }
    }

    /// The order with its delivery (no lines).
    pub(super) async fn view(&self, order: OrderRecord) -> Result<OrderView, ShopError> {
        let delivery = self.db.deliveries(&[order.id]).await?.pop();
        Ok(OrderView {
            order,
            lines: Vec::new(),
            delivery,
        })
    }

    /// The stored state; while unpaid, WeChat is asked, and a final answer
    /// is recorded exactly as a notification would be.
    pub async fn query(&self, user_id: i32, out_trade_no: &str) -> Result<OrderView, ShopError> {
        let order = self.query_record(user_id, out_trade_no).await?;
        self.view(order).await
    }

    async fn query_record(
        &self,
        user_id: i32,
        out_trade_no: &str,
    ) -> Result<OrderRecord, ShopError> {
        let order = self.own(user_id, out_trade_no).await?;
        if !order.trade_state.is_unpaid() {
            return Ok(order);
        }
        let no = order.out_trade_no.clone();
        match self.gateway(move |g| g.query(&no)).await? {
            Ok(answer) => self.apply_remote(&order, answer).await?,
            Err(e) => {
                tracing::warn!(out_trade_no, error = %e, "order query at WeChat failed; showing the stored state")
            }
        }
        Ok(self.db.order_by_no(out_trade_no).await?.unwrap_or(order))
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
                let outcome = self.db.record_payment(&payment, self.clock.now()).await?;
                if outcome == letao_db::Recorded::Paid {
                    super::notify::payment_recorded(PaymentSource::Query);
                }
                tracing::info!(out_trade_no = %order.out_trade_no, ?outcome, "payment learned from an order query");
            }
            RemoteTrade::Closed => {
                self.db
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

    /// The caller's orders, newest first, one page, with their lines and
    /// deliveries; the total is up to the totals lifetime stale.
    pub async fn list(
        &self,
        user_id: i32,
        start: PageStart,
        size: i64,
    ) -> Result<Page<OrderView>, ShopError> {
        let filter = OrderFilter {
            user_id: Some(user_id),
            ..OrderFilter::default()
        };
        let items = self.db.orders_page(&filter, start, size).await?;
        let next = next_cursor(&items, size, |o| i64::from(o.order.id));
        let total = self
            .totals
            .get(&filter, async || self.db.count_orders(&filter).await)
            .await?;
        Ok(Page {
            items: items.into_iter().map(OrderView::from).collect(),
            total,
            next,
        })
    }
}

impl From<ListedOrder> for OrderView {
    fn from(listed: ListedOrder) -> Self {
        OrderView {
            order: listed.order,
            lines: listed.lines,
            delivery: listed.delivery,
        }
    }
}
