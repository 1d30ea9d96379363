//! Orders and payment routes.

use crate::auth::{AuthUser, OwnerUser};
use crate::client_ip::ClientIp;
use crate::input::Input;
use crate::middleware::path_param;
use crate::query::{Query, cursor};
use crate::replies::{
    DataReply, OK, OrderAddress, OrderData, OrderListItem, OrdersReply, PlacedData, RefundData,
};
use crate::{ApiError, AppState};
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use letao_domain::Fen;
use letao_domain::order::OrderItems;
use letao_shop::orders::{NotifyOutcome, RefundRequest};
use letao_shop::payments::Notice;
use serde::Deserialize;

/// One line as the client sends it.
#[derive(Debug, Deserialize)]
pub struct OrderItemInput {
    #[serde(rename = "productId")]
    product_id: i64,
    quantity: i64,
}

#[derive(Deserialize)]
pub struct OrderInput {
    items: Vec<OrderItemInput>,
    #[serde(rename = "addressId")]
    address_id: Option<i64>,
}

/// One of the caller's addresses by the id a body gave (404 when not theirs).
async fn own_address(
    state: &AppState,
    user: AuthUser,
    id: i64,
) -> Result<letao_domain::DeliveryAddress, ApiError> {
    let id = i32::try_from(id)
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid("addressId", "must be a positive integer"))?;
    Ok(state.addresses.get(user.id, id).await?)
}

/// `POST /order {items:[{productId, quantity}]}`; a client `total_fee` is ignored.
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    Input(input): Input<OrderInput>,
) -> Result<HttpResponse, ApiError> {
    let raw: Vec<(i64, i64)> = input
        .items
        .iter()
        .map(|i| (i.product_id, i.quantity))
        .collect();
    let items = OrderItems::new(&raw).map_err(letao_shop::ShopError::from)?;
    let address = match input.address_id {
        Some(id) => Some(own_address(&state, user, id).await?),
        None => None,
    };
    let placed = state
        .orders
        .create(user.id, &items, address.as_ref(), ip.0)
        .await?;
    let shown = address.as_ref().map(|a| OrderAddress {
        city: &a.city,
        detail: &a.detail,
        district: &a.district,
        mobile: a.mobile.as_str(),
        name: &a.name,
        province: &a.province,
    });
    Ok(HttpResponse::Ok().json(DataReply::ok(PlacedData::new(&placed, shown))))
}

#[derive(Deserialize)]
pub struct OrderNo {
    out_trade_no: String,
}

/// An order number as clients may send one: 1 to 64 letters, digits, `_` or `-`.
pub(crate) fn order_no(no: &str) -> Result<&str, ApiError> {
    let plain = !no.is_empty()
        && no.len() <= 64
        && no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        Ok(no)
    } else {
        Err(ApiError::invalid(
            "out_trade_no",
            "must be 1 to 64 letters, digits, _ or -",
        ))
    }
}

/// `POST /queryOrder {out_trade_no}`
pub async fn query(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<OrderNo>,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .orders
        .query(user.id, order_no(&input.out_trade_no)?)
        .await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&order))))
}

/// `POST /closeOrder {out_trade_no}`
pub async fn close(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<OrderNo>,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .orders
        .close(user.id, order_no(&input.out_trade_no)?)
        .await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&order))))
}

/// `GET /orders?page=&pageSize=&after=`: the caller's orders, newest first.
pub async fn list(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let paging = Query::from_request(&req)?.paging()?;
    let page = state
        .orders
        .list(user.id, paging.start, paging.limit())
        .await?;
    Ok(HttpResponse::Ok().json(OrdersReply {
        next: cursor(page.next),
        orders: page.items.iter().map(OrderListItem::from).collect(),
        page: paging.page,
        page_size: paging.size,
        status: OK,
        total: page.total,
    }))
}

#[derive(Deserialize)]
pub struct RefundInput {
    out_trade_no: String,
    refund_fee: Option<i64>,
    reason: Option<String>,
}

