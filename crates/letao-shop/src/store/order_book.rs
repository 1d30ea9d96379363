//! Orders as lists and details show them, and their delivery: the address
//! copied into an order, shipping, receipt.

use super::StoreError;
use super::audit::AuditEntry;
use super::orders::{OrderLine, OrderRecord};
use chrono::{DateTime, Utc};
use letao_domain::order::{EventKind, Fulfilment, RefundState, ShipBlocker, TradeState};
use letao_domain::{DeliveryAddress, Fen};

/// An order's delivery row: the address copied into it, and the shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The order's row id.
    pub order_id: i32,
    /// Recipient.
    pub name: Option<String>,
    /// Recipient's mobile.
    pub mobile: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Street and number.
    pub detail: Option<String>,
    /// Carrier.
    pub carrier: Option<String>,
    /// Tracking number.
    pub tracking_no: Option<String>,
    /// When it shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// When it was received.
    pub received_at: Option<DateTime<Utc>>,
}

impl DeliveryRecord {
    /// Whether an address has been set.
    pub fn has_address(&self) -> bool {
        self.name.is_some()
    }
}

/// A shipment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    /// Carrier, e.g. `顺丰`.
    pub carrier: String,
    /// Tracking number.
    pub tracking_no: String,
}

/// How setting an order's address ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSet {
    /// Copied into the order.
    Set,
    /// The order has shipped (or will not ship): its address is fixed.
    NotEditable(Fulfilment),
}

/// How a ship request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shipped {
    /// Shipped now.
    Now,
    /// Already shipped with this same shipment: nothing changed.
    Already,
    /// Already shipped with another shipment.
    Conflict(Shipment),
    /// It cannot ship.
    Blocked(ShipBlocker),
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OrderFilter {
    /// One buyer's orders.
    pub user_id: Option<i32>,
    /// Several buyers' (a search by username or mobile); empty matches none.
    pub user_ids: Option<Vec<i32>>,
    /// In this payment state (`NOTPAY` includes orders being closed).
    pub trade_state: Option<TradeState>,
    /// In this delivery state.
    pub fulfilment: Option<Fulfilment>,
    /// This one order.
    pub out_trade_no: Option<String>,
    /// These orders, by row id.
    pub ids: Option<Vec<i32>>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageStart {
    /// After the row with this id (keyset: the cost of page 1 at any depth).
    After(i64),
    /// Skip this many rows (page numbers).
    Offset(i64),
}

/// A buyer as an owner sees them on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerRecord {
    /// User id.
    pub id: i32,
    /// Username.
    pub username: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
}

/// An order of a list, with what a list shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedOrder {
    /// The order.
    pub order: OrderRecord,
    /// Its lines, in the order placed.
    pub lines: Vec<OrderLine>,
    /// Its address and shipment (none for orders from before delivery).
    pub delivery: Option<DeliveryRecord>,
}

/// A refund with its reason and time, for an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDetail {
    /// Our refund number.
    pub out_refund_no: String,
    /// Amount.
    pub amount: Fen,
    /// Where it stands.
    pub state: RefundState,
    /// Why.
    pub reason: String,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
}

/// One event of an order's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// What changed.
    pub kind: EventKind,
    /// Details (an amount, a transaction id and its source, ...).
    pub detail: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Reading orders in lists and in full, and delivering them.
#[async_trait::async_trait]
pub trait OrderBook: Send + Sync {
    /// One page of orders matching `filter`, newest first, with their lines
    /// and delivery.
    async fn orders_page(
        &self,
        filter: &OrderFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<ListedOrder>, StoreError>;

    /// How many orders match `filter` (a count over the table: cache it).
    async fn count_orders(&self, filter: &OrderFilter) -> Result<i64, StoreError>;

    /// The delivery rows of these orders.
    async fn deliveries(&self, order_ids: &[i32]) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// The buyers of these ids (those that exist), in no order.
    async fn buyers(&self, ids: &[i32]) -> Result<Vec<BuyerRecord>, StoreError>;

    /// Users whose username or mobile is exactly `q` (an owner's search).
    async fn users_matching(&self, q: &str) -> Result<Vec<i32>, StoreError>;

    /// An order's refunds, oldest first.
    async fn refunds_of(&self, order_id: i32) -> Result<Vec<RefundDetail>, StoreError>;

    /// An order's history, oldest first.
    async fn events_of(&self, order_id: i32) -> Result<Vec<EventRecord>, StoreError>;

    /// Copies an address into an order that has not shipped.
    async fn set_order_address(
        &self,
        order_id: i32,
        address: &DeliveryAddress,
        now: DateTime<Utc>,
    ) -> Result<AddressSet, StoreError>;

    /// Ships a paid order, with its audit entry.
    async fn ship_order(
        &self,
        order_id: i32,
        shipment: &Shipment,
        audit: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<Shipped, StoreError>;

    /// Marks a shipped order received (`how`: by the buyer, or automatically);
    /// false when it was not shipped.
    async fn receive_order(
        &self,
        order_id: i32,
        how: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Up to `limit` orders shipped before `cutoff` and not received.
    async fn due_receipts(&self, cutoff: DateTime<Utc>, limit: i64)
    -> Result<Vec<i32>, StoreError>;
}
