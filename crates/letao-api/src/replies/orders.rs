//! Order and payment replies. Money is fen (`total_fee`, `unit_fee`,
//! `refund_fee`), as WeChat counts it.

use super::rfc3339;
use letao_db::{OrderLine, OrderRecord, RefundRecord};
use letao_domain::order::{RefundState, TradeState};
use letao_shop::orders::{OrderWithLines, Placed};
use serde::Serialize;

/// `data` of `POST /order`.
#[derive(Debug, Serialize)]
pub struct PlacedData<'a> {
    /// The QR code's content.
    pub code_url: &'a str,
    /// When the unpaid order closes.
    pub expires_at: Option<String>,
    /// The nonce sent to WeChat.
    pub nonce_str: &'a str,
    /// Order number.
    pub out_trade_no: &'a str,
    /// The QR code as a PNG data URL.
    #[serde(rename = "payUrl")]
    pub pay_url: &'a str,
    /// Amount, fen.
    pub total_fee: i64,
    /// Always `NOTPAY`.
    pub trade_state: TradeState,
}

impl<'a> From<&'a Placed> for PlacedData<'a> {
    fn from(p: &'a Placed) -> Self {
        PlacedData {
            code_url: &p.code_url,
            expires_at: p.order.expires_at.map(rfc3339),
            nonce_str: &p.order.nonce_str,
            out_trade_no: &p.order.out_trade_no,
            pay_url: &p.pay_url,
            total_fee: p.order.total.get(),
            trade_state: p.order.trade_state.public(),
        }
    }
}

/// `data` of `/queryOrder` and `/closeOrder`.
#[derive(Debug, Serialize)]
pub struct OrderData<'a> {
    /// Order number.
    pub out_trade_no: &'a str,
    /// When the payment was recorded (with `transaction_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<Option<String>>,
    /// Paid after it was closed: the money goes back.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refund_pending: bool,
    /// Amount, fen.
    pub total_fee: i64,
    /// Payment state (a claim in progress reads as `NOTPAY`).
    pub trade_state: TradeState,
    /// WeChat's transaction id, once paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<&'a str>,
}

impl<'a> From<&'a OrderRecord> for OrderData<'a> {
    fn from(o: &'a OrderRecord) -> Self {
        OrderData {
            out_trade_no: &o.out_trade_no,
            paid_at: o.transaction_id.as_ref().map(|_| o.paid_at.map(rfc3339)),
            refund_pending: o.refund_pending,
            total_fee: o.total.get(),
            trade_state: o.trade_state.public(),
            transaction_id: o.transaction_id.as_deref(),
        }
    }
}

/// `{data, status}` of the order routes.
#[derive(Debug, Serialize)]
pub struct DataReply<T> {
    /// The payload.
    pub data: T,
    /// Always 200.
    pub status: u16,
}

impl<T> DataReply<T> {
    /// A 200 reply carrying `data`.
    pub const fn ok(data: T) -> DataReply<T> {
        DataReply {
            data,
            status: super::OK,
        }
    }
}

/// A line in `GET /orders`.
#[derive(Debug, Serialize)]
pub struct LineView<'a> {
    /// Product name when ordered.
    pub name: &'a str,
    /// Product id.
    #[serde(rename = "productId")]
    pub product_id: i32,
    /// Units.
    pub quantity: i32,
    /// Unit price when ordered, fen.
    pub unit_fee: i64,
}

impl<'a> From<&'a OrderLine> for LineView<'a> {
    fn from(l: &'a OrderLine) -> Self {
        LineView {
            name: &l.name,
            product_id: l.product_id,
            quantity: l.quantity,
            unit_fee: l.unit.get(),
        }
    }
}

/// An order in `GET /orders`: its lines and times, then the fields of
/// [`OrderData`] (which sort after these, so the bytes are as before).
#[derive(Debug, Serialize)]
pub struct OrderListItem<'a> {
    /// When it was placed.
    pub created_at: String,
    /// When it closes unpaid.
    pub expires_at: Option<String>,
    /// Its lines.
    pub items: Vec<LineView<'a>>,
    /// Number, amount, state and payment.
    #[serde(flatten)]
    pub order: OrderData<'a>,
}

impl<'a> From<&'a OrderWithLines> for OrderListItem<'a> {
    fn from(o: &'a OrderWithLines) -> Self {
        OrderListItem {
            created_at: rfc3339(o.order.created_at),
            expires_at: o.order.expires_at.map(rfc3339),
            items: o.lines.iter().map(LineView::from).collect(),
            order: OrderData::from(&o.order),
        }
    }
}

/// `GET /orders`.
#[derive(Debug, Serialize)]
pub struct OrdersReply<'a> {
    /// One page, newest first.
    pub orders: Vec<OrderListItem<'a>>,
    /// Page number, from 1.
    pub page: u32,
    /// Page size.
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    /// Always 200.
    pub status: u16,
    /// Orders in all pages.
    pub total: i64,
}

/// `data` of `POST /admin/refund`.
#[derive(Debug, Serialize)]
pub struct RefundData<'a> {
    /// Our refund number.
    pub out_refund_no: &'a str,
    /// The order.
    pub out_trade_no: &'a str,
    /// Amount, fen.
    pub refund_fee: i64,
    /// Where it stands.
    pub refund_state: RefundState,
}

impl<'a> RefundData<'a> {
    /// The reply for a refund of order `out_trade_no`.
    pub fn new(out_trade_no: &'a str, r: &'a RefundRecord) -> Self {
        RefundData {
            out_refund_no: &r.out_refund_no,
            out_trade_no,
            refund_fee: r.amount.get(),
            refund_state: r.state,
        }
    }
}
