//! Order and payment replies. Money is fen (`total_fee`, `unit_fee`,
//! `refund_fee`), as WeChat counts it. Fields are in byte order, as the
//! first version's JSON maps had them.

use super::rfc3339;
use letao_domain::Fen;
use letao_domain::money::serialize_as_yuan;
use letao_domain::order::{Fulfilment, RefundState, TradeState};
use letao_shop::orders::{OrderView, Placed};
use letao_shop::store::{DeliveryRecord, OrderLine, OrderRecord, RefundRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// The address copied into an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderAddress<'a> {
    /// City.
    pub city: &'a str,
    /// Street and number.
    pub detail: &'a str,
    /// District.
    pub district: &'a str,
    /// Recipient's mobile.
    pub mobile: &'a str,
    /// Recipient.
    pub name: &'a str,
    /// Province.
    pub province: &'a str,
}

impl<'a> OrderAddress<'a> {
    /// The address of a delivery row, when one was set.
    pub fn of(d: &'a DeliveryRecord) -> Option<OrderAddress<'a>> {
        Some(OrderAddress {
            city: d.city.as_deref()?,
            detail: d.detail.as_deref()?,
            district: d.district.as_deref()?,
            mobile: d.mobile.as_deref()?,
            name: d.name.as_deref()?,
            province: d.province.as_deref()?,
        })
    }
}

/// How an order was shipped.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentView<'a> {
    /// Carrier.
    pub carrier: &'a str,
    /// When it shipped.
    #[serde(rename = "shippedAt")]
    pub shipped_at: String,
    /// Tracking number.
    #[serde(rename = "trackingNo")]
    pub tracking_no: &'a str,
}

