//! `/admin/home-items`: the home grid's icons and the carousel's banners.
//! The original's grid and banner ids overlap, so a request names the kind.

use super::{Editor, body, input, path_id};
use crate::openapi::errors as e;
use crate::query::Query;
use crate::replies::{HomeItemAdminView, HomeItemReply, HomeItemsReply, MsgReply, OK};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use input::HomeItemInput;

/// `GET /admin/home-items`
#[utoipa::path(get, path = "/admin/home-items", tag = "owner catalogue", operation_id = "list_home_items", security(("bearer" = [])), 
    responses((status = 200, description = "The grid's icons, then the banners, each in display order.", body = HomeItemsReply),
        (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn list_home_items(
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let items = state.owners.home_items(&owner.0).await?;
    Ok(HttpResponse::Ok().json(HomeItemsReply {
        status: OK,
        items: items.iter().map(HomeItemAdminView::from).collect(),
    }))
}

/// `POST /admin/home-items {kind, img_src, sort}`
#[utoipa::path(post, path = "/admin/home-items", tag = "owner catalogue", operation_id = "create_home_item", security(("bearer" = [])), request_body(content((HomeItemInput = "application/json"))),
    responses((status = 200, description = "The stored item.", body = HomeItemReply, links(("UpdateHomeItem" = (operation_id = "update_home_item", parameters(("id" = "$response.body#/item/id")))), ("DeleteHomeItem" = (operation_id = "delete_home_item", parameters(("id" = "$response.body#/item/id")))))),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn create_home_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: HomeItemInput = body(&req, payload).await?;
    let (kind, img_src, sort) = input.check()?;
    let item = state
        .owners
        .create_home_item(&owner.0, kind, img_src, sort)
        .await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(HomeItemReply {
        status: OK,
        item: HomeItemAdminView::from(&item),
    }))
}

#[utoipa::path(put, path = "/admin/home-items/{id}", tag = "owner catalogue", operation_id = "update_home_item", security(("bearer" = [])), request_body(content((HomeItemInput = "application/json"))), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The stored item.", body = HomeItemReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
/// `PUT /admin/home-items/{id} {kind, img_src, sort}`: the body's `kind`
/// says which item (the original's grid and banner ids overlap)
pub async fn update_home_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: HomeItemInput = body(&req, payload).await?;
    let id = path_id::<()>(&req)?.get();
    let (kind, img_src, sort) = input.check()?;
    let item = state
        .owners
        .update_home_item(&owner.0, kind, id, img_src, sort)
        .await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(HomeItemReply {
        status: OK,
        item: HomeItemAdminView::from(&item),
    }))
}

#[utoipa::path(delete, path = "/admin/home-items/{id}", tag = "owner catalogue", operation_id = "delete_home_item", security(("bearer" = [])), params(crate::openapi::params::IdPath, crate::openapi::params::HomeKind),
    responses((status = 200, description = "Deleted.", body = MsgReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
/// `DELETE /admin/home-items/{id}?kind=grid|banner`; `kind` may be left
/// out when only one kind has that id.
pub async fn delete_home_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<()>(&req)?.get();
    let kind = match Query::from_request(&req)?.state("kind", input::home_kind, "grid, banner")? {
        Some(kind) => kind,
        None => match state.owners.home_item_kinds(&owner.0, id).await?.as_slice() {
            [] => return Err(ApiError::Missing("home item")),
            [one] => *one,
            _ => {
                return Err(ApiError::invalid(
                    "kind",
                    "is needed: a grid icon and a banner have this id",
                ));
            }
        },
    };
    state.owners.delete_home_item(&owner.0, kind, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}
