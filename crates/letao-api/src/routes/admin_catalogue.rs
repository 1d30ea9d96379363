//! The owner's catalogue routes (admin): categories, brands, products,
//! home items and image uploads. After a write, this instance drops its
//! cached catalogue lists so its next read shows the change at once.

pub(crate) mod home_items;
pub(crate) mod images;
mod input;
pub(crate) mod stock;

pub use home_items::{create_home_item, delete_home_item, list_home_items, update_home_item};
pub use images::upload_image;
use stock::{adjust_stock, admin_product, low_stock, set_skus};

use crate::auth::{OwnerUser, require_user};
use crate::openapi::errors as e;
use crate::query::{Query, cursor};
use crate::registry::resource;
use crate::replies::{
    AdminProductReply, AdminProductView, AdminProductsReply, BrandReply, CategoryReply, MsgReply,
    OK,
};
use crate::routes::{
    get_only, get_or_post, get_put_or_delete, post_only, put_only, put_or_delete, read,
};
use crate::{ApiError, AppState, input::Input};
use actix_web::FromRequest;
use actix_web::dev::Payload;
use actix_web::middleware::from_fn;
use actix_web::{Handler, HttpRequest, HttpResponse, Resource, Responder, web};
use futures_util::future::LocalBoxFuture;
use input::{BrandInput, CategoryInput, NewProductInput, ProductPatchInput};
use letao_domain::{Id, Permission};
use letao_shop::Owner;
use letao_shop::ShopError;
use letao_shop::store::ProductFilter;
use serde::de::DeserializeOwned;

/// Registers every route of this module, each behind a valid token, with
/// a JSON 405 for methods a path does not take.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let token = || from_fn(require_user);
    cfg.service(added("/admin/categories", create_category).wrap(token()))
        .service(object("/admin/categories/{id}", update_category, delete_category).wrap(token()))
        .service(added("/admin/brands", create_brand).wrap(token()))
        .service(object("/admin/brands/{id}", update_brand, delete_brand).wrap(token()))
        .service(listed("/admin/products", list_products, create_product).wrap(token()))
        .service(
            resource("/admin/products/{id}", &["GET", "PUT", "DELETE"])
                .route(read().to(admin_product))
                .route(web::put().to(update_product))
                .route(web::delete().to(hide_product))
                .default_service(web::to(get_put_or_delete))
                .wrap(token()),
        )
        .service(
            resource("/admin/products/{id}/skus", &["PUT"])
                .route(web::put().to(set_skus))
                .default_service(web::to(put_only))
                .wrap(token()),
        )
        .service(added("/admin/skus/{id}/stock", adjust_stock).wrap(token()))
        .service(
            resource("/admin/stock/low", &["GET"])
                .route(read().to(low_stock))
                .default_service(web::to(get_only))
                .wrap(token()),
        )
        .service(listed("/admin/home-items", list_home_items, create_home_item).wrap(token()))
        .service(object("/admin/home-items/{id}", update_home_item, delete_home_item).wrap(token()))
        .service(added("/admin/images", upload_image).wrap(token()));
}

/// A path that takes POST only.
fn added<C, CA>(path: &str, create: C) -> Resource
where
    C: Handler<CA>,
    CA: FromRequest + 'static,
    C::Output: Responder + 'static,
{
    resource(path, &["POST"])
        .route(web::post().to(create))
        .default_service(web::to(post_only))
}

/// A list read with GET (and HEAD) and added to with POST.
fn listed<L, LA, C, CA>(path: &str, list: L, create: C) -> Resource
where
    L: Handler<LA>,
    LA: FromRequest + 'static,
    L::Output: Responder + 'static,
    C: Handler<CA>,
    CA: FromRequest + 'static,
    C::Output: Responder + 'static,
{
    resource(path, &["GET", "POST"])
        .route(read().to(list))
        .route(web::post().to(create))
        .default_service(web::to(get_or_post))
}

/// One object, replaced with PUT and removed with DELETE.
fn object<U, UA, D, DA>(path: &str, update: U, delete: D) -> Resource
where
    U: Handler<UA>,
    UA: FromRequest + 'static,
    U::Output: Responder + 'static,
    D: Handler<DA>,
    DA: FromRequest + 'static,
    D::Output: Responder + 'static,
{
    resource(path, &["PUT", "DELETE"])
        .route(web::put().to(update))
        .route(web::delete().to(delete))
        .default_service(web::to(put_or_delete))
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

/// The reply to a write: this instance's cached catalogue lists are
/// dropped first, so its next read shows the change.
fn stored(state: &AppState, reply: impl serde::Serialize) -> HttpResponse {
    state.invalidate_catalogue();
    HttpResponse::Ok().json(reply)
}

/// `POST /admin/categories {categoryName}`
#[utoipa::path(post, path = "/admin/categories", tag = "owner catalogue", operation_id = "create_category", security(("bearer" = [])), request_body(content((CategoryInput = "application/json"))),
    responses((status = 200, description = "The stored category.", body = CategoryReply, links(("RenameCategory" = (operation_id = "update_category", parameters(("id" = "$response.body#/category/id")))), ("DeleteCategory" = (operation_id = "delete_category", parameters(("id" = "$response.body#/category/id")))))),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn create_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input: CategoryInput = body(&req, payload).await?;
    let name = input.name()?;
    let category = state.owners.create_category(&owner.0, name).await?;
    Ok(stored(&state, CategoryReply::from(&category)))
}

/// `PUT /admin/categories/{id} {categoryName}`
#[utoipa::path(put, path = "/admin/categories/{id}", tag = "owner catalogue", operation_id = "update_category", security(("bearer" = [])), request_body(content((CategoryInput = "application/json"))), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The stored category.", body = CategoryReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
    Ok(stored(&state, CategoryReply::from(&category)))
}

