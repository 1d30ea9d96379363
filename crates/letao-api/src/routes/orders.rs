//! Orders and payment routes.

use crate::auth::{AdminUser, AuthUser};
use crate::client_ip::ClientIp;
use crate::input::Input;
use crate::query::Query;
use crate::replies::{
    DataReply, OK, OrderData, OrderListItem, OrdersReply, PlacedData, RefundData,
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
    let placed = state.orders.create(user.id, &items, ip.0).await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(PlacedData::from(&placed))))
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

/// `GET /orders?page=&pageSize=`: the caller's orders, newest first.
pub async fn list(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let page = q.positive_u32("page", 1)?;
    let page_size = q.positive_u32("pageSize", 20)?.min(100);
    let (orders, total) = state.orders.list(user.id, page, page_size).await?;
    Ok(HttpResponse::Ok().json(OrdersReply {
        orders: orders.iter().map(OrderListItem::from).collect(),
        page,
        page_size,
        status: OK,
        total,
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
    admin: AdminUser,
    Input(input): Input<RefundInput>,
) -> Result<HttpResponse, ApiError> {
    let no = order_no(&input.out_trade_no)?.to_owned();
    let reason = input.reason.unwrap_or_default();
    if reason.chars().count() > 80 {
        return Err(ApiError::invalid("reason", "must be at most 80 characters"));
    }
    let record = state
        .orders
        .refund(RefundRequest {
            out_trade_no: no.clone(),
            amount: input.refund_fee.map(Fen::new),
            reason,
        })
        .await?;
    tracing::info!(admin = admin.0.id, out_trade_no = %no, out_refund_no = %record.out_refund_no, "refund requested");
    Ok(HttpResponse::Ok().json(DataReply::ok(RefundData::new(&no, &record))))
}

/// WeChat API v2's answer to a notification: XML, `SUCCESS` or `FAIL`.
fn v2_reply(outcome: NotifyOutcome) -> HttpResponse {
    let body = match outcome {
        NotifyOutcome::Ack => wechat_pay::success_reply(),
        NotifyOutcome::Refuse(why) => wechat_pay::fail_reply(why),
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
