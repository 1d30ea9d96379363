//! Replies of the owner's routes and the buyer's address book.

use super::orders::{LineView, OrderAddress, ShipmentView};
use super::rfc3339;
use letao_domain::order::{Fulfilment, RefundState, TradeState};
use letao_shop::orders::{AdminOrder, OrderDetail, OrderView};
use letao_shop::store::{AddressRecord, AuditRecord, BuyerRecord, EventRecord, RefundDetail};
use serde::Serialize;
use utoipa::ToSchema;

/// An address in the buyer's book.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "张三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号", "isDefault": true}))]
pub struct AddressView<'a> {
    /// Id.
    pub id: i32,
    /// Recipient.
    pub name: &'a str,
    /// Recipient's mobile.
    pub mobile: &'a str,
    /// Province.
    pub province: &'a str,
    /// City.
    pub city: &'a str,
    /// District.
    pub district: &'a str,
    /// Street and number.
    pub detail: &'a str,
    /// The default one.
    #[serde(rename = "isDefault")]
    pub is_default: bool,
}

impl<'a> From<&'a AddressRecord> for AddressView<'a> {
    fn from(a: &'a AddressRecord) -> Self {
        AddressView {
            id: a.id,
            name: &a.name,
            mobile: &a.mobile,
            province: &a.province,
            city: &a.city,
            district: &a.district,
            detail: &a.detail,
            is_default: a.is_default,
        }
    }
}

/// `GET /addresses`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressesReply<'a> {
    /// Always 200.
    pub status: u16,
    /// Oldest first.
    pub addresses: Vec<AddressView<'a>>,
}

/// `POST /addresses`, `PUT /addresses/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The stored address.
    pub address: AddressView<'a>,
}

/// A buyer on an owner's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuyerView<'a> {
    /// User id.
    pub id: i32,
    /// Username.
    pub username: Option<&'a str>,
    /// Mobile.
    pub mobile: Option<&'a str>,
}

impl<'a> From<&'a BuyerRecord> for BuyerView<'a> {
    fn from(b: &'a BuyerRecord) -> Self {
        BuyerView {
            id: b.id,
            username: b.username.as_deref(),
            mobile: b.mobile.as_deref(),
        }
    }
}

/// An order as an owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrderView<'a> {
    /// Who bought it.
    pub user: Option<BuyerView<'a>>,
    /// The order.
    #[serde(flatten)]
    pub order: OwnerOrderView<'a>,
}

/// An order as an owner sees it, but for its buyer.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerOrderView<'a> {
    /// Order number.
    #[schema(example = "LT20261130123456aB3dE5fG7hJ9kL1m")]
    pub out_trade_no: &'a str,
    /// Its lines.
    pub items: Vec<LineView<'a>>,
    /// Amount in fen, an integer (1 yuan = 100 fen).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub total_fee: i64,
    /// Payment state.
    #[schema(schema_with = crate::openapi::schemas::trade_state)]
    pub trade_state: TradeState,
    /// Delivery state.
    #[schema(schema_with = crate::openapi::schemas::fulfilment)]
    pub fulfilment: Fulfilment,
    /// Where it ships.
    pub address: Option<OrderAddress<'a>>,
    /// How it shipped.
    pub shipment: Option<ShipmentView<'a>>,
    /// When it was received.
    #[serde(rename = "receivedAt")]
    pub received_at: Option<String>,
    /// Refunded or being refunded, in fen (integer).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub refunded_fee: i64,
    /// Paid after it was closed: to be refunded.
    pub refund_pending: bool,
    /// When it was placed.
    pub created_at: String,
    /// When it was paid.
    pub paid_at: Option<String>,
    /// WeChat's transaction id.
    pub transaction_id: Option<&'a str>,
}

impl<'a> From<&'a AdminOrder> for AdminOrderView<'a> {
    fn from(a: &'a AdminOrder) -> Self {
        AdminOrderView {
            user: a.buyer.as_ref().map(BuyerView::from),
            order: OwnerOrderView::from(&a.view),
        }
    }
}

impl<'a> From<&'a OrderView> for OwnerOrderView<'a> {
    fn from(v: &'a OrderView) -> Self {
        let o = &v.order;
        let d = v.delivery.as_ref();
        OwnerOrderView {
            out_trade_no: &o.out_trade_no,
            items: v.lines.iter().map(LineView::from).collect(),
            total_fee: o.total.get(),
            trade_state: o.trade_state.public(),
            fulfilment: o.fulfilment,
            address: d.and_then(OrderAddress::of),
            shipment: d.and_then(ShipmentView::of),
            received_at: d.and_then(|d| d.received_at).map(rfc3339),
            refunded_fee: o.refunded.get(),
            refund_pending: o.refund_pending,
            created_at: rfc3339(o.created_at),
            paid_at: o.paid_at.map(rfc3339),
            transaction_id: o.transaction_id.as_deref(),
        }
    }
}

/// `GET /admin/orders`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrdersReply<'a> {
    /// Always 200.
    pub status: u16,
    /// One page, newest first.
    pub orders: Vec<AdminOrderView<'a>>,
    /// Page number (1 when paging by cursor).
    pub page: u32,
    /// Page size.
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    /// Matching orders in all pages (counted at most every few seconds).
    pub total: i64,
    /// The cursor of the next page (`after=`), when this one is full.
    pub next: Option<String>,
}