/// `DELETE /admin/categories/{id}` (409 while it has brands)
#[utoipa::path(delete, path = "/admin/categories/{id}", tag = "owner catalogue", operation_id = "delete_category", security(("bearer" = [])), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "Deleted.", body = MsgReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 409, response = e::Conflict), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
#[utoipa::path(post, path = "/admin/brands", tag = "owner catalogue", operation_id = "create_brand", security(("bearer" = [])), request_body(content((BrandInput = "application/json"))),
    responses((status = 200, description = "The stored brand.", body = BrandReply, links(("UpdateBrand" = (operation_id = "update_brand", parameters(("id" = "$response.body#/brand/id")))), ("DeleteBrand" = (operation_id = "delete_brand", parameters(("id" = "$response.body#/brand/id")))))),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
    Ok(stored(&state, BrandReply::from(&brand)))
}

/// `PUT /admin/brands/{id}` (same body)
#[utoipa::path(put, path = "/admin/brands/{id}", tag = "owner catalogue", operation_id = "update_brand", security(("bearer" = [])), request_body(content((BrandInput = "application/json"))), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The stored brand.", body = BrandReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
    Ok(stored(&state, BrandReply::from(&brand)))
}

/// `DELETE /admin/brands/{id}` (409 while it has products, hidden ones too)
#[utoipa::path(delete, path = "/admin/brands/{id}", tag = "owner catalogue", operation_id = "delete_brand", security(("bearer" = [])), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "Deleted.", body = MsgReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 409, response = e::Conflict), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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

/// How many products the console's search shows.
const SEARCHED_PRODUCTS: usize = 50;

/// `GET /admin/products?q=`: the product of the SKU whose code is `q`,
/// then the products on sale that match `q` (docs/search.md), best first,
/// in one page, with the list's other filters.
async fn search_products(
    state: &AppState,
    owner: &Editor,
    text: &str,
    filter: ProductFilter,
) -> Result<HttpResponse, ApiError> {
    let ids = state.search.owner_matches(text, SEARCHED_PRODUCTS).await?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        match state
            .owners
            .product(&owner.0, Id::<letao_domain::Product>::from_db(id))
            .await
        {
            Ok(p) => found.push(p),
            Err(letao_shop::ShopError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    found.retain(|p| {
        filter
            .brand_id
            .is_none_or(|b| p.product.brand_id.get() == b)
            && filter.hidden.is_none_or(|h| p.hidden == h)
    });
    let n = u32::try_from(found.len()).unwrap_or(u32::MAX);
    Ok(HttpResponse::Ok().json(AdminProductsReply {
        status: OK,
        products: found.iter().map(AdminProductView::from).collect(),
        page: 1,
        page_size: n.max(1),
        total: i64::from(n),
        next: None,
    }))
}

/// The filters of the owner's product list (`brandId`, `hidden`).
pub(crate) fn product_filter(q: &Query) -> Result<ProductFilter, ApiError> {
    Ok(ProductFilter {
        brand_id: q
            .optional_id::<letao_domain::Brand>("brandId")?
            .map(Id::get),
        hidden: q.state("hidden", flag, "true, false")?,
    })
}

/// `GET /admin/products?brandId=&hidden=&q=&page=&pageSize=&after=`
#[utoipa::path(get, path = "/admin/products", tag = "owner catalogue", operation_id = "admin_products", security(("bearer" = [])), params(crate::openapi::params::AdminProductFilter, crate::openapi::params::Paging),
    responses((status = 200, description = "One page of products, hidden ones included, by id.", body = AdminProductsReply),
        (status = 400, response = e::InvalidInput), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
pub async fn list_products(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let filter = product_filter(&q)?;
    if let Some(text) = q.text("q", crate::routes::search::MAX_QUERY_CHARS)? {
        return search_products(&state, &owner, &text, filter).await;
    }
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
#[utoipa::path(post, path = "/admin/products", tag = "owner catalogue", operation_id = "create_product", security(("bearer" = [])), request_body(content((NewProductInput = "application/json"))),
    responses((status = 200, description = "The stored product.", body = AdminProductReply, links(("UpdateProduct" = (operation_id = "update_product", parameters(("id" = "$response.body#/product/id")))), ("HideProduct" = (operation_id = "hide_product", parameters(("id" = "$response.body#/product/id")))), ("Product" = (operation_id = "product", parameters(("id" = "$response.body#/product/id")))))),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
    Ok(stored(&state, AdminProductReply::from(&product)))
}

#[utoipa::path(put, path = "/admin/products/{id}", tag = "owner catalogue", operation_id = "update_product", security(("bearer" = [])), request_body(content((ProductPatchInput = "application/json"))), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The stored product.", body = AdminProductReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 404, response = e::NotFound), (status = 409, response = e::Conflict), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
    Ok(stored(&state, AdminProductReply::from(&product)))
}

/// `DELETE /admin/products/{id}`: hides it (old orders keep their lines)
#[utoipa::path(delete, path = "/admin/products/{id}", tag = "owner catalogue", operation_id = "hide_product", security(("bearer" = [])), params(crate::openapi::params::IdPath),
    responses((status = 200, description = "Hidden: out of the shop, kept for old orders.", body = MsgReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 403, response = e::Forbidden), (status = 503, response = e::Unavailable)))]
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
