//! The order desk: orders as buyers and owners see them (with lines,
//! delivery, buyers, refunds and history), and the changes that come with
//! showing them again (closing, refunding, shipping, receipt), over the
//! payment lifecycle of [`Orders`].

use super::refund::RefundRequest;
use super::{Orders, buyers::Buyers};
use crate::ShopError;
use crate::owners::{Owner, Page, next_cursor};
use crate::store::{
    DeliveryRecord, ListedOrder, OrderBook, OrderFilter, OrderLine, OrderRecord, PageStart,
    RefundRecord,
};
use crate::totals::Totals;
use std::sync::Arc;

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

impl From<ListedOrder> for OrderView {
    fn from(listed: ListedOrder) -> Self {
        OrderView {
            order: listed.order,
            lines: listed.lines,
            delivery: listed.delivery,
        }
    }
}

/// Orders shown and delivered.
pub struct OrderDesk {
    pub(crate) orders: Arc<Orders>,
    pub(crate) book: Arc<dyn OrderBook>,
    /// List totals by filter, kept `totals_ttl`; a change made here clears them.
    pub(crate) totals: Totals<OrderFilter>,
    pub(crate) buyers: Buyers,
}

impl OrderDesk {
    /// The desk over the order lifecycle and the order book.
    pub fn new(orders: Arc<Orders>, book: Arc<dyn OrderBook>) -> OrderDesk {
        let clock = orders.clock.clone();
        OrderDesk {
            totals: Totals::new(orders.config.totals_ttl, clock.clone()),
            buyers: Buyers::new(clock),
            orders,
            book,
        }
    }

    /// The order with its delivery (no lines).
    pub async fn view(&self, order: OrderRecord) -> Result<OrderView, ShopError> {
        let delivery = self.book.deliveries(&[order.id]).await?.pop();
        Ok(OrderView {
            order,
            lines: Vec::new(),
            delivery,
        })
    }

    /// The caller's order as [`Orders::query`] finds it, with its delivery.
    pub async fn query(&self, user_id: i32, out_trade_no: &str) -> Result<OrderView, ShopError> {
        let order = self.orders.query(user_id, out_trade_no).await?;
        self.view(order).await
    }

    /// Closes the caller's unpaid order ([`Orders::close`]).
    pub async fn close(&self, user_id: i32, out_trade_no: &str) -> Result<OrderView, ShopError> {
        let order = self.orders.close(user_id, out_trade_no).await?;
        self.totals.clear();
        self.view(order).await
    }

    /// Refunds a paid order ([`Orders::refund`]).
    pub async fn refund(
        &self,
        owner: &Owner,
        req: RefundRequest,
    ) -> Result<RefundRecord, ShopError> {
        let refund = self.orders.refund(owner, req).await;
        self.totals.clear();
        refund
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
        let items = self.book.orders_page(&filter, start, size).await?;
        let next = next_cursor(&items, size, |o| i64::from(o.order.id));
        let total = self
            .totals
            .get(&filter, async || self.book.count_orders(&filter).await)
            .await?;
        Ok(Page {
            items: items.into_iter().map(OrderView::from).collect(),
            total,
            next,
        })
    }
}
