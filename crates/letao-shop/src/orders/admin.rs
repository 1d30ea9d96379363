//! The owner's side of orders: lists with filters and search, one order in
//! full, and shipping.

use super::{OrderView, Orders};
use crate::ShopError;
use crate::owners::{Owner, Page};
use letao_db::{
    AuditEntry, BuyerRecord, EventRecord, OrderFilter, PageStart, RefundDetail, Shipment, Shipped,
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

impl Orders {
    /// Orders matching the query, newest first.
    pub async fn admin_list(
        &self,
        owner: &Owner,
        query: &OrderQuery,
        start: PageStart,
        size: i64,
    ) -> Result<Page<AdminOrder>, ShopError> {
        owner.require(Permission::ReadOrders)?;
        let mut filter = OrderFilter {
            trade_state: query.trade_state,
            fulfilment: query.fulfilment,
            ..OrderFilter::default()
        };
        if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let users = self.db.users_matching(q).await?;
            if users.is_empty() {
                filter.out_trade_no = Some(q.to_owned());
            } else {
                filter.user_ids = Some(users);
            }
        }
        let page = self.page(&filter, start, size).await?;
        let items = self.with_buyers(page.items).await?;
        Ok(Page {
            items,
            total: page.total,
            next: page.next,
        })
    }

    async fn with_buyers(&self, views: Vec<OrderView>) -> Result<Vec<AdminOrder>, ShopError> {
        let mut ids: Vec<i32> = views.iter().filter_map(|v| v.order.user_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let buyers: HashMap<i32, BuyerRecord> = self
            .db
            .buyers(&ids)
            .await?
            .into_iter()
            .map(|b| (b.id, b))
            .collect();
        Ok(views
            .into_iter()
            .map(|view| AdminOrder {
                buyer: view.order.user_id.and_then(|id| buyers.get(&id).cloned()),
                view,
            })
            .collect())
    }

    /// One order with its lines, delivery, buyer, refunds and history.
    pub async fn admin_detail(
        &self,
        owner: &Owner,
        out_trade_no: &str,
    ) -> Result<OrderDetail, ShopError> {
        owner.require(Permission::ReadOrders)?;
        let order = self
            .db
            .order_by_no(out_trade_no)
            .await?
            .ok_or(ShopError::OrderNotFound)?;
        let order_id = order.id;
        let mut views = self.with_details(vec![order]).await?;
        let view = views.pop().ok_or(ShopError::OrderNotFound)?;
        let order = self
            .with_buyers(vec![view])
            .await?
            .pop()
            .ok_or(ShopError::OrderNotFound)?;
        Ok(OrderDetail {
            order,
            refunds: self.db.refunds_of(order_id).await?,
            events: self.db.events_of(order_id).await?,
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
            .db
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
            .db
            .ship_order(order.id, &shipment, &audit, self.clock.now())
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
