//! The order lifecycle as stored: placing (with stock reserved), the
//! payment recorded exactly once, closing and expiry (stock released),
//! refunds.

use super::StoreError;
use super::audit::AuditEntry;
use chrono::{DateTime, Utc};
use letao_domain::order::{
    Fulfilment, LineError, OrderItems, PaymentSource, PricingError, RefundEvent, RefundState,
    TradeState,
};
use letao_domain::{DeliveryAddress, Fen, Id, Product, Sku};

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Row id.
    pub id: i32,
    /// Our order number.
    pub out_trade_no: String,
    /// The owner; rows adopted from the original have none.
    pub user_id: Option<i32>,
    /// Amount.
    pub total: Fen,
    /// Payment state.
    pub trade_state: TradeState,
    /// When an unpaid order is closed.
    pub expires_at: Option<DateTime<Utc>>,
    /// WeChat's transaction id, once paid.
    pub transaction_id: Option<String>,
    /// When the payment was recorded.
    pub paid_at: Option<DateTime<Utc>>,
    /// Paid after it was closed: the money must go back.
    pub refund_pending: bool,
    /// Refunded or being refunded.
    pub refunded: Fen,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Delivery state.
    pub fulfilment: Fulfilment,
}

/// A line of an order, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// The order's row id.
    pub order_id: i32,
    /// Product id.
    pub product_id: i32,
    /// Product name when ordered.
    pub name: String,
    /// Unit price when ordered.
    pub unit: Fen,
    /// Units.
    pub quantity: i32,
    /// The SKU bought (none on lines placed before SKUs).
    pub sku_id: Option<i32>,
    /// Its size when ordered.
    pub size: Option<String>,
    /// Its colour when ordered, if the product had several.
    pub colour: Option<String>,
    /// Its stock code when ordered.
    pub code: Option<String>,
    /// The product's image when ordered.
    pub img: Option<String>,
}

/// A refund as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// The order's row id.
    pub order_id: i32,
    /// Our refund number.
    pub out_refund_no: String,
    /// Amount.
    pub amount: Fen,
    /// Where it stands.
    pub state: RefundState,
}

/// An order to create.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    /// Generated order number.
    pub out_trade_no: &'a str,
    /// Generated nonce.
    pub nonce_str: &'a str,
    /// Merchant app id.
    pub appid: &'a str,
    /// Merchant id.
    pub mch_id: &'a str,
    /// Owner.
    pub user_id: i32,
    /// Client IP, for WeChat.
    pub client_ip: &'a str,
    /// The lines.
    pub items: &'a OrderItems,
    /// Unpaid orders close then.
    pub expires_at: DateTime<Utc>,
    /// Where it ships, when the buyer chose an address already.
    pub address: Option<&'a DeliveryAddress>,
    /// The lines are the buyer's cart's: they leave the cart with the order.
    pub from_cart: bool,
    /// How it is paid: `NATIVE`, `JSAPI` or `MWEB` (H5), WeChat's words.
    pub trade_type: &'a str,
}

/// What an order was opened at WeChat with, to send it again unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// `NATIVE`, `JSAPI` or `MWEB`.
    pub trade_type: String,
    /// The body text sent.
    pub body: String,
    /// The buyer's address sent.
    pub client_ip: String,
    /// The first product's id (v2 Native's `product_id`).
    pub product_id: i32,
    /// The nonce it was placed with.
    pub nonce_str: String,
}

/// How creating an order ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Created, stock reserved; the body text for WeChat.
    Order(Box<OrderRecord>, String),
    /// No such product.
    UnknownProduct(Id<Product>),
    /// A line names no SKU it may buy.
    BadLine(LineError),
    /// Not enough stock of this SKU.
    OutOfStock(Id<Sku>),
    /// The lines cannot be priced (a total too large, a product without price).
    Unpriceable(PricingError),
    /// Ordered from the cart, whose lines another order took meanwhile.
    CartChanged,
}

/// Facts of a payment, from a verified notification, an order query or the bill.
#[derive(Debug, Clone)]
pub struct Payment<'a> {
    /// Our order number.
    pub out_trade_no: &'a str,
    /// WeChat's transaction id.
    pub transaction_id: &'a str,
    /// Amount WeChat says was ordered.
    pub total: Fen,
    /// Paying bank.
    pub bank_type: Option<&'a str>,
    /// WeChat's payment time string.
    pub time_end: Option<&'a str>,
    /// Cash paid.
    pub cash: Option<Fen>,
    /// Payer.
    pub openid: Option<&'a str>,
    /// Who told us.
    pub source: PaymentSource,
}

/// What recording a payment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Unpaid became paid, now.
    Paid,
    /// Already recorded (a duplicate notification): nothing changed.
    AlreadyPaid,
    /// The order had been closed: the payment is recorded and flagged for refund.
    PaidAfterClose,
    /// No such order.
    UnknownOrder,
    /// The amount differs from the order's.
    AmountMismatch,
    /// The order is paid by another transaction.
    OtherTransaction,
}

/// Where orders live while they are placed, paid, closed and refunded.
#[async_trait::async_trait]
pub trait OrderStore: Send + Sync {
    /// Places an order at today's prices and reserves its stock, all or
    /// nothing: no stock is ever taken below zero, whatever runs at once.
    async fn create_order(
        &self,
        new: &NewOrder<'_>,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError>;

    /// Keeps what WeChat answered to the order (its prepay id and QR content).
    async fn set_prepay(
        &self,
        order_id: i32,
        prepay_id: Option<&str>,
        code_url: &str,
    ) -> Result<(), StoreError>;

    /// What the order was opened with (none: no such order).
    async fn opening(&self, order_id: i32) -> Result<Option<Opening>, StoreError>;

    /// The order numbered `out_trade_no`.
    async fn order_by_no(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, StoreError>;

    /// Closes an order still in state `from` (or closing), puts its stock
    /// back and notes `reason`; false when it was not in that state.
    async fn close_order(
        &self,
        order_id: i32,
        from: TradeState,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Claims up to `limit` unpaid orders past their expiry (and claims
    /// older than `stale_before` whose closer died) for closing: each order
    /// is claimed by one caller only.
    async fn claim_expired(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError>;

    /// Gives a claimed order back (WeChat could not close it yet).
    async fn unclaim(&self, order_id: i32) -> Result<(), StoreError>;

    /// Records a payment exactly once, whoever reports it.
    async fn record_payment(
        &self,
        p: &Payment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded, StoreError>;

    /// Reserves a refund of `amount` (never more than is left to refund),
    /// with its audit entry; false when the order cannot give that much.
    async fn reserve_refund(
        &self,
        order_id: i32,
        out_refund_no: &str,
        amount: Fen,
        reason: &str,
        audit: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Applies WeChat's word on a refund once; the refund as it is then
    /// (none: no such refund).
    async fn settle_refund(
        &self,
        out_refund_no: &str,
        event: RefundEvent,
        refund_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundRecord>, StoreError>;
}
