//! The owner's exports for Excel: `/admin/orders.csv` and
//! `/admin/products.csv`. UTF-8 with a byte order mark (without it Excel
//! reads Chinese as another code page), a header row first, amounts in
//! yuan with two decimals, times in China time. Streamed a page at a time,
//! so memory stays flat however many rows there are. A text cell that
//! starts like a formula gets a leading `'` (`cell`): quoting a cell does
//! not stop Excel from evaluating it.

use crate::auth::OwnerUser;
use crate::openapi::errors as e;
use crate::query::Query;
use crate::routes::admin_orders::order_query;
use crate::{ApiError, AppState};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream};
use letao_domain::Fen;
use letao_shop::Owner;
use letao_shop::orders::{AdminOrder, OrderExport};
use letao_shop::store::AdminProduct;
use letao_shop::store::{PageStart, ProductFilter};
use std::borrow::Cow;
use std::sync::Arc;

const BOM: &str = "\u{feff}";

/// `text` as a cell Excel shows as text: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`.
fn cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Rows as CSV text (fields quoted where they need it).
fn csv_rows(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Bytes, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(&row)
            .map_err(|e| ApiError::Internal(Box::new(e)))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::Internal(Box::new(e.into_error())))?;
    Ok(Bytes::from(bytes))
}

/// The header row, after the byte order mark.
fn header_row(names: &[&str]) -> Result<Bytes, ApiError> {
    let row = csv_rows([names.iter().map(|n| (*n).to_owned()).collect()])?;
    let mut first = BOM.as_bytes().to_vec();
    first.extend_from_slice(&row);
    Ok(Bytes::from(first))
}

/// A streamed CSV download named `file`.
fn download(
    file: &str,
    body: impl futures_util::Stream<Item = Result<Bytes, ApiError>> + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file.to_owned())],
        })
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body.inspect_err(|e| {
            tracing::warn!(error = %e, "an export stopped part-way");
        }))
}

fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&letao_shop::reconcile::china())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn yuan(fen: Fen) -> String {
    fen.yuan_string()
}

const ORDER_COLUMNS: [&str; 16] = [
    "订单号",
    "下单时间",
    "支付时间",
    "支付状态",
    "发货状态",
    "买家",
    "买家手机",
    "商品",
    "金额(元)",
    "已退款(元)",
    "收货人",
    "收货手机",
    "收货地址",
    "快递公司",
    "运单号",
    "发货时间",
];

