//! Orders and payment routes.

use crate::auth::{AuthUser, OwnerUser};
use crate::client_ip::ClientIp;
use crate::input::Input;
use crate::middleware::path_param;
use crate::openapi::errors as e;
use crate::query::{Query, cursor};
use crate::replies::{
    DataReply, OK, OrderAddress, OrderData, OrderListItem, OrdersReply, PlacedData, RefundData,
};
use crate::{ApiError, AppState};
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use letao_domain::Fen;
use letao_domain::order::{OrderItems, RawLine};
use letao_shop::orders::{NotifyOutcome, RefundRequest};
use letao_shop::payments::Notice;
use serde::Deserialize;
use utoipa::ToSchema;

/// One line as the client sends it: a SKU by `skuId`, or by `size` (and
/// `colour` where the product has several); a product sold in one SKU by
/// `productId` alone.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderItemInput {
    /// A product on sale.
    #[serde(rename = "productId")]
    #[schema(minimum = 1, maximum = 2147483647, example = 1)]
    product_id: i64,
    /// One of the product's active SKUs.
    #[serde(rename = "skuId", default)]
    #[schema(minimum = 1, maximum = 2147483647, example = 3)]
    sku_id: Option<i64>,
    /// A size the product is sold in (without `skuId`).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32, example = "42")]
    size: Option<String>,
    /// With `size`, where the product comes in several colours.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32)]
    colour: Option<String>,
    /// 1 to 99.
    #[schema(minimum = 1, maximum = 99, example = 1)]
    quantity: i64,
}

/// The body of `POST /order`: the server prices it from the database (a
/// client `total_fee` is ignored).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"productId": 1, "size": "42", "quantity": 1}, {"productId": 2, "skuId": 9, "quantity": 2}], "addressId": 1}))]
pub struct OrderInput {
    /// 1 to 20 distinct products.
    #[schema(min_items = 1, max_items = 20, required = true)]
    items: Option<Vec<OrderItemInput>>,
    /// One of the caller's addresses, copied into the order.
    #[serde(rename = "addressId")]
    #[schema(minimum = 1, maximum = 2147483647)]
    address_id: Option<i64>,
    /// Order the cart's available lines (without `items`); they leave the
    /// cart with the order.
    #[serde(rename = "fromCart", default)]
    from_cart: bool,
    /// How the buyer pays: `NATIVE` (default, a QR code), `JSAPI` (inside
    /// WeChat) or `H5` (another phone browser).
    #[serde(rename = "tradeType")]
    #[schema(example = "NATIVE")]
    trade_type: Option<String>,
    /// JSAPI: where the OAuth round trip returns when the buyer's openid
    /// is not known yet (a path on this site; default `/`).
    #[schema(max_length = 512, example = "/")]
    next: Option<String>,
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

/// `POST /order {items:[{productId, skuId?, size?, colour?, quantity}]}`; a
/// client `total_fee` is ignored.
#[utoipa::path(post, path = "/order", tag = "orders", operation_id = "create_order", security(("bearer" = [])),
    request_body(content((OrderInput = "application/json"))),
    responses((status = 200, description = "The order, priced from the database, and its QR code.", body = DataReply<PlacedData>, links(("QueryOrder" = (operation_id = "query", request_body = json!({"out_trade_no": "$response.body#/data/out_trade_no"}))), ("ReceiveOrder" = (operation_id = "receive", parameters(("out_trade_no" = "$response.body#/data/out_trade_no")))), ("SetOrderAddress" = (operation_id = "set_address", parameters(("out_trade_no" = "$response.body#/data/out_trade_no")))), ("AdminOrder" = (operation_id = "admin_order", parameters(("out_trade_no" = "$response.body#/data/out_trade_no")))))),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound),
        (status = 409, response = e::OrderStateOrOpenid), (status = 413, response = e::PayloadTooLarge),
        (status = 502, response = e::PaymentProvider), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    Input(input): Input<OrderInput>,
) -> Result<HttpResponse, ApiError> {
    let items = if input.from_cart {
        if input.items.is_some() {
            return Err(ApiError::invalid("items", "are not sent with fromCart"));
        }
        state.carts.order_lines(user.id).await?
    } else {
        // The original server's clients sent `{body, total_fee}` and let the
        // client set the price; that shape stays refused, with a reason.
        let lines = input.items.ok_or_else(|| {
            ApiError::invalid(
                "items",
                "are required: [{productId, skuId or size, quantity}] (or fromCart: true); \
                 the server prices the order (body and total_fee are not read)",
            )
        })?;
        let raw: Vec<RawLine<'_>> = lines
            .iter()
            .map(|i| RawLine {
                product_id: i.product_id,
                sku_id: i.sku_id,
                size: i.size.as_deref(),
                colour: i.colour.as_deref(),
                quantity: i.quantity,
            })
            .collect();
        OrderItems::from_raw(&raw).map_err(letao_shop::ShopError::from)?
    };
    let address = match input.address_id {
        Some(id) => Some(own_address(&state, user, id).await?),
        None => None,
    };
    let with = match crate::routes::phone_pay::pay_with(
        &state,
        user,
        input.trade_type.as_deref(),
        input.next.as_deref(),
    )
    .await?
    {
        Ok(with) => with,
        Err(needs_openid) => return Ok(needs_openid),
    };
    let placed = if input.from_cart {
        let orders = &state.orders;
        orders
            .create_from_cart(user.id, &items, address.as_ref(), ip.0, with)
            .await?
    } else {
        state
            .orders
            .create(user.id, &items, address.as_ref(), ip.0, with)
            .await?
    };
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

/// The body of `/queryOrder` and `/closeOrder`.
#[derive(Deserialize, ToSchema)]
pub struct OrderNo {
    /// 1 to 64 letters, digits, `_` or `-`.
    #[schema(
        pattern = "^[A-Za-z0-9_-]{1,64}$",
        example = "LT20261130123456aB3dE5fG7hJ9kL1m"
    )]
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
#[utoipa::path(post, path = "/queryOrder", tag = "orders", security(("bearer" = [])), request_body(content((OrderNo = "application/json"), (OrderNo = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The order; while unpaid, WeChat is asked and its answer recorded.", body = DataReply<OrderData>),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderNotFound),
        (status = 413, response = e::PayloadTooLarge), (status = 502, response = e::PaymentProvider), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn query(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<OrderNo>,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .desk
        .query(user.id, order_no(&input.out_trade_no)?)
        .await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&order))))
}

