//! The owner's order routes: `/admin/orders`, one order, shipping, the
//! audit log.

use crate::auth::OwnerUser;
use crate::input::Input;
use crate::middleware::path_param;
use crate::query::{Query, cursor};
use crate::replies::{
    AdminOrderView, AdminOrdersReply, AuditReply, AuditView, OK, OrderDetailReply, OrderDetailView,
    ReconciliationReply, ReconciliationView,
};
use crate::routes::orders::order_no;
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_db::Shipment;
use letao_domain::order::{Fulfilment, TradeState};
use letao_shop::orders::OrderQuery;
use serde::Deserialize;

/// `GET /admin/orders?trade_state=&fulfilment=&q=&page=&pageSize=&after=`
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let paging = q.paging()?;
    let query = OrderQuery {
        trade_state: q.state(
            "trade_state",
            TradeState::parse,
            "NOTPAY, SUCCESS, CLOSED, REFUND",
        )?,
        fulfilment: q.state(
            "fulfilment",
            Fulfilment::parse,
            "UNSHIPPED, SHIPPED, RECEIVED, CANCELLED",
        )?,
        q: q.text("q", 64)?,
    };
    let page = state
        .orders
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
pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let no = path_order_no(&req)?;
    let detail = state.orders.admin_detail(&owner.0, &no).await?;
    Ok(HttpResponse::Ok().json(OrderDetailReply {
        status: OK,
        order: OrderDetailView::from(&detail),
    }))
}

#[derive(Deserialize)]
pub struct ShipInput {
    carrier: String,
    #[serde(rename = "trackingNo")]
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
pub async fn ship(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<ShipInput>,
) -> Result<HttpResponse, ApiError> {
    let no = path_order_no(&req)?;
    let shipment = shipment(input)?;
    let detail = state.orders.ship(&owner.0, &no, shipment).await?;
    Ok(HttpResponse::Ok().json(OrderDetailReply {
        status: OK,
        order: OrderDetailView::from(&detail),
    }))
}

/// `GET /admin/audit?page=&pageSize=&after=` (admin)
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
        .orders
        .reconciliation(date)
        .await?
        .ok_or(ApiError::Missing("reconciliation for that date"))?;
    Ok(HttpResponse::Ok().json(ReconciliationReply {
        status: OK,
        reconciliation: ReconciliationView::from(&report),
    }))
}
