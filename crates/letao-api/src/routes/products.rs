//! Product listing and product detail.

use crate::query::Query;
use crate::replies::{OK, ProductReply, ProductView, ProductsReply};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};

/// Page size when the client names none.
const DEFAULT_PAGE_SIZE: u32 = 20;
/// Larger page sizes are reduced to this.
pub const MAX_PAGE_SIZE: u32 = 100;

/// `GET /products?brandId=&page=&pageSize=`
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let brand = q.optional_id("brandId")?;
    let page = q.positive_u32("page", 1)?;
    let page_size = q
        .positive_u32("pageSize", DEFAULT_PAGE_SIZE)?
        .min(MAX_PAGE_SIZE);
    let found = state.db.products(brand, page, page_size).await?;
    Ok(HttpResponse::Ok().json(ProductsReply {
        status: OK,
        products: found.items.iter().map(ProductView::from).collect(),
        page,
        page_size,
        total: found.total,
    }))
}

/// `GET /products/{id}`
pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = req
        .match_info()
        .get("id")
        .unwrap_or_default()
        .parse()
        .map_err(|e| ApiError::invalid("id", e))?;
    let product = state
        .db
        .product(id)
        .await?
        .ok_or(ApiError::NotFound("no such product"))?;
    Ok(HttpResponse::Ok().json(ProductReply {
        status: OK,
        product: ProductView::from(&product),
    }))
}