/// `POST /closeOrder {out_trade_no}`
#[utoipa::path(post, path = "/closeOrder", tag = "orders", security(("bearer" = [])), request_body(content((OrderNo = "application/json"), (OrderNo = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The closed order (its stock released).", body = DataReply<OrderData>),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderNotFound),
        (status = 409, response = e::OrderState), (status = 413, response = e::PayloadTooLarge),
        (status = 502, response = e::PaymentProvider), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn close(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<OrderNo>,
) -> Result<HttpResponse, ApiError> {
    let order = state
        .desk
        .close(user.id, order_no(&input.out_trade_no)?)
        .await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&order))))
}

/// `GET /orders?page=&pageSize=&after=`: the caller's orders, newest first.
#[utoipa::path(get, path = "/orders", tag = "orders", operation_id = "list_orders", security(("bearer" = [])),
    params(crate::openapi::params::Paging),
    responses((status = 200, description = "One page of the caller's orders, newest first.", body = OrdersReply),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn list(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let paging = Query::from_request(&req)?.paging()?;
    let page = state
        .desk
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

/// The body of `POST /admin/refund`.
#[derive(Deserialize, ToSchema)]
pub struct RefundInput {
    /// A paid order.
    #[schema(
        pattern = "^[A-Za-z0-9_-]{1,64}$",
        example = "LT20261130123456aB3dE5fG7hJ9kL1m"
    )]
    out_trade_no: String,
    /// In fen (integer); the rest of the payment when absent. All refunds
    /// together never exceed the payment.
    #[schema(minimum = 1, example = 50)]
    refund_fee: Option<i64>,
    /// At most 80 characters.
    #[schema(max_length = 80, example = "size")]
    reason: Option<String>,
}

