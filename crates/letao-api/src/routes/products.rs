//! Product listing and product detail.

use super::json_body;
use crate::query::Query;
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_shop::products::ListKey;

/// `GET /products?brandId=&page=&pageSize=&after=`
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let brand = q.optional_id::<letao_domain::Brand>("brandId")?;
    let paging = q.paging()?;
    let key = ListKey {
        brand: brand.map(letao_domain::Id::get),
        start: paging.start,
        size: paging.size,
        page: paging.page,
    };
    let page = state.products.list(key).await?;
    page.0
        .clone()
        .map(json_body)
        .ok_or_else(|| ApiError::Internal("an empty product list".into()))
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
    product
        .0
        .clone()
        .map(json_body)
        .ok_or(ApiError::Missing("product"))
}
