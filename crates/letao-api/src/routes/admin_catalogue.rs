//! The owner's catalogue routes (admin): categories, brands, products,
//! home items and image uploads. After a write, this instance drops its
//! cached catalogue lists so its next read shows the change at once.

mod home_items;
mod images;
mod input;

pub use home_items::{create_home_item, delete_home_item, list_home_items, update_home_item};
pub use images::upload_image;

use crate::auth::{OwnerUser, require_user};
use crate::query::{Query, cursor};
use crate::replies::{
    AdminProductReply, AdminProductView, AdminProductsReply, BrandReply, BrandView, CategoryReply,
    CategoryView, MsgReply, OK,
};
use crate::routes::{get_or_post, post_only, put_or_delete};
use crate::{ApiError, AppState, input::Input};
use actix_web::FromRequest;
use actix_web::dev::Payload;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, guard, web};
use futures_util::future::LocalBoxFuture;
use input::{BrandInput, CategoryInput, NewProductInput, ProductPatchInput};
use letao_db::ProductFilter;
use letao_domain::{Id, Permission};
use letao_shop::Owner;
use letao_shop::ShopError;
use serde::de::DeserializeOwned;

/// Registers every route of this module, each behind a valid token, with
/// a JSON 405 for methods a path does not take.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let read = || web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
    cfg.service(
        web::resource("/admin/categories")
            .route(web::post().to(create_category))
            .default_service(web::to(post_only))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/categories/{id}")
            .route(web::put().to(update_category))
            .route(web::delete().to(delete_category))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/brands")
            .route(web::post().to(create_brand))
            .default_service(web::to(post_only))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/brands/{id}")
            .route(web::put().to(update_brand))
            .route(web::delete().to(delete_brand))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/products")
            .route(read().to(list_products))
            .route(web::post().to(create_product))
            .default_service(web::to(get_or_post))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/products/{id}")
            .route(web::put().to(update_product))
            .route(web::delete().to(hide_product))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/home-items")
            .route(read().to(list_home_items))
            .route(web::post().to(create_home_item))
            .default_service(web::to(get_or_post))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/home-items/{id}")
            .route(web::put().to(update_home_item))
            .route(web::delete().to(delete_home_item))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/images")
            .route(web::post().to(upload_image))
            .default_service(web::to(post_only))
            .wrap(from_fn(require_user)),
    );
}

/// An owner whose role may edit the catalogue: 403 for anyone else
/// before the body is read (the use cases check again).
pub struct Editor(pub Owner);

impl FromRequest for Editor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let owner = OwnerUser::from_request(req, payload);
        Box::pin(async move {
            let OwnerUser(owner) = owner.await?;
            owner.require(Permission::EditCatalogue)?;
            Ok(Editor(owner))
        })
    }
}

/// The JSON (or form) body, read in the handler once the role is checked:
/// actix runs a handler's extractors side by side, so a bad body as an
/// extractor would both be judged before the role and cancel the owner's
/// database lookup half-way.
pub(super) async fn body<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let Input(value) = Input::<T>::from_request(req, &mut payload.into_inner()).await?;
    Ok(value)
}

/// The `{id}` of the path (malformed: 400 naming `id`).
pub(super) fn path_id<T>(req: &HttpRequest) -> Result<Id<T>, ApiError> {
    let raw = req.match_info().get("id").unwrap_or_default();
    raw.parse().map_err(|e| ApiError::invalid("id", e))
}

/// A referenced object that does not exist is the client's bad `field`
/// (400), unlike the object the path names (404).
fn reference(what: &'static str, field: &'static str) -> impl Fn(ShopError) -> ApiError {
    move |e| match e {
        ShopError::NotFound(w) if w == what => ApiError::invalid(field, format!("names no {what}")),
        other => other.into(),
    }
}

/// `POST /admin/categories {categoryName}`
pub async fn create_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: CategoryInput = body(&req, payload).await?;
    let name = input.name()?;
    let category = state.owners.create_category(&owner.0, name).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(CategoryReply {
        status: OK,
        category: CategoryView::from(&category),
    }))
}

/// `PUT /admin/categories/{id} {categoryName}`
pub async fn update_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: CategoryInput = body(&req, payload).await?;
    let id = path_id(&req)?;
    let name = input.name()?;
    let category = state.owners.rename_category(&owner.0, id, name).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(CategoryReply {
        status: OK,
        category: CategoryView::from(&category),
    }))
}

/// `DELETE /admin/categories/{id}` (409 while it has brands)
pub async fn delete_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    state.owners.delete_category(&owner.0, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}

/// `POST /admin/brands {brandName, categoryId, brandLogo, hot}`
pub async fn create_brand(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: BrandInput = body(&req, payload).await?;
    let fields = input.fields()?;
    let brand = state
        .owners
        .create_brand(&owner.0, &fields)
        .await
        .map_err(reference("category", "categoryId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(BrandReply {
        status: OK,
        brand: BrandView::from(&brand),
    }))
}

/// `PUT /admin/brands/{id}` (same body)
pub async fn update_brand(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: BrandInput = body(&req, payload).await?;
    let id = path_id(&req)?;
    let fields = input.fields()?;
    let brand = state
        .owners
        .update_brand(&owner.0, id, &fields)
        .await
        .map_err(reference("category", "categoryId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(BrandReply {
        status: OK,
        brand: BrandView::from(&brand),
    }))
}

/// `DELETE /admin/brands/{id}` (409 while it has products, hidden ones too)
pub async fn delete_brand(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    state.owners.delete_brand(&owner.0, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}

/// `true`/`false` (or `1`/`0`).
fn flag(value: &str) -> Option<bool> {
    match value {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// `GET /admin/products?brandId=&hidden=&page=&pageSize=&after=`
pub async fn list_products(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let filter = ProductFilter {
        brand_id: q
            .optional_id::<letao_domain::Brand>("brandId")?
            .map(Id::get),
        hidden: q.state("hidden", flag, "true, false")?,
    };
    let paging = q.paging()?;
    let page = state
        .owners
        .products(&owner.0, filter, paging.start, paging.limit())
        .await?;
    Ok(HttpResponse::Ok().json(AdminProductsReply {
        status: OK,
        products: page.items.iter().map(AdminProductView::from).collect(),
        page: paging.page,
        page_size: paging.size,
        total: page.total,
        next: cursor(page.next),
    }))
}

/// `POST /admin/products {brandId, name, img, price, oldPrice, sizes, stock, featured, sort?}`
pub async fn create_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: NewProductInput = body(&req, payload).await?;
    let checked = input.check()?;
    let product = state
        .owners
        .create_product(&owner.0, &checked.as_new())
        .await
        .map_err(reference("brand", "brandId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(AdminProductReply {
        status: OK,
        product: AdminProductView::from(&product),
    }))
}

/// `PUT /admin/products/{id}` with any of `brandId, name, img, price,
/// oldPrice, sizes, featured, hidden, sort, stockDelta` (stock by delta:
/// 409 if it would fall below zero, with nothing changed)
pub async fn update_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: ProductPatchInput = body(&req, payload).await?;
    let id = path_id(&req)?;
    let change = input.change()?;
    let product = state
        .owners
        .update_product(&owner.0, id, &change)
        .await
        .map_err(reference("brand", "brandId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(AdminProductReply {
        status: OK,
        product: AdminProductView::from(&product),
    }))
}

/// `DELETE /admin/products/{id}`: hides it (old orders keep their lines)
pub async fn hide_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    state.owners.hide_product(&owner.0, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已下架 (hidden from the shop)")))
}