/// One order's row: its lines in one cell ("name (size, colour, code) x
/// quantity; ...").
fn order_row(o: &AdminOrder) -> Vec<String> {
    let order = &o.view.order;
    let lines = o
        .view
        .lines
        .iter()
        .map(|l| {
            let sku: Vec<&str> = [l.size.as_deref(), l.colour.as_deref(), l.code.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if sku.is_empty() {
                format!("{} x{}", l.name, l.quantity)
            } else {
                format!("{} ({}) x{}", l.name, sku.join(", "), l.quantity)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let delivery = o.view.delivery.as_ref();
    let text = |v: Option<&String>| cell(v.map_or("", String::as_str)).into_owned();
    let address = delivery.map_or(String::new(), |d| {
        [&d.province, &d.city, &d.district, &d.detail]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    });
    vec![
        order.out_trade_no.clone(),
        china_time(order.created_at),
        order.paid_at.map(china_time).unwrap_or_default(),
        order.trade_state.as_str().to_owned(),
        order.fulfilment.as_str().to_owned(),
        text(o.buyer.as_ref().and_then(|b| b.username.as_ref())),
        text(o.buyer.as_ref().and_then(|b| b.mobile.as_ref())),
        cell(&lines).into_owned(),
        yuan(order.total),
        yuan(order.refunded),
        text(delivery.and_then(|d| d.name.as_ref())),
        text(delivery.and_then(|d| d.mobile.as_ref())),
        cell(&address).into_owned(),
        text(delivery.and_then(|d| d.carrier.as_ref())),
        text(delivery.and_then(|d| d.tracking_no.as_ref())),
        delivery
            .and_then(|d| d.shipped_at)
            .map(china_time)
            .unwrap_or_default(),
    ]
}

/// `GET /admin/orders.csv?trade_state=&fulfilment=&q=`
#[utoipa::path(get, path = "/admin/orders.csv", tag = "owner orders", operation_id = "admin_orders_csv", security(("bearer" = [])),
    params(crate::openapi::params::OrderFilter),
    responses((status = 200, description = "Every order of the list's filters, newest first, as CSV for Excel (UTF-8 with a BOM, amounts in yuan; staff and admin).", content_type = "text/csv", body = String),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn orders(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let query = order_query(&Query::from_request(&req)?)?;
    let export = state.desk.export(&owner.0, &query).await?;
    let desk = Arc::clone(&state.desk);
    let rows = stream::try_unfold(
        (desk, export),
        |(desk, mut export): (_, OrderExport)| async move {
            match desk.export_page(&mut export).await? {
                None => Ok(None),
                Some(orders) => Ok(Some((
                    csv_rows(orders.iter().map(order_row))?,
                    (desk, export),
                ))),
            }
        },
    );
    let first = header_row(&ORDER_COLUMNS)?;
    Ok(download(
        "orders.csv",
        stream::once(async move { Ok(first) }).chain(rows),
    ))
}

const PRODUCT_COLUMNS: [&str; 11] = [
    "商品ID",
    "商品名称",
    "品牌ID",
    "SKU ID",
    "尺码",
    "颜色",
    "编码",
    "单价(元)",
    "库存",
    "SKU在售",
    "商品隐藏",
];

/// A row per SKU of each product.
fn product_rows(p: &AdminProduct) -> impl Iterator<Item = Vec<String>> + '_ {
    let product = &p.product;
    product.skus.iter().map(move |sku| {
        vec![
            product.id.get().to_string(),
            cell(&product.name).into_owned(),
            product.brand_id.get().to_string(),
            sku.id.get().to_string(),
            cell(&sku.size).into_owned(),
            cell(sku.colour.as_deref().unwrap_or("")).into_owned(),
            cell(&sku.code).into_owned(),
            yuan(sku.price_or(product.price)),
            sku.stock.to_string(),
            if sku.active { "是" } else { "否" }.to_owned(),
            if p.hidden { "是" } else { "否" }.to_owned(),
        ]
    })
}

/// `GET /admin/products.csv?brandId=&hidden=`
#[utoipa::path(get, path = "/admin/products.csv", tag = "owner catalogue", operation_id = "admin_products_csv", security(("bearer" = [])),
    params(crate::openapi::params::AdminProductFilter),
    responses((status = 200, description = "A row per SKU of every product (hidden ones included) with its stock, by product id, as CSV for Excel (UTF-8 with a BOM, prices in yuan).", content_type = "text/csv", body = String),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn products(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let filter = crate::routes::admin_catalogue::product_filter(&q)?;
    // The first page is read before answering, so a refusal is a status.
    let owners = Arc::clone(&state.owners);
    let (first, next) = page(&owners, &owner.0, filter, PageStart::Offset(0)).await?;
    let rest = stream::try_unfold(
        (owners, owner.0, next),
        move |(owners, owner, next)| async move {
            let Some(start) = next else {
                return Ok(None);
            };
            let (rows, next) = page(&owners, &owner, filter, start).await?;
            Ok(Some((rows, (owners, owner, next))))
        },
    );
    let head = header_row(&PRODUCT_COLUMNS)?;
    Ok(download(
        "products.csv",
        stream::iter([Ok(head), Ok(first)]).chain(rest),
    ))
}

/// One page of products as CSV rows, with where the next starts.
async fn page(
    owners: &letao_shop::Owners,
    owner: &Owner,
    filter: ProductFilter,
    start: PageStart,
) -> Result<(Bytes, Option<PageStart>), ApiError> {
    let (products, next) = owners.export_products(owner, filter, start).await?;
    Ok((csv_rows(products.iter().flat_map(product_rows))?, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_are_text() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(cell(formula), format!("'{formula}"));
        }
        for plain in ["耐克 跑步鞋", "1-2", "a=b", "", "'quoted"] {
            assert_eq!(cell(plain), plain);
        }
    }
}
