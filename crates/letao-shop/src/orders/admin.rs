//! The owner's side of orders: lists with filters and search, one order in
//! full, and shipping.

use super::{OrderView, Orders};
use crate::ShopError;
use crate::owners::{Owner, Page, next_cursor};
use letao_db::{
    AuditEntry, BuyerRecord, EventRecord, ListedOrder, Listing, OrderFilter, PageStart,
    RefundDetail, Rendered, RoleGuard, Shipment, Shipped,
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

/// How an owner's list shows an order: the caller's rendering of it, a
/// JSON object without its buyer, and a tag naming that rendering's shape.
/// Renderings are stored with the order and read back while the order is
/// unchanged; a stored one with another tag (made by a release that showed
/// orders otherwise) is made again. Change the tag when the shape changes.
#[derive(Debug, Clone, Copy)]
pub struct ListingFormat {
    /// Starts every stored rendering of this shape.
    pub tag: &'static str,
    /// The order as a JSON object (`{...}`, at least one member).
    pub render: fn(&OrderView) -> serde_json::Result<String>,
}

impl ListingFormat {
    /// The rendering in `stored`, if it has this format's tag and is an
    /// object.
    fn read(&self, mut stored: String) -> Option<String> {
        let rest = stored.strip_prefix(self.tag)?;
        if !is_object(rest) {
            return None;
        }
        stored.drain(..self.tag.len());
        Some(stored)
    }
}

/// Whether `text` looks like a JSON object with members (the caller's
/// renderings are spliced into a reply, after its buyer).
fn is_object(text: &str) -> bool {
    text.len() > 2 && text.starts_with('{') && text.ends_with('}')
}

/// An order of an owner's list, as rendered by a [`ListingFormat`].
#[derive(Debug, Clone)]
pub struct OwnerListed {
    /// Who bought it (none for orders adopted without an owner).
    pub buyer: Option<BuyerRecord>,
    /// The order, rendered: a JSON object without its buyer.
    pub rendered: String,
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

impl Orders {
    /// The orders with their buyers.
    async fn with_buyers(&self, listed: Vec<ListedOrder>) -> Result<Vec<AdminOrder>, ShopError> {
        let ids = listed.iter().filter_map(|o| o.order.user_id);
        let buyers = self.buyers.of(&self.db, ids).await?;
        Ok(listed
            .into_iter()
            .map(|o| AdminOrder::new(o, &buyers))
            .collect())
    }

    /// Orders matching the query, newest first, as `format` renders them.
    ///
    /// The page is read as each order's stored rendering; an order changed
    /// since its rendering (or never rendered) is read in full, rendered,
    /// and its rendering kept for the next read. A page of unchanged orders
    /// is one statement of five columns a row.
    pub async fn admin_list(
        &self,
        viewer: i32,
        query: &OrderQuery,
        start: PageStart,
        size: i64,
        format: ListingFormat,
    ) -> Result<Page<OwnerListed>, ShopError> {
        let mut filter = OrderFilter {
            trade_state: query.trade_state,
            fulfilment: query.fulfilment,
            ..OrderFilter::default()
        };
        if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // Only an owner's search looks for users (the page checks the
            // role again, as it does without a search).
            crate::owners::owner(&self.db, viewer)
                .await?
                .require(Permission::ReadOrders)?;
            let users = self.db.users_matching(q).await?;
            if users.is_empty() {
                filter.out_trade_no = Some(q.to_owned());
            } else {
                filter.user_ids = Some(users);
            }
        }
        // The role is checked by the page's own statement.
        let guard = RoleGuard {
            user_id: viewer,
            permission: Permission::ReadOrders,
        };
        let listings = self
            .db
            .order_listings(&filter, Some(&guard), start, size)
            .await?;
        if listings.is_empty() {
            // No orders, or no role: the page cannot tell which.
            crate::owners::owner(&self.db, viewer)
                .await?
                .require(guard.permission)?;
        }
        let next = next_cursor(&listings, size, |l| i64::from(l.id));
        let total = self
            .totals
            .get(&filter, async || self.db.count_orders(&filter).await)
            .await?;
        let ids = listings.iter().filter_map(|l| l.user_id);
        let buyers = self.buyers.of(&self.db, ids).await?;
        let listings = self.rendered(listings, format).await?;
        Ok(Page {
            // An order gone between the two reads leaves the page.
            items: listings
                .into_iter()
                .filter_map(|l| {
                    l.rendered.map(|rendered| OwnerListed {
                        buyer: l.user_id.and_then(|id| buyers.get(&id).cloned()),
                        rendered,
                    })
                })
                .collect(),
            total,
            next,
        })
    }

    /// The listings, each with its rendering in `format`: the stored one
    /// when current, otherwise made from the order as it stands now and
    /// kept (none for an order no longer there).
    async fn rendered(
        &self,
        listings: Vec<Listing>,
        format: ListingFormat,
    ) -> Result<Vec<Listing>, ShopError> {
        let mut listings: Vec<Listing> = listings
            .into_iter()
            .map(|l| Listing {
                rendered: l.rendered.and_then(|r| format.read(r)),
                ..l
            })
            .collect();
        let stale: Vec<i32> = listings
            .iter()
            .filter(|l| l.rendered.is_none())
            .map(|l| l.id)
            .collect();
        if !stale.is_empty() {
            let only = OrderFilter {
                ids: Some(stale.clone()),
                ..OrderFilter::default()
            };
            let limit = i64::try_from(stale.len()).unwrap_or(i64::MAX);
            let fresh = self
                .db
                .orders_page(&only, None, PageStart::Offset(0), limit)
                .await?;
            let mut keep = Vec::with_capacity(fresh.len());
            for listed in fresh {
                let (id, rev) = (listed.order.id, listed.rev);
                let text = (format.render)(&OrderView::from(listed))
                    .map_err(|e| ShopError::Internal(Box::new(e)))?;
                if !is_object(&text) {
                    return Err(ShopError::internal("an order rendered as no JSON object"));
                }
                keep.push(Rendered {
                    id,
                    rev,
                    text: format!("{}{text}", format.tag),
                });
                if let Some(l) = listings.iter_mut().find(|l| l.id == id) {
                    l.rendered = Some(text);
                }
            }
            // A rendering not kept is made again next time: the page stands.
            if let Err(e) = self.db.keep_listings(&keep).await {
                tracing::warn!(error = %e, "order renderings not kept");
            }
        }
        Ok(listings)
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
            .db
            .orders_page(&only, None, PageStart::Offset(0), 1)
            .await?;
        let order = self
            .with_buyers(listed)
            .await?
            .pop()
            .ok_or(ShopError::OrderNotFound)?;
        let order_id = order.view.order.id;
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