/// `POST /admin/refund {out_trade_no, refund_fee?, reason}` (admins only)
#[utoipa::path(post, path = "/admin/refund", tag = "owner orders", security(("bearer" = [])), request_body(content((RefundInput = "application/json"), (RefundInput = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The refund, recorded and sent to WeChat; its state follows WeChat's answer.", body = DataReply<RefundData>),
        (status = 400, response = e::InvalidInput), (status = 403, response = e::Forbidden),
        (status = 404, response = e::OrderNotFound), (status = 409, response = e::OrderState),
        (status = 413, response = e::PayloadTooLarge), (status = 502, response = e::PaymentProvider), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
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
        .desk
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

/// The body of `PUT /orders/{out_trade_no}/address`.
#[derive(Deserialize, ToSchema)]
pub struct AddressIdInput {
    /// One of the caller's addresses.
    #[serde(rename = "addressId")]
    #[schema(minimum = 1, maximum = 2147483647, example = 1)]
    address_id: i64,
}

/// `PUT /orders/{out_trade_no}/address {addressId}`: until the order ships.
#[utoipa::path(put, path = "/orders/{out_trade_no}/address", tag = "orders", security(("bearer" = [])), request_body(content((AddressIdInput = "application/json"), (AddressIdInput = "application/x-www-form-urlencoded"))),
    params(crate::openapi::params::OrderNoPath),
    responses((status = 200, description = "The order with its new address.", body = DataReply<OrderData>),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderOrObjectNotFound),
        (status = 409, response = e::OrderState), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn set_address(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<AddressIdInput>,
) -> Result<HttpResponse, ApiError> {
    let no = path_param(&req, "out_trade_no").unwrap_or_default();
    let no = order_no(&no)?;
    let address = own_address(&state, user, input.address_id).await?;
    let view = state.desk.set_address(user.id, no, &address).await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(OrderData::from(&view))))
}

/// `POST /orders/{out_trade_no}/receive`: the buyer confirms receipt.
#[utoipa::path(post, path = "/orders/{out_trade_no}/receive", tag = "orders", security(("bearer" = [])),
    params(crate::openapi::params::OrderNoPath),
    responses((status = 200, description = "The received order (receiving again changes nothing).", body = DataReply<OrderData>),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderNotFound),
        (status = 409, response = e::OrderState), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn receive(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let no = path_param(&req, "out_trade_no").unwrap_or_default();
    let view = state.desk.receive(user.id, order_no(&no)?).await?;
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
#[utoipa::path(post, path = "/pay/notify", tag = "payments",
    request_body(content = String, content_type = "text/xml", description = "WeChat Pay's signed XML notification (API v2)."),
    responses(crate::openapi::V2NotifyReplies))]
pub async fn pay_notify(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    v2_reply(state.orders.payment_notification(Notice::body(&body)).await)
}

/// `POST /pay/refund_notify`: WeChat's refund notification.
#[utoipa::path(post, path = "/pay/refund_notify", tag = "payments",
    request_body(content = String, content_type = "text/xml", description = "WeChat Pay's XML refund notification (API v2; `req_info` encrypted with the API key)."),
    responses(crate::openapi::V2NotifyReplies))]
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
#[utoipa::path(post, path = "/pay/v3/notify", tag = "payments",
    params(crate::openapi::params::WechatpayHeaders),
    request_body(content = crate::openapi::V3Notification, description = "WeChat Pay's API v3 notification: verified over the raw body with the `Wechatpay-*` headers, then decrypted."),
    responses(crate::openapi::V3NotifyReplies))]
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
#[utoipa::path(post, path = "/pay/v3/refund_notify", tag = "payments",
    params(crate::openapi::params::WechatpayHeaders),
    request_body(content = crate::openapi::V3Notification, description = "WeChat Pay's API v3 refund notification, checked like a payment notification."),
    responses(crate::openapi::V3NotifyReplies))]
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