/// `POST /admin/refund {out_trade_no, refund_fee?, reason}` (admins only)
pub async fn refund(
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<RefundInput>,
) -> Result<HttpResponse, ApiError> {
    let no = order_no(&input.out_trade_no)?.to_owned();
    let reason = input.reason.unwrap_or_default();
    if reason.chars().count() > 80 {
        return Err(ApiError::invalid("reason", "must be at most 80 characters"));
    }
    let record = state
        .orders
        .refund(
            &owner.0,
            RefundRequest {
                out_trade_no: no.clone(),
                amount: input.refund_fee.map(Fen::new),
                reason,
            },
        )
        .await?;
    tracing::info!(owner = owner.0.id, out_trade_no = %no, out_refund_no = %record.out_refund_no, "refund requested");
    Ok(HttpResponse::Ok().json(DataReply::ok(RefundData::new(&no, &record))))
}

#[derive(Deserialize)]
pub struct AddressIdInput {
    #[serde(rename = "addressId")]
    address_id: i64,
}

/// `PUT /orders/{out_trade_no}/address {addressId}`: until the order ships.
pub async fn set_address(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<AddressIdInput>,
) -> Result<HttpResponse, ApiError> {
    let no = path_param(&req, "out_trade_no").unwrap_or_default();
    let no = order_no(&no)?;
    let address = own_address(&state, user, input.address_id).await?;
    let view = state.orders.set_address(user.id, no, &address).await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&view))))
}

/// `POST /orders/{out_trade_no}/receive`: the buyer confirms receipt.
pub async fn receive(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let no = path_param(&req, "out_trade_no").unwrap_or_default();
    let view = state.orders.receive(user.id, order_no(&no)?).await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&view))))
}

/// WeChat API v2's answer to a notification: XML, `SUCCESS` or `FAIL`.
fn v2_reply(outcome: NotifyOutcome) -> HttpResponse {
    let body = match outcome {
        NotifyOutcome::Ack => wechat_pay::success_reply(),
        NotifyOutcome::Refuse(why) => wechat_pay::fail_reply(why.as_str()),
    };
    HttpResponse::Ok()
        .content_type(ContentType::xml())
        .body(body)
}

/// `POST /pay/notify`: WeChat's payment notification.
pub async fn pay_notify(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    v2_reply(state.orders.payment_notification(Notice::body(&body)).await)
}

/// `POST /pay/refund_notify`: WeChat's refund notification.
pub async fn refund_notify(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    v2_reply(state.orders.refund_notification(Notice::body(&body)).await)
}

/// WeChat API v3's answer to a notification: 204 with no body when stored;
/// otherwise `{"code":"FAIL","message"}` with 400 (the message is at fault)
/// or 500 (we are: send it again), so WeChat retries.
fn v3_reply(outcome: NotifyOutcome) -> HttpResponse {
    match outcome {
        NotifyOutcome::Ack => HttpResponse::NoContent().finish(),
        NotifyOutcome::Refuse(why) => {
            let mut reply = if why.is_ours() {
                HttpResponse::InternalServerError()
            } else {
                HttpResponse::BadRequest()
            };
            reply.json(crate::replies::V3Failure {
                code: "FAIL",
                message: why.as_str(),
            })
        }
    }
}

/// The `Wechatpay-*` headers and body of a v3 notification.
fn v3_notice<'a>(req: &'a actix_web::HttpRequest, body: &'a [u8]) -> Notice<'a> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    Notice {
        body,
        timestamp: header("wechatpay-timestamp"),
        nonce: header("wechatpay-nonce"),
        signature: header("wechatpay-signature"),
        serial: header("wechatpay-serial"),
    }
}

/// `POST /pay/v3/notify`: WeChat's v3 payment notification.
pub async fn pay_notify_v3(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    v3_reply(
        state
            .orders
            .payment_notification(v3_notice(&req, &body))
            .await,
    )
}

/// `POST /pay/v3/refund_notify`: WeChat's v3 refund notification.
pub async fn refund_notify_v3(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    v3_reply(
        state
            .orders
            .refund_notification(v3_notice(&req, &body))
            .await,
    )
}
