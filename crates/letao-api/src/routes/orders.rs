//! Orders and payment routes.

use crate::auth::{AdminUser, AuthUser};
use crate::client_ip::ClientIp;
use crate::input::Input;
use crate::orders::{CreateOrder, OrderItemInput, RefundRequest, query::public_state};
use crate::query::Query;
use crate::views::OK;
use crate::{ApiError, AppState};
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use letao_db::{OrderLine, OrderRecord};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| {
        Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    })
}

fn order_data(o: &OrderRecord) -> Value {
    let mut data = json!({
        "out_trade_no": o.out_trade_no,
        "trade_state": public_state(o),
        "total_fee": o.total_fen,
    });
    if let Some(tx) = &o.transaction_id {
        data["transaction_id"] = json!(tx);
        data["paid_at"] = time(o.paid_at);
    }
    if o.refund_pending {
        data["refund_pending"] = json!(true);
    }
    data
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
    let request = CreateOrder::new(&input.items)?;
    let placed = state
        .orders
        .create(&state.db, user.id, request, ip.0)
        .await?;
    let o = &placed.order;
    Ok(HttpResponse::Ok().json(json!({
        "status": OK,
        "data": {
            "out_trade_no": o.out_trade_no,
            "nonce_str": o.nonce_str,
            "code_url": placed.code_url,
            "payUrl": placed.pay_url,
            "total_fee": o.total_fen,
            "trade_state": "NOTPAY",
            "expires_at": time(o.expires_at),
        }
    })))
}

#[derive(Deserialize)]
pub struct OrderNo {
    out_trade_no: String,
}

fn order_no(input: &OrderNo) -> Result<&str, ApiError> {
    let no = input.out_trade_no.as_str();
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
        .query(&state.db, user.id, order_no(&input)?)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": OK, "data": order_data(&order) })))
}

/// `POST /closeOrder {out_trade_no}`
pub async fn close(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<OrderNo>,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .orders
        .close(&state.db, user.id, order_no(&input)?)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": OK, "data": order_data(&order) })))
}

/// `GET /orders?page=&pageSize=`: the caller's orders, newest first.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let page = q.positive_u32("page", 1)?;
    let page_size = q.positive_u32("pageSize", 20)?.min(100);
    let (orders, total) = state.db.orders_of(user.id, page, page_size).await?;
    let ids: Vec<i32> = orders.iter().map(|o| o.id).collect();
    let mut lines: HashMap<i32, Vec<OrderLine>> = HashMap::new();
    for (order_id, line) in state.db.order_lines(&ids).await? {
        lines.entry(order_id).or_default().push(line);
    }
    let list: Vec<Value> = orders
        .iter()
        .map(|o| {
            let mut v = order_data(o);
            v["created_at"] = time(Some(o.created_at));
            v["expires_at"] = time(o.expires_at);
            v["items"] = lines
                .get(&o.id)
                .map(|ls| {
                    ls.iter()
                        .map(|l| json!({"productId": l.product_id, "name": l.name, "unit_fee": l.unit_fen, "quantity": l.quantity}))
                        .collect()
                })
                .unwrap_or_else(|| json!([]));
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "status": OK, "orders": list, "page": page, "pageSize": page_size, "total": total })))
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
    let no = order_no(&OrderNo {
        out_trade_no: input.out_trade_no.clone(),
    })?
    .to_owned();
    let reason = input.reason.unwrap_or_default();
    if reason.chars().count() > 80 {
        return Err(ApiError::invalid("reason", "must be at most 80 characters"));
    }
    let record = state
        .orders
        .refund(
            &state.db,
            RefundRequest {
                out_trade_no: no.clone(),
                refund_fen: input.refund_fee,
                reason,
            },
        )
        .await?;
    tracing::info!(admin = admin.0.id, out_trade_no = %no, out_refund_no = %record.out_refund_no, "refund requested");
    Ok(HttpResponse::Ok().json(json!({
        "status": OK,
        "data": {
            "out_trade_no": no,
            "out_refund_no": record.out_refund_no,
            "refund_fee": record.refund_fen,
            "refund_state": record.state,
        }
    })))
}

fn xml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::xml())
        .body(body)
}

/// `POST /pay/notify`: WeChat's payment notification.
pub async fn pay_notify(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    xml(state.orders.payment_notification(&state.db, &body).await)
}

/// `POST /pay/refund_notify`: WeChat's refund notification.
pub async fn refund_notify(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    xml(state.orders.refund_notification(&state.db, &body).await)
}
