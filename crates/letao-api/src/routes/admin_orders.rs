//! The owner's order routes: `/admin/orders`, one order, shipping, the
//! audit log.

use crate::auth::OwnerUser;
use crate::input::Input;
use crate::middleware::path_param;
use crate::openapi::errors as e;
use crate::query::{Query, cursor};
use crate::replies::{
    AdminOrderView, AdminOrdersReply, AuditReply, AuditView, OK, OrderDetailReply, OrderDetailView,
    ReconciliationReply, ReconciliationView,
};
use crate::routes::orders::order_no;
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_domain::order::{Fulfilment, TradeState};
use letao_shop::orders::OrderQuery;
use letao_shop::store::Shipment;
use serde::Deserialize;
use std::sync::LazyLock;
use utoipa::ToSchema;

/// The values the list's filters take, for their 400 messages: the same
/// lists `/openapi.json` publishes (`openapi::schemas`), so the parsers,
/// the messages and the document cannot disagree.
static TRADE_STATE_CHOICES: LazyLock<String> =
    LazyLock::new(|| choices(TradeState::public_states().map(TradeState::as_str)));
static FULFILMENT_CHOICES: LazyLock<String> =
    LazyLock::new(|| choices(Fulfilment::ALL.iter().map(|s| s.as_str())));

fn choices<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

/// The filters of the owner's order list.
pub(crate) fn order_query(q: &Query) -> Result<OrderQuery, ApiError> {
    Ok(OrderQuery {
        trade_state: q.state(
            "trade_state",
            TradeState::parse_public,
            &TRADE_STATE_CHOICES,
        )?,
        fulfilment: q.state("fulfilment", Fulfilment::parse, &FULFILMENT_CHOICES)?,
        q: q.text("q", 64)?,
    })
}

/// `GET /admin/orders?trade_state=&fulfilment=&q=&page=&pageSize=&after=`
#[utoipa::path(get, path = "/admin/orders", tag = "owner orders", operation_id = "admin_orders", security(("bearer" = [])),
    params(crate::openapi::params::OrderFilter, crate::openapi::params::Paging),
    responses((status = 200, description = "One page of every buyer's orders, newest first (staff and admin).", body = AdminOrdersReply),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let paging = q.paging()?;
    let query = order_query(&q)?;
    let page = state
        .desk
        .admin_list(&owner.0, &query, paging.start, paging.limit())
        .await?;
    Ok(HttpResponse::Ok().json(AdminOrdersReply {
        status: OK,
        orders: page.items.iter().map(AdminOrderView::from).collect(),
        page: paging.page,
        page_size: paging.size,
        total: page.total,
        next: cursor(page.next),
    }))
}

/// The order number of the path, as the client wrote it.
fn path_order_no(req: &HttpRequest) -> Result<String, ApiError> {
    let no = path_param(req, "out_trade_no").unwrap_or_default();
    Ok(order_no(&no)?.to_owned())
}

/// `GET /admin/orders/{out_trade_no}`
#[utoipa::path(get, path = "/admin/orders/{out_trade_no}", tag = "owner orders", operation_id = "admin_order", security(("bearer" = [])),
    params(crate::openapi::params::OrderNoPath),
    responses((status = 200, description = "The order with its refunds and history (staff and admin).", body = OrderDetailReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderNotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let no = path_order_no(&req)?;
    let detail = state.desk.admin_detail(&owner.0, &no).await?;
    Ok(HttpResponse::Ok().json(OrderDetailReply {
        status: OK,
        order: OrderDetailView::from(&detail),
    }))
}

/// The body of `POST /admin/orders/{out_trade_no}/ship`.
#[derive(Deserialize, ToSchema)]
pub struct ShipInput {
    /// 1 to 32 characters.
    #[schema(min_length = 1, max_length = 32, example = "顺丰")]
    carrier: String,
    /// 1 to 64 letters, digits or `-`.
    #[serde(rename = "trackingNo")]
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$", example = "SF1234567890")]
    tracking_no: String,
}

fn shipment(input: ShipInput) -> Result<Shipment, ApiError> {
    let carrier = input.carrier.trim();
    if carrier.is_empty() || carrier.chars().count() > 32 || carrier.chars().any(char::is_control) {
        return Err(ApiError::invalid("carrier", "must be 1 to 32 characters"));
    }
    let tracking = input.tracking_no.trim();
    let plain = tracking
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if tracking.is_empty() || tracking.len() > 64 || !plain {
        return Err(ApiError::invalid(
            "trackingNo",
            "must be 1 to 64 letters, digits or -",
        ));
    }
    Ok(Shipment {
        carrier: carrier.to_owned(),
        tracking_no: tracking.to_owned(),
    })
}

/// `POST /admin/orders/{out_trade_no}/ship {carrier, trackingNo}` (staff and admin)
#[utoipa::path(post, path = "/admin/orders/{out_trade_no}/ship", tag = "owner orders", security(("bearer" = [])), request_body(content((ShipInput = "application/json"), (ShipInput = "application/x-www-form-urlencoded"))),
    params(crate::openapi::params::OrderNoPath),
    responses((status = 200, description = "The shipped order (the same shipment again changes nothing).", body = OrderDetailReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderNotFound),
        (status = 409, response = e::OrderState), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn ship(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<ShipInput>,
) -> Result<HttpResponse, ApiError> {
    let no = path_order_no(&req)?;
    let shipment = shipment(input)?;
    let detail = state.desk.ship(&owner.0, &no, shipment).await?;
    Ok(HttpResponse::Ok().json(OrderDetailReply {
        status: OK,
        order: OrderDetailView::from(&detail),
    }))
}

/// `GET /admin/audit?page=&pageSize=&after=` (admin)
#[utoipa::path(get, path = "/admin/audit", tag = "owner orders", security(("bearer" = [])),
    params(crate::openapi::params::Paging),
    responses((status = 200, description = "One page of the audit log, newest first (admin).", body = AuditReply),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let paging = Query::from_request(&req)?.paging()?;
    let page = state
        .owners
        .audit(&owner.0, paging.start, paging.limit())
        .await?;
    let fallback = serde_json::value::RawValue::from_string("null".to_owned())
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok().json(AuditReply {
        status: OK,
        entries: page
            .items
            .iter()
            .map(|e| AuditView::of(e, &fallback))
            .collect(),
        page: paging.page,
        page_size: paging.size,
        total: page.total,
        next: cursor(page.next),
    }))
}

/// `GET /admin/reconciliations?date=YYYY-MM-DD` (admin; default: yesterday)
#[utoipa::path(get, path = "/admin/reconciliations", tag = "owner orders", security(("bearer" = [])),
    params(("date" = Option<String>, Query, format = Date, example = "2026-11-30", description = "A China day; yesterday when absent.")),
    responses((status = 200, description = "The day's reconciliation with WeChat's bill (admin).", body = ReconciliationReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn reconciliation(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    owner
        .0
        .require(letao_domain::Permission::ReadReconciliation)
        .map_err(ApiError::from)?;
    let q = Query::from_request(&req)?;
    let date = match q.text("date", 10)? {
        Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("date", "must be a day like 2026-11-30"))?,
        None => letao_shop::reconcile::china_today(chrono::Utc::now())
            .pred_opt()
            .ok_or_else(|| ApiError::invalid("date", "out of range"))?,
    };
    let report = state
        .reconciler
        .reconciliation(date)
        .await?
        .ok_or(ApiError::Missing("reconciliation for that date"))?;
    Ok(HttpResponse::Ok().json(ReconciliationReply {
        status: OK,
        reconciliation: ReconciliationView::from(&report),
    }))
}