impl<'a> ShipmentView<'a> {
    /// The shipment of a delivery row, once shipped.
    pub fn of(d: &'a DeliveryRecord) -> Option<ShipmentView<'a>> {
        Some(ShipmentView {
            carrier: d.carrier.as_deref()?,
            shipped_at: rfc3339(d.shipped_at?),
            tracking_no: d.tracking_no.as_deref()?,
        })
    }
}

/// `data` of `POST /order`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code_url": "weixin://wxpay/bizpayurl?pr=Ab3dE5f", "expires_at": "2026-11-30T14:00:00+08:00", "fulfilment": "UNSHIPPED", "nonce_str": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "out_trade_no": "LT20261130123456aB3dE5fG7hJ9kL1m", "payUrl": "data:image/png;base64,iVBORw0KGgo…", "result_code": ["SUCCESS"], "return_code": ["SUCCESS"], "return_msg": ["OK"], "total_fee": 39900, "trade_state": "NOTPAY", "address": {"name": "张三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号"}}))]
pub struct PlacedData<'a> {
    /// Where it ships, when chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<OrderAddress<'a>>,
    /// Native: the QR code's content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_url: Option<&'a str>,
    /// When the unpaid order closes.
    pub expires_at: Option<String>,
    /// Always `UNSHIPPED`.
    #[schema(schema_with = crate::openapi::schemas::fulfilment)]
    pub fulfilment: Fulfilment,
    /// The nonce sent to WeChat.
    pub nonce_str: &'a str,
    /// Order number.
    #[schema(example = "LT20261130123456aB3dE5fG7hJ9kL1m")]
    pub out_trade_no: &'a str,
    /// Native: the QR code as a PNG data URL.
    #[serde(rename = "payUrl", skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<&'a str>,
    /// H5: WeChat's cashier page (valid 5 minutes; append
    /// `&redirect_url=` URL-encoded to come back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h5_url: Option<&'a str>,
    /// JSAPI: what the page hands to `WeixinJSBridge.invoke(
    /// 'getBrandWCPayRequest', jsapi, callback)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jsapi: Option<JsapiView<'a>>,
    /// `NATIVE`, `JSAPI` or `H5`.
    #[serde(rename = "tradeType")]
    #[schema(example = "NATIVE")]
    pub trade_type: &'static str,
    /// The payment's number at WeChat (at most 32 characters).
    #[schema(example = "LT20261130123456aB3dE5fG7hJ9kL1m")]
    pub payment_no: &'a str,
    /// Always `["SUCCESS"]`: the original server's clients check WeChat's
    /// words here as its XML parser gave them, one-element arrays.
    #[schema(value_type = Vec<String>, example = json!(["SUCCESS"]))]
    pub result_code: [&'static str; 1],
    /// Always `["SUCCESS"]` (for the original server's clients).
    #[schema(value_type = Vec<String>, example = json!(["SUCCESS"]))]
    pub return_code: [&'static str; 1],
    /// Always `["OK"]` (for the original server's clients).
    #[schema(value_type = Vec<String>, example = json!(["OK"]))]
    pub return_msg: [&'static str; 1],
    /// Amount in fen, an integer (1 yuan = 100 fen).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub total_fee: i64,
    /// Always `NOTPAY`.
    #[schema(schema_with = crate::openapi::schemas::trade_state)]
    pub trade_state: TradeState,
}

impl<'a> PlacedData<'a> {
    /// The reply for a placed order and the address it was given.
    pub fn new(p: &'a Placed, address: Option<OrderAddress<'a>>) -> Self {
        PlacedData {
            address,
            code_url: p.code_url.as_deref(),
            expires_at: p.order.expires_at.map(rfc3339),
            fulfilment: p.order.fulfilment,
            nonce_str: &p.nonce_str,
            out_trade_no: &p.order.out_trade_no,
            pay_url: p.pay_url.as_deref(),
            h5_url: p.h5_url.as_deref(),
            jsapi: p.jsapi.as_ref().map(JsapiView::from),
            trade_type: p.trade_type.as_str(),
            payment_no: &p.order.out_trade_no,
            result_code: ["SUCCESS"],
            return_code: ["SUCCESS"],
            return_msg: ["OK"],
            total_fee: p.order.total.get(),
            trade_state: p.order.trade_state.public(),
        }
    }
}

/// The parameters of `getBrandWCPayRequest`, signed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsapiView<'a> {
    /// The official account's appid.
    #[serde(rename = "appId")]
    pub app_id: &'a str,
    /// Unix seconds, as a string.
    #[serde(rename = "timeStamp")]
    pub time_stamp: &'a str,
    /// A random string.
    #[serde(rename = "nonceStr")]
    pub nonce_str: &'a str,
    /// `prepay_id=...`.
    pub package: &'a str,
    /// `RSA` (v3), `MD5` or `HMAC-SHA256` (v2).
    #[serde(rename = "signType")]
    pub sign_type: &'a str,
    /// The signature of the other fields.
    #[serde(rename = "paySign")]
    pub pay_sign: &'a str,
}

impl<'a> From<&'a wechat_pay::JsapiParams> for JsapiView<'a> {
    fn from(p: &'a wechat_pay::JsapiParams) -> Self {
        JsapiView {
            app_id: &p.app_id,
            time_stamp: &p.time_stamp,
            nonce_str: &p.nonce_str,
            package: &p.package,
            sign_type: &p.sign_type,
            pay_sign: &p.pay_sign,
        }
    }
}

/// `data` of `/queryOrder`, `/closeOrder`, the order routes, and the base
/// of list items.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"fulfilment": "SHIPPED", "out_trade_no": "LT20261130123456aB3dE5fG7hJ9kL1m", "paid_at": "2026-11-30T12:05:00+08:00", "total_fee": 39900, "trade_state": "SUCCESS", "transaction_id": "4200002012202611301234567890", "address": {"name": "张三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号"}, "shipment": {"carrier": "顺丰", "trackingNo": "SF1234567890", "shippedAt": "2026-11-30T16:00:00+08:00"}}))]
pub struct OrderData<'a> {
    /// Where it ships.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<OrderAddress<'a>>,
    /// Delivery state.
    #[schema(schema_with = crate::openapi::schemas::fulfilment)]
    pub fulfilment: Fulfilment,
    /// Order number.
    #[schema(example = "LT20261130123456aB3dE5fG7hJ9kL1m")]
    pub out_trade_no: &'a str,
    /// When the payment was recorded (with `transaction_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paid_at: Option<Option<String>>,
    /// When it was received.
    #[serde(rename = "receivedAt", skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    /// Paid after it was closed: the money goes back.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub refund_pending: bool,
    /// How it was shipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment: Option<ShipmentView<'a>>,
    /// Amount in fen, an integer (1 yuan = 100 fen).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub total_fee: i64,
    /// Payment state (a claim in progress reads as `NOTPAY`).
    #[schema(schema_with = crate::openapi::schemas::trade_state)]
    pub trade_state: TradeState,
    /// WeChat's transaction id, once paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<&'a str>,
}

