//! The owner's stock: a product's SKUs (the size grid), stock by signed
//! deltas with a reason, and the low-stock list (docs/stock.md).

use super::input::yuan;
use super::{Editor, body, path_id, stored};
use crate::ApiError;
use crate::AppState;
use crate::openapi::errors as e;
use crate::query::{Query, cursor};
use crate::replies::{AdminProductReply, LowStockReply, LowStockView, OK};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_domain::sku::{MAX_CODE_CHARS, MAX_LABEL_CHARS, label};
use letao_shop::owners::catalogue::MAX_STOCK;
use letao_shop::store::SkuInput;
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// Most SKUs of one product.
const MAX_SKUS: usize = 60;

/// One SKU of `PUT /admin/products/{id}/skus`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuItemInput {
    /// An existing SKU of the product; without it, one of the same size
    /// and colour is changed, else a SKU is created.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 2147483647)]
    id: Option<i64>,
    /// As printed on the box, 1 to 32 characters, no commas.
    #[schema(min_length = 1, max_length = 32, example = "42.5")]
    size: String,
    /// Where the product comes in several colours.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32)]
    colour: Option<String>,
    /// The shop's unique stock code (made up when absent).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, example = "NK-AIR-42.5")]
    code: Option<String>,
    /// Its own price in yuan; absent: the product's.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schemas::yuan_input)]
    price: Option<Box<RawValue>>,
    /// 0 to 1,000,000: the stock of a SKU created, or of every SKU of a
    /// pooled product (which ends the pool); an existing SKU's stock
    /// changes only by `POST /admin/skus/{id}/stock`.
    #[schema(minimum = 0, maximum = 1000000, example = 10)]
    stock: i64,
    /// On sale (default true).
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

/// The body of `PUT /admin/products/{id}/skus`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"skus": [{"size": "41", "stock": 3}, {"id": 7, "size": "42", "code": "P1-42", "stock": 5}]}))]
pub struct SkuSetInput {
    /// 1 to 60 SKUs, distinct by size and colour.
    #[schema(min_items = 1, max_items = 60)]
    skus: Vec<SkuItemInput>,
}

impl SkuSetInput {
    /// Every SKU checked.
    fn check(&self) -> Result<Vec<SkuInput>, ApiError> {
        check_skus(&self.skus)
    }
}

/// SKUs as the owner sent them, checked, each error naming `skus[i].field`.
pub(super) fn check_skus(skus: &[SkuItemInput]) -> Result<Vec<SkuInput>, ApiError> {
    {
        if skus.is_empty() || skus.len() > MAX_SKUS {
            return Err(ApiError::invalid("skus", "must hold 1 to 60 SKUs"));
        }
        let mut checked: Vec<SkuInput> = Vec::with_capacity(skus.len());
        for (i, s) in skus.iter().enumerate() {
            let field = |name: &str| format!("skus[{i}].{name}");
            let bad = |name: &str, e: &dyn std::fmt::Display| ApiError::invalid(field(name), e);
            let id =
                s.id.map(|id| {
                    i32::try_from(id)
                        .ok()
                        .filter(|id| *id > 0)
                        .ok_or_else(|| bad("id", &"must be a positive integer"))
                })
                .transpose()?;
            let size = label(&s.size, MAX_LABEL_CHARS).map_err(|e| bad("size", &e))?;
            let colour = s
                .colour
                .as_deref()
                .map(|c| label(c, MAX_LABEL_CHARS))
                .transpose()
                .map_err(|e| bad("colour", &e))?;
            let code = s
                .code
                .as_deref()
                .map(|c| label(c, MAX_CODE_CHARS))
                .transpose()
                .map_err(|e| bad("code", &e))?;
            let price = s
                .price
                .as_deref()
                .map(|raw| yuan(&field("price"), raw))
                .transpose()?;
            if price.is_some_and(|p| p.get() <= 0) {
                return Err(bad("price", &"must be more than 0"));
            }
            let stock = i32::try_from(s.stock)
                .ok()
                .filter(|n| (0..=MAX_STOCK).contains(n))
                .ok_or_else(|| bad("stock", &format!("must be 0 to {MAX_STOCK}")))?;
            if checked.iter().any(|c| c.size == size && c.colour == colour) {
                return Err(bad("size", &"appears twice with this colour"));
            }
            if id.is_some() && checked.iter().any(|c| c.id == id) {
                return Err(bad("id", &"appears twice"));
            }
            if code.is_some() && checked.iter().any(|c| c.code == code) {
                return Err(bad("code", &"appears twice"));
            }
            checked.push(SkuInput {
                id,
                size,
                colour,
                code,
                price,
                stock,
                active: s.active,
            });
        }
        Ok(checked)
    }
}

