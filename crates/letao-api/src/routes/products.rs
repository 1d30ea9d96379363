//! Product listing and product detail.

use crate::query::{Query, cursor};
use crate::replies::{OK, ProductReply, ProductView, ProductsReply};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};

/// `GET /products?brandId=&page=&pageSize=&after=`
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let brand = q.optional_id("brandId")?;
    let paging = q.paging()?;
    let found = state
        .products
        .list(brand, paging.start, paging.limit())
        .await?;
    Ok(HttpResponse::Ok().json(ProductsReply {
        status: OK,
        products: found.items.iter().map(ProductView::from).collect(),
        page: paging.page,
        page_size: paging.size,
        total: found.total,
        next: cursor(found.next),
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
    let product = state.products.get(id).await?;
    Ok(HttpResponse::Ok().json(ProductReply {
        status: OK,
        product: ProductView::from(&product),
    }))
}