impl<'a> OrderData<'a> {
    /// The reply for an order and its delivery row.
    pub fn new(o: &'a OrderRecord, delivery: Option<&'a DeliveryRecord>) -> Self {
        OrderData {
            address: delivery.and_then(OrderAddress::of),
            fulfilment: o.fulfilment,
            out_trade_no: &o.out_trade_no,
            paid_at: o.transaction_id.as_ref().map(|_| o.paid_at.map(rfc3339)),
            received_at: delivery.and_then(|d| d.received_at).map(rfc3339),
            refund_pending: o.refund_pending,
            shipment: delivery.and_then(ShipmentView::of),
            total_fee: o.total.get(),
            trade_state: o.trade_state.public(),
            transaction_id: o.transaction_id.as_deref(),
        }
    }
}

impl<'a> From<&'a OrderView> for OrderData<'a> {
    fn from(v: &'a OrderView) -> Self {
        OrderData::new(&v.order, v.delivery.as_ref())
    }
}

/// `{data, status}` of the order routes.
#[derive(Debug, Serialize, ToSchema)]
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

/// A line of an order, as it was when the order was placed (the SKU
/// fields are `null` on lines placed before sizes were kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct LineView<'a> {
    /// Stock code of the SKU.
    pub code: Option<&'a str>,
    /// Colour, where the product has several.
    pub colour: Option<&'a str>,
    /// Product image.
    pub img: Option<&'a str>,
    /// Product name.
    pub name: &'a str,
    /// Unit price in yuan.
    #[serde(serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub price: Fen,
    /// Product id.
    #[serde(rename = "productId")]
    pub product_id: i32,
    /// Units.
    pub quantity: i32,
    /// Size.
    #[schema(example = "42")]
    pub size: Option<&'a str>,
    /// The SKU bought.
    #[serde(rename = "skuId")]
    pub sku_id: Option<i32>,
    /// Unit price in fen (integer).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub unit_fee: i64,
}

impl<'a> From<&'a OrderLine> for LineView<'a> {
    fn from(l: &'a OrderLine) -> Self {
        LineView {
            code: l.code.as_deref(),
            colour: l.colour.as_deref(),
            img: l.img.as_deref(),
            name: &l.name,
            price: l.unit,
            product_id: l.product_id,
            quantity: l.quantity,
            size: l.size.as_deref(),
            sku_id: l.sku_id,
            unit_fee: l.unit.get(),
        }
    }
}

/// An order in `GET /orders`: its lines and times, then the fields of
/// [`OrderData`].
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderListItem<'a> {
    /// When it was placed.
    pub created_at: String,
    /// When it closes unpaid.
    pub expires_at: Option<String>,
    /// Its lines.
    pub items: Vec<LineView<'a>>,
    /// Number, amount, states, payment and delivery.
    #[serde(flatten)]
    pub order: OrderData<'a>,
}

impl<'a> From<&'a OrderView> for OrderListItem<'a> {
    fn from(v: &'a OrderView) -> Self {
        OrderListItem {
            created_at: rfc3339(v.order.created_at),
            expires_at: v.order.expires_at.map(rfc3339),
            items: v.lines.iter().map(LineView::from).collect(),
            order: OrderData::from(v),
        }
    }
}

/// `GET /orders`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrdersReply<'a> {
    /// The cursor of the next page (`after=`), when this one is full.
    pub next: Option<String>,
    /// One page, newest first.
    pub orders: Vec<OrderListItem<'a>>,
    /// Page number, from 1.
    pub page: u32,
    /// Page size.
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    /// Always 200.
    pub status: u16,
    /// Orders in all pages (counted at most every few seconds).
    pub total: i64,
}

/// `data` of `POST /admin/refund`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundData<'a> {
    /// Our refund number.
    pub out_refund_no: &'a str,
    /// The order.
    #[schema(example = "LT20261130123456aB3dE5fG7hJ9kL1m")]
    pub out_trade_no: &'a str,
    /// Amount in fen, an integer (1 yuan = 100 fen).
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub refund_fee: i64,
    /// Where it stands.
    #[schema(schema_with = crate::openapi::schemas::refund_state)]
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

/// The body of a refused v3 notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct V3Failure {
    /// Always `FAIL`.
    #[schema(example = "FAIL")]
    pub code: &'static str,
    /// Why.
    pub message: &'static str,
}