/// The body of `POST /admin/skus/{id}/stock`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"delta": -2, "reason": "两双鞋盒破损"}))]
pub struct StockDeltaInput {
    /// Units to add (negative: remove), -1,000,000 to 1,000,000, not 0.
    #[schema(minimum = -1000000, maximum = 1000000, example = 12)]
    delta: i64,
    /// Why, 1 to 200 characters (kept in the audit log).
    #[schema(min_length = 1, max_length = 200, example = "到货 12 双")]
    reason: String,
}

/// `GET /admin/products/{id}`: a product with every SKU, hidden or not.
#[utoipa::path(get, path = "/admin/products/{id}", tag = "owner catalogue", operation_id = "admin_product", security(("bearer" = [])), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The product with every SKU, inactive ones too.", body = AdminProductReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn admin_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    let product = state.owners.product(&owner.0, id).await?;
    Ok(HttpResponse::Ok().json(AdminProductReply::from(&product)))
}

/// `PUT /admin/products/{id}/skus {skus:[{id?, size, colour?, code?, price?, stock, active?}]}`
#[utoipa::path(put, path = "/admin/products/{id}/skus", tag = "owner catalogue", operation_id = "set_skus", security(("bearer" = [])), request_body(content((SkuSetInput = "application/json"))), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The product with its SKUs as stored.", body = AdminProductReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 404, response = e::NotFound), (status = 409, response = e::Conflict), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn set_skus(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: SkuSetInput = body(&req, payload).await?;
    let id = path_id(&req)?;
    let skus = input.check()?;
    let product = state.owners.set_skus(&owner.0, id, &skus).await?;
    Ok(stored(&state, AdminProductReply::from(&product)))
}

/// `POST /admin/skus/{id}/stock {delta, reason}`
#[utoipa::path(post, path = "/admin/skus/{id}/stock", tag = "owner catalogue", operation_id = "adjust_stock", security(("bearer" = [])), request_body(content((StockDeltaInput = "application/json"))), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The SKU's product as it is after.", body = AdminProductReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 404, response = e::NotFound), (status = 409, response = e::Conflict), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn adjust_stock(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: StockDeltaInput = body(&req, payload).await?;
    let id = path_id(&req)?;
    let delta = i32::try_from(input.delta)
        .ok()
        .filter(|d| *d != 0 && d.abs() <= MAX_STOCK)
        .ok_or_else(|| {
            ApiError::invalid(
                "delta",
                format!("must be -{MAX_STOCK} to {MAX_STOCK}, not 0"),
            )
        })?;
    let reason = input.reason.trim();
    let chars = reason.chars().count();
    if chars == 0 || chars > 200 || reason.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "reason",
            "must be 1 to 200 characters without control characters",
        ));
    }
    let product = state
        .owners
        .adjust_stock(&owner.0, id, delta, reason)
        .await?;
    Ok(stored(&state, AdminProductReply::from(&product)))
}

/// `GET /admin/stock/low?threshold=N&after=&pageSize=`
#[utoipa::path(get, path = "/admin/stock/low", tag = "owner catalogue", operation_id = "low_stock", security(("bearer" = [])),
    params(("threshold" = Option<u32>, Query, description = "At most this many units (default 5, at most 1,000,000)."),
        ("after" = Option<u32>, Query, description = "The `next` of the previous page."),
        ("pageSize" = Option<u32>, Query, description = "1 to 100 (default 20).")),
    responses((status = 200, description = "Active SKUs of products on sale at or below the threshold, by SKU id.", body = LowStockReply),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn low_stock(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let threshold = match q.raw("threshold").map(str::trim) {
        None | Some("") => 5,
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|n| v.bytes().all(|b| b.is_ascii_digit()) && (0..=MAX_STOCK).contains(n))
            .ok_or_else(|| ApiError::invalid("threshold", format!("must be 0 to {MAX_STOCK}")))?,
    };
    let after = match q.optional_id::<letao_domain::Sku>("after")? {
        Some(id) => id.get(),
        None => 0,
    };
    let size = i64::from(q.positive_u32("pageSize", 20)?.min(100));
    let (items, next) = state
        .owners
        .low_stock(&owner.0, threshold, after, size)
        .await?;
    Ok(HttpResponse::Ok().json(LowStockReply {
        status: OK,
        skus: items.iter().map(LowStockView::from).collect(),
        next: cursor(next),
    }))
}
