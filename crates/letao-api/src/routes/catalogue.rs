//! Home page lists and the two-level catalogue (served from the cache).

use super::json_body;
use crate::query::Query;
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_shop::Listing;

async fn listing(state: &AppState, which: Listing) -> Result<HttpResponse, ApiError> {
    Ok(json_body(state.catalogue.get(which).await?.body(which)))
}

/// `GET /gridlist`: the six home grid icons.
pub async fn gridlist(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Grid).await
}

/// `GET /banners`: the carousel images.
pub async fn banners(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Banners).await
}

/// `GET /sports`: featured products.
pub async fn sports(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Sports).await
}

/// `GET /oneCategory`: all categories.
pub async fn one_category(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Categories).await
}

/// `GET /twoCategory?id=N`: the brands of category N (empty if unknown).
pub async fn two_category(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = Query::from_request(&req)?.id("id")?;
    listing(&state, Listing::BrandsOf(id)).await
}
