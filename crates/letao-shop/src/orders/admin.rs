//! The owner's side of orders: lists with filters and search, one order in
//! full, and shipping.

use super::{OrderDesk, OrderView};
use crate::ShopError;
use crate::owners::{Owner, Page, next_cursor};
use crate::store::{
    AuditEntry, BuyerRecord, EventRecord, ListedOrder, OrderFilter, PageStart, RefundDetail,
    Shipment, Shipped,
};
use letao_domain::order::{Fulfilment, TradeState};
use letao_domain::{AuditAction, Permission};
use std::collections::HashMap;

/// What an owner's order list asks for.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Payment state.
    pub trade_state: Option<TradeState>,
    /// Delivery state.
    pub fulfilment: Option<Fulfilment>,
    /// An order number, username or mobile (exact).
    pub q: Option<String>,
}

/// Orders an export reads at a time.
const EXPORT_PAGE: i64 = 500;

/// An export of the owner's orders under way (see [`OrderDesk::export`]).
#[derive(Debug)]
pub struct OrderExport {
    filter: OrderFilter,
    next: Option<PageStart>,
}

/// An order as the owner sees it in a list.
#[derive(Debug, Clone)]
pub struct AdminOrder {
    /// The order, its lines and delivery.
    pub view: OrderView,
    /// Who bought it (none for orders adopted without an owner).
    pub buyer: Option<BuyerRecord>,
}

/// One order in full.
#[derive(Debug, Clone)]
pub struct OrderDetail {
    /// The order as in the list.
    pub order: AdminOrder,
    /// Its refunds.
    pub refunds: Vec<RefundDetail>,
    /// Its history.
    pub events: Vec<EventRecord>,
}

impl AdminOrder {
    /// A listed order with its buyer, if `buyers` has it.
    fn new(listed: ListedOrder, buyers: &HashMap<i32, BuyerRecord>) -> Self {
        let ListedOrder {
            order,
            lines,
            delivery,
            ..
        } = listed;
        AdminOrder {
            buyer: order.user_id.and_then(|id| buyers.get(&id).cloned()),
            view: OrderView {
                order,
                lines,
                delivery,
            },
        }
    }
}

impl OrderDesk {
    /// The orders with their buyers.
    async fn with_buyers(&self, listed: Vec<ListedOrder>) -> Result<Vec<AdminOrder>, ShopError> {
        let ids = listed.iter().filter_map(|o| o.order.user_id);
        let buyers = self.buyers.of(self.book.as_ref(), ids).await?;
        Ok(listed
            .into_iter()
            .map(|o| AdminOrder::new(o, &buyers))
            .collect())
    }

    /// Orders matching the query, newest first, with their buyers.
    pub async fn admin_list(
        &self,
        owner: &Owner,
        query: &OrderQuery,
        start: PageStart,
        size: i64,
    ) -> Result<Page<AdminOrder>, ShopError> {
        owner.require(Permission::ReadOrders)?;
        let filter = self.filter_of(query).await?;
        let listed = self.book.orders_page(&filter, start, size).await?;
        let next = next_cursor(&listed, size, |o| i64::from(o.order.id));
        let total = self
            .totals
            .get(&filter, async || self.book.count_orders(&filter).await)
            .await?;
        Ok(Page {
            items: self.with_buyers(listed).await?,
            total,
            next,
        })
    }

    /// What the store is asked for a query: a search text is an order
    /// number unless it names buyers.
    async fn filter_of(&self, query: &OrderQuery) -> Result<OrderFilter, ShopError> {
        let mut filter = OrderFilter {
            trade_state: query.trade_state,
            fulfilment: query.fulfilment,
            ..OrderFilter::default()
        };
        if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let users = self.book.users_matching(q).await?;
            if users.is_empty() {
                filter.out_trade_no = Some(q.to_owned());
            } else {
                filter.user_ids = Some(users);
            }
        }
        Ok(filter)
    }

    /// Every order of a query, for an export read a page at a time
    /// ([`OrderDesk::export_page`]), newest first.
    pub async fn export(
        &self,
        owner: &Owner,
        query: &OrderQuery,
    ) -> Result<OrderExport, ShopError> {
        owner.require(Permission::ReadOrders)?;
        Ok(OrderExport {
            filter: self.filter_of(query).await?,
            next: Some(PageStart::Offset(0)),
        })
    }

    /// The export's next page, `None` after its last: each page is read
    /// after the one before it by id, so an export never holds more than a
    /// page however many orders there are.
    pub async fn export_page(
        &self,
        export: &mut OrderExport,
    ) -> Result<Option<Vec<AdminOrder>>, ShopError> {
        let Some(start) = export.next else {
            return Ok(None);
        };
        let listed = self
            .book
            .orders_page(&export.filter, start, EXPORT_PAGE)
            .await?;
        export.next =
            next_cursor(&listed, EXPORT_PAGE, |o| i64::from(o.order.id)).map(PageStart::After);
        Ok(Some(self.with_buyers(listed).await?))
    }

    /// One order with its lines, delivery, buyer, refunds and history.
    pub async fn admin_detail(
        &self,
        owner: &Owner,
        out_trade_no: &str,
    ) -> Result<OrderDetail, ShopError> {
        owner.require(Permission::ReadOrders)?;
        let only = OrderFilter {
            out_trade_no: Some(out_trade_no.to_owned()),
            ..OrderFilter::default()
        };
        let listed = self
            .book
            .orders_page(&only, PageStart::Offset(0), 1)
            .await?;
        let order = self
            .with_buyers(listed)
            .await?
            .pop()
            .ok_or(ShopError::OrderNotFound)?;
        let order_id = order.view.order.id;
        Ok(OrderDetail {
            order,
            refunds: self.book.refunds_of(order_id).await?,
            events: self.book.events_of(order_id).await?,
        })
    }

    /// Ships an order with a carrier and tracking number; the same shipment
    /// again is accepted and changes nothing, another one is a conflict.
    pub async fn ship(
        &self,
        owner: &Owner,
        out_trade_no: &str,
        shipment: Shipment,
    ) -> Result<OrderDetail, ShopError> {
        owner.require(Permission::Ship)?;
        let order = self
            .orders
            .store
            .order_by_no(out_trade_no)
            .await?
            .ok_or(ShopError::OrderNotFound)?;
        let actor = owner.actor();
        let audit = AuditEntry {
            actor: &actor,
            action: AuditAction::OrderShip,
            target: format!("order {out_trade_no}"),
            detail: serde_json::json!({
                "fulfilment": [order.fulfilment, Fulfilment::Shipped],
                "carrier": shipment.carrier,
                "trackingNo": shipment.tracking_no,
            })
            .to_string(),
        };
        match self
            .book
            .ship_order(order.id, &shipment, &audit, self.orders.clock.now())
            .await?
        {
            Shipped::Now | Shipped::Already => {}
            Shipped::Conflict(existing) => {
                return Err(ShopError::OrderState(format!(
                    "the order has shipped already with {} {}",
                    existing.carrier, existing.tracking_no
                )));
            }
            Shipped::Blocked(why) => return Err(ShopError::Ship(why)),
        }
        self.totals.clear();
        self.admin_detail(owner, out_trade_no).await
    }
}
