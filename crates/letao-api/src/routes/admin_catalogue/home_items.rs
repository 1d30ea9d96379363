//! `/admin/home-items`: the home grid's icons and the carousel's banners.
//! The original's grid and banner ids overlap, so a request names the kind.

use super::{Editor, body, input, path_id};
use crate::query::Query;
use crate::replies::{HomeItemAdminView, HomeItemReply, HomeItemsReply, MsgReply, OK};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use input::HomeItemInput;

/// `GET /admin/home-items`
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