/// A refund in an order's detail.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView<'a> {
    /// Our refund number.
    pub out_refund_no: &'a str,
    /// Amount in fen, an integer (1 yuan = 100 fen).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub refund_fee: i64,
    /// Where it stands.
    #[schema(schema_with = crate::openapi::schemas::refund_state)]
    pub state: RefundState,
    /// Why.
    pub reason: &'a str,
    /// When it was asked for.
    pub created_at: String,
}

impl<'a> From<&'a RefundDetail> for RefundView<'a> {
    fn from(r: &'a RefundDetail) -> Self {
        RefundView {
            out_refund_no: &r.out_refund_no,
            refund_fee: r.amount.get(),
            state: r.state,
            reason: &r.reason,
            created_at: rfc3339(r.created_at),
        }
    }
}

/// An event in an order's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView<'a> {
    /// What changed.
    #[schema(schema_with = crate::openapi::schemas::event_kind)]
    pub kind: letao_domain::order::EventKind,
    /// Details.
    pub detail: &'a str,
    /// When.
    pub at: String,
}

impl<'a> From<&'a EventRecord> for EventView<'a> {
    fn from(e: &'a EventRecord) -> Self {
        EventView {
            kind: e.kind,
            detail: &e.detail,
            at: rfc3339(e.at),
        }
    }
}

/// One order in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDetailView<'a> {
    /// The order as in the list.
    #[serde(flatten)]
    pub order: AdminOrderView<'a>,
    /// Its refunds.
    pub refunds: Vec<RefundView<'a>>,
    /// Its history.
    pub events: Vec<EventView<'a>>,
}

impl<'a> From<&'a OrderDetail> for OrderDetailView<'a> {
    fn from(d: &'a OrderDetail) -> Self {
        OrderDetailView {
            order: AdminOrderView::from(&d.order),
            refunds: d.refunds.iter().map(RefundView::from).collect(),
            events: d.events.iter().map(EventView::from).collect(),
        }
    }
}

/// `GET /admin/orders/{no}` and the ship reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDetailReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The order.
    pub order: OrderDetailView<'a>,
}

/// Who made an audited change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView<'a> {
    /// User id (none: the command line).
    pub id: Option<i32>,
    /// Username then.
    pub username: Option<&'a str>,
}

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView<'a> {
    /// Id.
    pub id: i64,
    /// When.
    pub at: String,
    /// Who.
    pub actor: ActorView<'a>,
    /// What.
    #[schema(schema_with = crate::openapi::schemas::audit_action)]
    pub action: letao_domain::AuditAction,
    /// On what.
    pub target: &'a str,
    /// Before/after.
    #[schema(schema_with = crate::openapi::schemas::any_json)]
    pub detail: &'a serde_json::value::RawValue,
}

impl<'a> AuditView<'a> {
    /// The view of an entry; a detail that is not JSON shows as a string.
    pub fn of(e: &'a AuditRecord, fallback: &'a serde_json::value::RawValue) -> Self {
        AuditView {
            id: e.id,
            at: rfc3339(e.at),
            actor: ActorView {
                id: e.actor_id,
                username: e.actor_name.as_deref(),
            },
            action: e.action,
            target: &e.target,
            detail: serde_json::from_str(&e.detail).unwrap_or(fallback),
        }
    }
}

/// `GET /admin/audit`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditReply<'a> {
    /// Always 200.
    pub status: u16,
    /// Newest first.
    pub entries: Vec<AuditView<'a>>,
    /// Page number (1 when paging by cursor).
    pub page: u32,
    /// Page size.
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    /// Entries in all pages.
    pub total: i64,
    /// The cursor of the next page (`after=`), when this one is full.
    pub next: Option<String>,
}

/// A day's reconciliation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationView<'a> {
    /// The day, `YYYY-MM-DD` (China time).
    pub date: String,
    /// `done`, or `waiting`/`running`/`failed` while the daily job works on it.
    #[schema(schema_with = crate::openapi::schemas::reconcile_state)]
    pub state: letao_domain::reconciliation::ReconcileState,
    /// Bill rows matched (payments recorded from the bill included).
    pub matched: i32,
    /// Payments and refund outcomes recorded from the bill.
    pub recovered: i32,
    /// Rows in the bill.
    pub bill_rows: i32,
    /// What a person must look at.
    #[schema(value_type = Vec<crate::openapi::DifferenceDoc>)]
    pub differences: &'a [letao_shop::reconcile::Difference],
    /// Why it is not done (waiting or failed).
    pub error: Option<&'a str>,
}

impl<'a> From<&'a letao_shop::reconcile::Report> for ReconciliationView<'a> {
    fn from(r: &'a letao_shop::reconcile::Report) -> Self {
        ReconciliationView {
            date: r.date.to_string(),
            state: r.state,
            matched: r.matched,
            recovered: r.recovered,
            bill_rows: r.bill_rows,
            differences: &r.differences,
            error: r.error.as_deref(),
        }
    }
}

/// `GET /admin/reconciliations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The day's report.
    pub reconciliation: ReconciliationView<'a>,
}
