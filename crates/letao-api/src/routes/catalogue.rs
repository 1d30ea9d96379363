//! Home page lists and the two-level catalogue (served from the cache).

use super::json_body;
use crate::openapi::errors as e;
use crate::query::Query;
use crate::replies::{
    BannersReply, GridListReply, OneCategoryReply, SportsReply, TwoCategoryReply,
};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_shop::Listing;

async fn listing(state: &AppState, which: Listing) -> Result<HttpResponse, ApiError> {
    Ok(json_body(state.catalogue.get(which).await?.body(which)))
}

/// `GET /gridlist`: the six home grid icons.
#[utoipa::path(get, path = "/gridlist", tag = "catalogue",
    responses((status = 200, description = "The home grid's icons.", body = GridListReply), (status = 503, response = e::Unavailable)))]
pub async fn gridlist(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Grid).await
}

/// `GET /banners`: the carousel images.
#[utoipa::path(get, path = "/banners", tag = "catalogue",
    responses((status = 200, description = "The carousel's images.", body = BannersReply), (status = 503, response = e::Unavailable)))]
pub async fn banners(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Banners).await
}

/// `GET /sports`: featured products.
#[utoipa::path(get, path = "/sports", tag = "catalogue",
    responses((status = 200, description = "Featured products; prices in yuan.", body = SportsReply), (status = 503, response = e::Unavailable)))]
pub async fn sports(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Sports).await
}

/// `GET /oneCategory`: all categories.
#[utoipa::path(get, path = "/oneCategory", tag = "catalogue",
    responses((status = 200, description = "Every category.", body = OneCategoryReply), (status = 503, response = e::Unavailable)))]
pub async fn one_category(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    listing(&state, Listing::Categories).await
}

/// `GET /twoCategory?id=N`: the brands of category N (empty if unknown).
#[utoipa::path(get, path = "/twoCategory", tag = "catalogue",
    params(("id" = i32, Query, minimum = 1, maximum = 2147483647, example = 1, description = "The category; an unknown one has no brands.")),
    responses((status = 200, description = "The category's brands.", body = TwoCategoryReply),
        (status = 400, response = e::InvalidInput), (status = 503, response = e::Unavailable)))]
pub async fn two_category(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = Query::from_request(&req)?.id("id")?;
    listing(&state, Listing::BrandsOf(id)).await
}
